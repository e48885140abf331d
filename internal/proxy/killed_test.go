package proxy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/proctree"
)

const providerBinary = "terraform-provider-homelab"

// cliRun is a working directory for the real CLI with the provider built
// from this checkout as a separate process (dev_overrides), which is what
// killing the provider in the middle of an apply needs.
type cliRun struct {
	t   *testing.T
	cli string
	dir string
	env []string
}

func newCLIRun(t *testing.T, s *acctest.Sandbox, body string) *cliRun {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	acctest.PreCheck(t)
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		var err error
		if cli, err = exec.LookPath("terraform"); err != nil {
			t.Fatalf("no CLI: set TF_ACC_TERRAFORM_PATH (%v)", err)
		}
	}
	dir := t.TempDir()
	providerDir := filepath.Join(dir, "provider")
	build := exec.Command("go", "build", "-o", filepath.Join(providerDir, providerBinary), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	config := fmt.Sprintf(`terraform {
  required_providers {
    homelab = { source = "homelab-tf/homelab" }
  }
}

provider "homelab" {
  domain      = %q
  host_prefix = %q
  cloudflare  = { requests_per_second = 50 }
  access      = { allowed_emails = [%q] }
}
`, acctest.Domain, acctest.HostPrefix, acctest.Email) + body
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	tfrc := filepath.Join(dir, "cli.tfrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", "homelab-tf/homelab", providerDir)
	if err := os.WriteFile(tfrc, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	// The token reaches the provider through the environment only.
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+tfrc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"CLOUDFLARE_API_TOKEN="+s.API.Token(), "CLOUDFLARE_ACCOUNT_ID="+s.API.AccountID(),
		"CLOUDFLARE_TUNNEL_ID="+s.Tunnel.ID, "CLOUDFLARE_BASE_URL="+s.URL)
	return &cliRun{t: t, cli: cli, dir: dir, env: env}
}

func (r *cliRun) command(args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(r.cli, args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// run runs a command to its end and returns its exit code.
func (r *cliRun) run(args ...string) (int, string) {
	r.t.Helper()
	cmd, out := r.command(args...)
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String()
	case err != nil:
		r.t.Fatalf("%s %v: %v", r.cli, args, err)
	}
	return 0, out.String()
}

// TestAccProxy_killedApplyConverges kills the provider process in the
// middle of applying 30 proxies, then applies again: everything ends up
// present exactly once (adopted, not duplicated) and the next plan is
// empty.
func TestAccProxy_killedApplyConverges(t *testing.T) {
	t.Parallel()
	const n = 30
	s := acctest.NewSandbox(t)
	// Slow enough that the kill lands in the middle of the apply.
	s.API.SetFaults(cfsandbox.Faults{Latency: 20 * time.Millisecond})
	r := newCLIRun(t, s, fmt.Sprintf(`
resource "homelab_proxy" "svc" {
  count   = %d
  name    = "svc${count.index}"
  service = "http://127.0.0.1:${9000 + count.index}"
}
`, n))

	cmd, out := r.command("apply", "-auto-approve", "-input=false", "-parallelism=10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	killed := 0
	deadline := time.Now().Add(2 * time.Minute)
	for killed == 0 && time.Now().Before(deadline) {
		// Past the first wave of 10, in the middle of the second.
		if s.API.Counts()[keyCreateApp] >= 15 {
			for _, pid := range proctree.Children(cmd.Process.Pid, providerBinary) {
				if syscall.Kill(pid, syscall.SIGKILL) == nil {
					killed++
				}
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	err := cmd.Wait()
	if killed == 0 {
		t.Fatalf("the provider was never killed (apply ended with %v):\n%s", err, out)
	}
	if err == nil {
		t.Fatalf("apply succeeded although its provider was killed:\n%s", out)
	}
	ctx := context.Background()
	all, _ := s.Client.ListDNSRecords(ctx, s.Zone.ID, cloudflare.DNSFilter{})
	recs := cnames(all) // without the lock record the killed provider may have held
	apps, _ := s.Client.ListAccessApps(ctx)
	t.Logf("after the kill: %d records, %d Access applications of %d proxies", len(recs), len(apps), n)
	if len(recs) >= n || len(apps) <= len(recs) {
		t.Fatalf("the kill did not land mid-way: %d records and %d Access applications of %d proxies", len(recs), len(apps), n)
	}

	s.API.ResetCounts()
	if code, log := r.run("apply", "-auto-approve", "-input=false", "-parallelism=10"); code != 0 {
		t.Fatalf("second apply exited with %d:\n%s", code, log)
	}
	t.Logf("second apply: %d requests: %v", s.API.Total(), s.API.Counts())
	if err := checkExactlyOnce(s, n, 9000); err != nil {
		t.Fatal(err)
	}
	if code, log := r.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the second apply exited with %d, want 0 (empty plan):\n%s", code, log)
	}
	if code, log := r.run("destroy", "-auto-approve", "-input=false"); code != 0 {
		t.Fatalf("destroy exited with %d:\n%s", code, log)
	}
	if recs := s.API.DNSRecords(s.Zone.ID); len(recs) != 0 {
		t.Errorf("%d records left after destroy", len(recs))
	}
}
