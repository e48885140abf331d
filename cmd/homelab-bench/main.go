// Command homelab-bench measures what homelab_proxy costs against the local
// Cloudflare API: for each N it applies, plans and destroys N proxies on
// one tunnel with a real terraform (or tofu) CLI and a freshly built
// provider, and prints per phase the requests by endpoint and in total,
// the 429s, the largest count in any 5-minute window, the wall time, the
// provider's CPU time (user + system, from /proc, summed over the provider
// processes the command starts) and the provider's peak RSS.
//
//	go run ./cmd/homelab-bench -n 10,100,500,1000 -cli terraform -latency 50ms
//
// -cpuprofile DIR builds the provider from ./cmd/homelab-bench/profiled,
// which writes a CPU profile per provider process into DIR
// (go tool pprof -top DIR/<phase>-n<N>-*.pprof).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
	"github.com/homelab-tf/terraform-provider-homelab/internal/proctree"
)

const providerBinary = "terraform-provider-homelab"

type options struct {
	sizes       []int
	cli         string
	provider    string
	latency     time.Duration
	rps         float64
	parallelism int
	limit       int
	budget      int
	cpuProfile  string
	timeline    bool
	verbose     bool
}

func main() {
	var o options
	sizes := flag.String("n", "10,100,500", "comma-separated numbers of proxies")
	flag.StringVar(&o.cli, "cli", "terraform", "the CLI to run: terraform, tofu, or a path")
	flag.StringVar(&o.provider, "provider", "", "a built "+providerBinary+" (default: build this checkout into a temporary directory)")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the local API adds to every request")
	flag.Float64Var(&o.rps, "rps", 0, "provider requests_per_second, an extra cap (0: the provider's default, none)")
	flag.IntVar(&o.budget, "budget", 0, "provider request_budget per 5 minutes (0: the provider's default, 1200)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "directory for CPU profiles of the provider processes (builds ./cmd/homelab-bench/profiled)")
	flag.IntVar(&o.parallelism, "parallelism", 10, "the CLI's -parallelism")
	flag.IntVar(&o.limit, "limit", 1200, "the local API's rate limit per 5 minutes, as Cloudflare's (0: none)")
	flag.BoolVar(&o.verbose, "v", false, "show the CLI's output")
	flag.BoolVar(&o.timeline, "timeline", false, "print every request of every phase with its arrival and answer time on stderr")
	flag.Parse()
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fatalf("-n: %q is not a positive number", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if err := run(o); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "homelab-bench: "+format+"\n", args...)
	os.Exit(1)
}

func run(o options) error {
	cli, err := exec.LookPath(o.cli)
	if err != nil {
		return fmt.Errorf("the CLI %q: %w", o.cli, err)
	}
	work, err := os.MkdirTemp("", "homelab-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	providerDir := filepath.Join(work, "provider")
	if err := os.MkdirAll(providerDir, 0o755); err != nil {
		return err
	}
	if o.cpuProfile != "" {
		if o.cpuProfile, err = filepath.Abs(o.cpuProfile); err != nil {
			return err
		}
		if err := os.MkdirAll(o.cpuProfile, 0o755); err != nil {
			return err
		}
	}
	if o.provider == "" {
		pkg := "."
		if o.cpuProfile != "" {
			pkg = "./cmd/homelab-bench/profiled"
		}
		fmt.Fprintln(os.Stderr, "building the provider...")
		build := exec.Command("go", "build", "-o", filepath.Join(providerDir, providerBinary), pkg)
		build.Dir, build.Stdout, build.Stderr = moduleRoot(), os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building the provider: %w", err)
		}
	} else {
		abs, err := filepath.Abs(o.provider)
		if err != nil {
			return err
		}
		if err := os.Symlink(abs, filepath.Join(providerDir, providerBinary)); err != nil {
			return err
		}
	}
	version, _ := exec.Command(cli, "version").Output()
	fmt.Printf("homelab-bench: %s, latency %s per request, request_budget %s, requests_per_second %s, -parallelism %d, local API limit %s\n\n",
		firstLine(string(version)), o.latency, budgetText(o.budget), orDefault(o.rps), o.parallelism, limitText(o.limit))

	var results []result
	for _, n := range o.sizes {
		rs, err := benchOne(o, cli, work, providerDir, n)
		results = append(results, rs...)
		if err != nil {
			printTable(results)
			return fmt.Errorf("with %d proxies: %w", n, err)
		}
	}
	printTable(results)
	return nil
}

func moduleRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		return "."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func orDefault(rps float64) string {
	if rps == 0 {
		return "default (none)"
	}
	return strconv.FormatFloat(rps, 'f', -1, 64)
}

func budgetText(n int) string {
	if n == 0 {
		return "default (1200)"
	}
	return strconv.Itoa(n)
}

func limitText(n int) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprintf("%d per 5 min (429 + Retry-After beyond)", n)
}

