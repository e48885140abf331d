package backupplan_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
	"github.com/homelab-tf/terraform-provider-homelab/internal/restic/restictest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const addr = "homelab_backup_plan.p"

// What op:// references resolve to in these tests.
const (
	refPassword = "op://homelab/restic/password"
	refWrong    = "op://homelab/restic/old-password"
	refEnv      = "op://homelab/b2/application key"
	password    = "restic-Pw-3b9e61c0d2a4"
	wrongPass   = "stale-Pw-77f0c2a9e1"
	envSecret   = "b2-Key-K004d8f1a2b3c"
)

var testSecrets = secrets.Static{refPassword: password, refWrong: wrongPass, refEnv: envSecret}

var factories = map[string]func() (tfprotov6.ProviderServer, error){
	"homelab": func() (tfprotov6.ProviderServer, error) {
		return provider.NewServer(provider.NewWithResolver("acctest", testSecrets))(), nil
	},
}

func secretValues() []string { return []string{password, wrongPass, envSecret} }

// resticCmd runs the real restic against repo with the test password, for
// set-up and checks outside the provider.
func resticCmd(t *testing.T, repo string, args ...string) []byte {
	t.Helper()
	cmd := restictest.Command(t, []string{"RESTIC_PASSWORD=" + password}, append([]string{"--repo", repo, "--no-cache"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(interface{ Stderr() []byte }); ok {
			stderr = string(ee.Stderr())
		}
		t.Fatalf("restic %s: %v %s", strings.Join(args, " "), err, stderr)
	}
	return out
}

func repoID(t *testing.T, repo string) string {
	t.Helper()
	var c struct{ ID string }
	if err := json.Unmarshal(resticCmd(t, repo, "cat", "config", "--json"), &c); err != nil || len(c.ID) != 64 {
		t.Fatalf("restic cat config: %q, %v", c.ID, err)
	}
	return c.ID
}

type snapshot struct {
	ID    string   `json:"id"`
	Paths []string `json:"paths"`
	Tags  []string `json:"tags"`
	Host  string   `json:"hostname"`
}

func snapshots(t *testing.T, repo string) []snapshot {
	t.Helper()
	var s []snapshot
	if err := json.Unmarshal(resticCmd(t, repo, "snapshots", "--json"), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// snapshotFiles lists the file paths of a snapshot.
func snapshotFiles(t *testing.T, repo, id string) []string {
	t.Helper()
	var files []string
	for _, line := range strings.Split(string(resticCmd(t, repo, "ls", "--json", id)), "\n") {
		var n struct {
			StructType string `json:"struct_type"`
			Type       string `json:"type"`
			Path       string `json:"path"`
		}
		if json.Unmarshal([]byte(line), &n) == nil && n.StructType == "node" && n.Type == "file" {
			files = append(files, n.Path)
		}
	}
	sort.Strings(files)
	return files
}

// stateList reads a list attribute of the resource from state.
func stateList(st *terraform.State, name string) ([]string, error) {
	rs, ok := st.RootModule().Resources[addr]
	if !ok {
		return nil, fmt.Errorf("%s not in state", addr)
	}
	n := rs.Primary.Attributes[name+".#"]
	var out []string
	for i := 0; fmt.Sprint(i) != n; i++ {
		if i > 1000 {
			return nil, fmt.Errorf("%s.# = %q", name, n)
		}
		out = append(out, rs.Primary.Attributes[fmt.Sprintf("%s.%d", name, i)])
	}
	return out, nil
}

// runArgv runs a rendered command with the repository's environment: the
// password, and nothing of the test process but PATH.
func runArgv(t *testing.T, argv []string, dir string) error {
	t.Helper()
	cmd := restictest.Command(t, []string{"RESTIC_PASSWORD=" + password, "RESTIC_CACHE_DIR=" + filepath.Join(dir, ".cache")}, argv[1:]...)
	cmd.Path = argv[0]
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}

// writeTree makes files under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// noSecretsInPlan fails when a secret shows up anywhere in the plan JSON.
type noSecretsInPlan struct{}

func (noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	for _, v := range secretValues() {
		if strings.Contains(string(raw), v) {
			resp.Error = fmt.Errorf("a secret value appears in the plan JSON")
			return
		}
	}
}

// noSecretsInState fails when a secret shows up in any state attribute,
// the rendered commands and Backrest JSON included.
func noSecretsInState(st *terraform.State) error {
	for _, rs := range st.RootModule().Resources {
		for k, attr := range rs.Primary.Attributes {
			for _, v := range secretValues() {
				if strings.Contains(attr, v) {
					return fmt.Errorf("state attribute %s of %s holds a secret value", k, rs.Primary.ID)
				}
			}
		}
	}
	return nil
}

// checkLogs fails when the trace log lacks the resource (the check would
// prove nothing) or holds a secret.
func checkLogs(t *testing.T, logFile string, mustContain ...string) {
	t.Helper()
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append([]string{"homelab_backup_plan", "running restic"}, mustContain...) {
		if !strings.Contains(string(logs), s) {
			t.Fatalf("the trace log (%d bytes) does not mention %q; the secrecy check would prove nothing", len(logs), s)
		}
	}
	for _, v := range secretValues() {
		if strings.Contains(string(logs), v) {
			for _, line := range strings.Split(string(logs), "\n") {
				if strings.Contains(line, v) {
					t.Errorf("a secret appears in the trace log: %.300s", strings.ReplaceAll(line, v, "<SECRET>"))
					break
				}
			}
		}
	}
}
