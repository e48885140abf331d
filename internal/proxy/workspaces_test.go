package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

// Several states on one tunnel: separate CLI processes, each with its own
// state and its own provider process, which share nothing but the API.

const handHost = "hand-written.example.com"

// workspaces makes k CLI working directories (separate states) of n
// proxies each on the sandbox's tunnel, named w<k>svc<i>.
func workspaces(t *testing.T, s *acctest.Sandbox, k, n int) []*cliRun {
	t.Helper()
	runs := make([]*cliRun, k)
	for w := range k {
		runs[w] = newCLIRun(t, s, fmt.Sprintf(`
resource "homelab_proxy" "svc" {
  count   = %d
  name    = "w%dsvc${count.index}"
  service = "http://127.0.0.1:${%d + count.index}"
}
`, n, w, 9000+100*w))
	}
	return runs
}

func workspaceHost(w, i int) string { return fmt.Sprintf("w%dsvc%d-home.example.com", w, i) }

// writeHandRule adds a rule to the tunnel as a person would, with the API
// and no lock.
func writeHandRule(t *testing.T, s *acctest.Sandbox, host string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := s.Client.GetTunnelConfig(ctx, s.Tunnel.ID)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ingress.Parse(cfg.Document)
	if err != nil {
		t.Fatal(err)
	}
	doc.Upsert(ingress.Rule{Hostname: host, Service: "http://192.0.2.10:8080"})
	doc.Normalize()
	next, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client.PutTunnelConfig(ctx, s.Tunnel.ID, next); err != nil {
		t.Fatal(err)
	}
}

// inParallel runs the same command in every working directory at once and
// fails the test for any that does not exit 0.
func inParallel(t *testing.T, runs []*cliRun, args ...string) {
	t.Helper()
	codes, logs := make([]int, len(runs)), make([]string, len(runs))
	var wg sync.WaitGroup
	for w, r := range runs {
		wg.Go(func() { codes[w], logs[w] = r.run(args...) })
	}
	wg.Wait()
	for w := range runs {
		if codes[w] != 0 {
			t.Fatalf("workspace %d: %s exited with %d:\n%s", w, strings.Join(args, " "), codes[w], logs[w])
		}
	}
}

// checkTunnelRules verifies that the tunnel holds exactly the rules of
// hosts, once each, and the catch-all last.
func checkTunnelRules(t *testing.T, s *acctest.Sandbox, hosts []string) {
	t.Helper()
	doc, _, _ := s.API.TunnelConfig(s.Tunnel.ID)
	parsed, err := ingress.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i, r := range parsed.Rules {
		if r.IsCatchAll() {
			if i != len(parsed.Rules)-1 {
				t.Errorf("catch-all at %d of %d rules, want it last", i, len(parsed.Rules))
			}
			continue
		}
		seen[r.Hostname]++
	}
	lost := 0
	for _, h := range hosts {
		if seen[h] != 1 {
			lost++
			t.Errorf("%s: %d rules, want 1", h, seen[h])
		}
		delete(seen, h)
	}
	if len(seen) > 0 {
		t.Errorf("rules nobody wrote or left behind: %v", seen)
	}
	if last := len(parsed.Rules) - 1; last < 0 || !parsed.Rules[last].IsCatchAll() {
		t.Errorf("no catch-all last in %d rules", len(parsed.Rules))
	}
	t.Logf("%d of %d rules lost", lost, len(hosts))
}

// cnames drops the records that are not proxies' (a document lock's TXT
// record, say).
func cnames(recs []cloudflare.DNSRecord) []cloudflare.DNSRecord {
	var out []cloudflare.DNSRecord
	for _, r := range recs {
		if r.Type == "CNAME" {
			out = append(out, r)
		}
	}
	return out
}