// result is one phase of one N.
type result struct {
	n         int
	phase     string
	total     int
	counts    map[string]int
	status429 int64
	status5xx int64
	window    int
	wall      time.Duration
	cpu       time.Duration // the provider processes' user + system time
	rss       rss
	created   objects // what the phase added to the account
}

// objects counts what the local API holds of the kinds a proxy owns.
type objects struct{ records, apps, policies int }

func (o objects) total() int { return o.records + o.apps + o.policies }

func countObjects(api *cfsandbox.Server, zoneID string) objects {
	return objects{len(api.DNSRecords(zoneID)), len(api.AccessApps()), len(api.AccessPolicies())}
}

// statusCounter counts the local API's 429 and 5xx answers and, with
// -timeline, notes every request.
type statusCounter struct {
	next       http.Handler
	s429, s5xx atomic.Int64

	timeline bool
	mu       sync.Mutex
	start    time.Time
	lines    []string
}

func (c *statusCounter) reset() {
	c.s429.Store(0)
	c.s5xx.Store(0)
	c.mu.Lock()
	c.start, c.lines = time.Now(), nil
	c.mu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	c *statusCounter
}

func (w statusWriter) WriteHeader(code int) {
	switch {
	case code == http.StatusTooManyRequests:
		w.c.s429.Add(1)
	case code >= 500:
		w.c.s5xx.Add(1)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (c *statusCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !c.timeline {
		c.next.ServeHTTP(statusWriter{w, c}, r)
		return
	}
	c.mu.Lock()
	start := c.start
	c.mu.Unlock()
	arrived := time.Since(start)
	c.next.ServeHTTP(statusWriter{w, c}, r)
	line := fmt.Sprintf("%8.3fs %8.3fs %s %s", arrived.Seconds(), time.Since(start).Seconds(), r.Method, r.URL.Path)
	c.mu.Lock()
	c.lines = append(c.lines, line)
	c.mu.Unlock()
}

func benchOne(o options, cli, work, providerDir string, n int) ([]result, error) {
	api := cfsandbox.New(cfsandbox.Options{})
	counter := &statusCounter{next: api, timeline: o.timeline}
	srv := httptest.NewServer(counter)
	defer srv.Close()
	zone := api.AddZone("example.com")
	tunnel, err := api.AddTunnel("homelab")
	if err != nil {
		return nil, err
	}
	api.SetFaults(cfsandbox.Faults{Latency: o.latency, RateLimit: o.limit})

	dir := filepath.Join(work, fmt.Sprintf("n%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rps := ""
	if o.rps > 0 {
		rps = fmt.Sprintf("requests_per_second = %v", o.rps)
	}
	if o.budget > 0 {
		rps += fmt.Sprintf("\n    request_budget = %d", o.budget)
	}
	config := fmt.Sprintf(`terraform {
  required_providers {
    homelab = { source = "homelab-tf/homelab" }
  }
}

provider "homelab" {
  domain      = "example.com"
  host_prefix = "home"
  cloudflare = {
    %s
  }
  access = { allowed_emails = ["me@example.com"] }
}

resource "homelab_proxy" "svc" {
  count   = %d
  name    = "svc${count.index}"
  service = "http://127.0.0.1:${10000 + count.index}"
}
`, rps, n)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return nil, err
	}
	tfrc := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(tfrc, fmt.Appendf(nil, "provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", "homelab-tf/homelab", providerDir), 0o644); err != nil {
		return nil, err
	}
	// The token and the account reach the provider through the
	// environment, never through the configuration or the output.
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+tfrc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"CLOUDFLARE_API_TOKEN="+api.Token(), "CLOUDFLARE_ACCOUNT_ID="+api.AccountID(),
		"CLOUDFLARE_TUNNEL_ID="+tunnel.ID, "CLOUDFLARE_BASE_URL="+srv.URL+cfsandbox.APIPrefix)

	var all []time.Time
	var results []result
	phases := []struct {
		name string
		args []string
		ok   func(code int) bool
	}{
		{"apply", []string{"apply", "-auto-approve", "-input=false", "-parallelism=" + strconv.Itoa(o.parallelism)}, func(c int) bool { return c == 0 }},
		{"plan", []string{"plan", "-input=false", "-detailed-exitcode", "-parallelism=" + strconv.Itoa(o.parallelism)}, func(c int) bool { return c == 0 }},
		{"destroy", []string{"destroy", "-auto-approve", "-input=false", "-parallelism=" + strconv.Itoa(o.parallelism)}, func(c int) bool { return c == 0 }},
	}
	for _, p := range phases {
		api.ResetCounts()
		counter.reset()
		fmt.Fprintf(os.Stderr, "N=%d: %s...\n", n, p.name)
		before := countObjects(api, zone.ID)
		start := time.Now()
		penv := env
		if o.cpuProfile != "" {
			penv = append(slices.Clip(env), "HOMELAB_BENCH_CPUPROFILE="+filepath.Join(o.cpuProfile, fmt.Sprintf("%s-n%d", p.name, n)))
		}
		code, mem, cpu, out, err := runCLI(cli, dir, penv, p.args)
		wall := time.Since(start)
		after := countObjects(api, zone.ID)
		if o.verbose {
			_, _ = os.Stderr.Write(out)
		}
		if o.timeline {
			counter.mu.Lock()
			fmt.Fprintf(os.Stderr, "N=%d %s: requests (arrived, answered, since the command started; wall %s):\n  %s\n", n, p.name,
				wall.Round(time.Millisecond), strings.Join(counter.lines, "\n  "))
			counter.mu.Unlock()
		}
		results = append(results, result{
			n: n, phase: p.name, total: api.Total(), counts: api.Counts(),
			status429: counter.s429.Load(), status5xx: counter.s5xx.Load(),
			window: api.MaxInWindow(5 * time.Minute), wall: wall, cpu: cpu, rss: mem,
			created: objects{max(0, after.records-before.records), max(0, after.apps-before.apps), max(0, after.policies-before.policies)},
		})
		all = append(all, api.RequestTimes()...)
		if err != nil {
			return results, err
		}
		if !p.ok(code) {
			_, _ = os.Stderr.Write(out)
			return results, fmt.Errorf("%s exited with %d", p.name, code)
		}
	}
	if left := countObjects(api, zone.ID); left.total() != 0 {
		return results, fmt.Errorf("left after destroy: %d DNS records, %d Access applications, %d policies", left.records, left.apps, left.policies)
	}
	results = append(results, result{n: n, phase: "all phases", window: maxInWindow(all, 5*time.Minute)})
	return results, nil
}

// rss is a provider's peak RSS and peak anonymous RSS in KiB.
type rss struct{ hwm, anon int64 }

// runCLI runs one CLI command and polls the peak RSS (VmHWM) and the CPU
// time of the provider processes it starts. A process's CPU time is the
// last value seen before it exited, so up to one poll (20 ms) of its
// last moments may be missed.
func runCLI(cli, dir string, env, args []string) (int, rss, time.Duration, []byte, error) {
	cmd := exec.Command(cli, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return 0, rss{}, 0, nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	var peak, peakAnon atomic.Int64
	var cpuMu sync.Mutex
	cpuByPID := map[int]time.Duration{}
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, pid := range proctree.Children(cmd.Process.Pid, providerBinary) {
				hwm, anon := memory(pid)
				if hwm > peak.Load() {
					peak.Store(hwm)
				}
				if anon > peakAnon.Load() {
					peakAnon.Store(anon)
				}
				if t, ok := cpuTime(pid); ok {
					cpuMu.Lock()
					cpuByPID[pid] = max(cpuByPID[pid], t)
					cpuMu.Unlock()
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	err := cmd.Wait()
	stop()
	wg.Wait()
	var cpu time.Duration
	for _, t := range cpuByPID {
		cpu += t
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), rss{peak.Load(), peakAnon.Load()}, cpu, out.Bytes(), nil
	}
	return 0, rss{peak.Load(), peakAnon.Load()}, cpu, out.Bytes(), err
}

// clockTick is the unit of /proc/<pid>/stat's times (USER_HZ), 100 on
// every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// cpuTime reads a process's user + system time (utime and stime, the 14th
// and 15th fields of /proc/<pid>/stat).
func cpuTime(pid int) (time.Duration, bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces; the fields after it
	// start at the third.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * clockTick, true
}

// memory reads a process's peak RSS (VmHWM) and its current anonymous
// RSS (heap and stacks, without the mapped binary), in KiB.
func memory(pid int) (hwm, anon int64) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		key, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch key {
		case "VmHWM":
			hwm = kib
		case "RssAnon":
			anon = kib
		}
	}
	return hwm, anon
}

func maxInWindow(times []time.Time, window time.Duration) int {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, lo := 0, 0
	for hi, t := range times {
		for t.Sub(times[lo]) >= window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

func printTable(results []result) {
	fmt.Println("| N | phase | requests | 429 | 5xx | max in 5 min | wall | provider CPU | provider peak RSS | of which anonymous |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		if r.phase == "all phases" {
			fmt.Printf("| %d | all phases | | | | %d | | | | |\n", r.n, r.window)
			continue
		}
		fmt.Printf("| %d | %s | %d | %d | %d | %d | %s | %.2f s | %.1f MiB | %.1f MiB |\n", r.n, r.phase, r.total, r.status429, r.status5xx, r.window,
			r.wall.Round(100*time.Millisecond), r.cpu.Seconds(), float64(r.rss.hwm)/1024, float64(r.rss.anon)/1024)
	}
	fmt.Println()
	fmt.Println("Objects created (and the POST requests that created them):")
	for _, r := range results {
		if c := r.created; c.total() > 0 {
			fmt.Printf("  N=%d %s: %d objects (DNS records %d, Access applications %d, Access policies %d) in %d POSTs\n",
				r.n, r.phase, c.total(), c.records, c.apps, c.policies, posts(r.counts))
		}
	}
	fmt.Println()
	fmt.Println("Requests by endpoint:")
	for _, r := range results {
		if r.counts == nil {
			continue
		}
		keys := slices.Sorted(maps.Keys(r.counts))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s=%d", k, r.counts[k])
		}
		fmt.Printf("  N=%d %s: %s\n", r.n, r.phase, strings.Join(parts, ", "))
	}
}

// posts counts the creating requests: POSTs, including DNS batches.
func posts(counts map[string]int) int {
	n := 0
	for k, c := range counts {
		if strings.HasPrefix(k, "POST ") {
			n += c
		}
	}
	return n
}
