package bootstrapsecret_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// TestAccBootstrapSecret_badInput covers every rejection, each with the
// text a user would need to fix it.
func TestAccBootstrapSecret_badInput(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	t.Parallel()
	ns := cluster.Namespace(t, "bad-input")
	secret := func(body string) string {
		return providerConfig(cluster) + fmt.Sprintf(`
resource "homelab_bootstrap_secret" "s" {
  name      = "s"
  namespace = %q
  %s
}`, ns, body)
	}
	tests := []struct {
		name, config, want string
		planOnly           bool
	}{
		{"key in two sources", secret(`
  data_wo         = { TOKEN = "x" }
  data_wo_version = 1
  generate        = { TOKEN = { length = 8 } }`), `(?s)Key In Two Sources.*"TOKEN" is set in both data_wo and\s+generate`, true},
		{"invalid key", secret(`generate = { "bad key!" = { length = 8 } }`), `(?s)Invalid Secret Key.*"bad key!" is not a valid Secret key`, true},
		{"malformed reference", secret(`references = { DB = "op://homelab/only-item" }`), `(?s)Invalid 1Password Reference.*op://homelab/only-item.*op://<vault>/<item>\[/<section>\]/<field>`, true},
		{"unknown encoding", secret(`generate = { K = { length = 8, encoding = "base32" } }`), `(?s)encoding.*value must be one of`, true},
		{"unresolvable reference", secret(`references = { DB = "op://homelab/missing/password" }`), `(?s)Error Creating Bootstrap Secret.*op://homelab/missing/password.*not found`, false},
		{"missing namespace", providerConfig(cluster) + `
resource "homelab_bootstrap_secret" "s" {
  name      = "s"
  namespace = "does-not-exist"
  generate  = { K = { length = 8 } }
}`, `(?s)namespace "does-not-exist" does not\s+exist.*create_namespace = true`, false},
		{"unreachable cluster", `
provider "homelab" {
  kubernetes = { host = "https://127.0.0.1:1", insecure = true, token = "x" }
}
resource "homelab_bootstrap_secret" "s" {
  name      = "s"
  namespace = "default"
  generate  = { K = { length = 8 } }
}`, `(?s)Error Creating Bootstrap Secret default/s.*cannot reach the Kubernetes API server at\s+https://127\.0\.0\.1:1`, false},
	}
	t.Run("group", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				resource.Test(t, resource.TestCase{
					PreCheck:                 func() { acctest.PreCheck(t) },
					ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
					Steps:                    []resource.TestStep{{Config: tt.config, PlanOnly: tt.planOnly, ExpectError: regexp.MustCompile(tt.want)}},
				})
			})
		}
	})
}

// TestAccBootstrapSecret_ephemeralAndNamespace feeds the ephemeral
// homelab_secret into a write-only argument and creates the namespace; the
// write-only value, which no configuration text holds, must not reach the
// trace logs. It sets process environment, so it cannot run in parallel.
func TestAccBootstrapSecret_ephemeralAndNamespace(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	defer func() {
		if t.Skipped() { // without TF_ACC: no apply, no log
			return
		}
		logs, err := os.ReadFile(logFile)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(logs), "homelab_secret") {
			t.Fatalf("the trace log (%d bytes) does not mention homelab_secret; the check would prove nothing", len(logs))
		}
		if strings.Contains(string(logs), acctest.Secrets["op://homelab/eso/client_secret"]) {
			t.Error("the write-only value resolved by homelab_secret appears in the trace log")
		}
	}()
	ns := cluster.Namespace(t, "seed") + "-new"
	value := acctest.Secrets["op://homelab/eso/client_secret"]
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(cluster) + fmt.Sprintf(`
ephemeral "homelab_secret" "client_secret" {
  reference = "op://homelab/eso/client_secret"
}
resource "homelab_bootstrap_secret" "s" {
  name             = "infisical-machine-identity"
  namespace        = %q
  create_namespace = true
  data_wo          = { clientSecret = ephemeral.homelab_secret.client_secret.value }
  data_wo_version  = 1
}`, ns),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{noSecretsInPlan{func() []string { return []string{value} }}},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				noSecretsInState(func() []string { return []string{value} }),
				func(*terraform.State) error {
					s := liveSecret(t, ns, "infisical-machine-identity")
					if string(s.Data["clientSecret"]) != value {
						return fmt.Errorf("clientSecret does not hold the resolved value")
					}
					if _, err := cluster.Clientset.CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{}); err != nil {
						return fmt.Errorf("namespace not created: %v", err)
					}
					return nil
				},
			),
		}},
	})
}