// TestAccProxy_workspacesShareTunnel: with a rule written by hand
// beforehand, three CLI processes with three states apply 30 proxies each
// to one tunnel at once; every rule is there, the catch-all last, and every
// next plan is empty. Then all three destroy at once: the hand rule and the
// catch-all remain. Three rounds.
func TestAccProxy_workspacesShareTunnel(t *testing.T) {
	t.Parallel()
	const k, n = 3, 30
	s := acctest.NewSandbox(t)
	// Requests take a little time, so that the three applies overlap.
	s.API.SetFaults(cfsandbox.Faults{Latency: 5 * time.Millisecond})
	writeHandRule(t, s, handHost)
	runs := workspaces(t, s, k, n)
	all := []string{handHost}
	for w := range k {
		for i := range n {
			all = append(all, workspaceHost(w, i))
		}
	}
	for round := range 3 {
		t.Logf("round %d", round+1)
		inParallel(t, runs, "apply", "-auto-approve", "-input=false", "-parallelism=10")
		checkTunnelRules(t, s, all)
		inParallel(t, runs, "plan", "-input=false", "-detailed-exitcode")
		inParallel(t, runs, "destroy", "-auto-approve", "-input=false", "-parallelism=10")
		checkTunnelRules(t, s, []string{handHost})
		if recs := s.API.DNSRecords(s.Zone.ID); len(recs) != 0 {
			t.Errorf("round %d: %d records left after the destroys (locks included), want 0: %+v", round+1, len(recs), recs)
		}
		if t.Failed() {
			return
		}
	}
}

// TestAccProxy_killedLockHolder: three workspaces apply at once and the
// provider process holding the tunnel's document lock is killed while it
// holds it. The other two wait for the lock's lease to end, then proceed;
// the killed workspace's next apply converges; nothing is lost.
func TestAccProxy_killedLockHolder(t *testing.T) {
	t.Parallel()
	const k, n = 3, 10
	s := acctest.NewSandbox(t)
	// Slow enough that a poll sees the lock held.
	s.API.SetFaults(cfsandbox.Faults{Latency: 30 * time.Millisecond})
	writeHandRule(t, s, handHost)
	runs := workspaces(t, s, k, n)

	type result struct {
		code int
		log  string
	}
	results := make([]result, k)
	var wg sync.WaitGroup
	for w, r := range runs {
		wg.Go(func() {
			results[w].code, results[w].log = r.run("apply", "-auto-approve", "-input=false", "-parallelism=10")
		})
	}
	// The lock record's comment names the provider process that holds it.
	var killedPID int
	var killedAt time.Time
	ctx := context.Background()
	for deadline := time.Now().Add(time.Minute); killedPID == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, rec := range s.API.DNSRecords(s.Zone.ID) {
			if rec.Type != "TXT" || rec.Comment == nil {
				continue
			}
			_, holder, found := strings.Cut(*rec.Comment, "/pid ")
			var pid int
			if _, err := fmt.Sscanf(holder, "%d", &pid); found && err == nil && pid > 0 {
				if syscall.Kill(pid, syscall.SIGKILL) == nil {
					killedPID, killedAt = pid, time.Now()
				}
				break
			}
		}
	}
	wg.Wait()
	if killedPID == 0 {
		t.Fatal("no lock holder was seen to kill")
	}
	failed := -1
	for w, res := range results {
		switch {
		case res.code == 0:
		case failed < 0:
			failed = w
		default:
			t.Fatalf("workspace %d failed too (exit %d), only the killed one may:\n%s", w, res.code, res.log)
		}
	}
	if failed < 0 {
		t.Fatal("every apply succeeded although a provider was killed")
	}
	// The others could only go on once the killed holder's lease (30 s)
	// had ended; they did, within the wait.
	t.Logf("killed provider %d (workspace %d); the others finished %s later", killedPID, failed, time.Since(killedAt).Round(time.Second))
	recs, _ := s.Client.ListDNSRecords(ctx, s.Zone.ID, cloudflare.DNSFilter{})
	t.Logf("after the kill: %d CNAMEs", len(cnames(recs)))

	if code, log := runs[failed].run("apply", "-auto-approve", "-input=false", "-parallelism=10"); code != 0 {
		t.Fatalf("the killed workspace's next apply exited with %d:\n%s", code, log)
	}
	all := []string{handHost}
	for w := range k {
		for i := range n {
			all = append(all, workspaceHost(w, i))
		}
	}
	checkTunnelRules(t, s, all)
	inParallel(t, runs, "plan", "-input=false", "-detailed-exitcode")
	inParallel(t, runs, "destroy", "-auto-approve", "-input=false")
	checkTunnelRules(t, s, []string{handHost})
}
