package tunneltoken_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
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

// claims are the parts of a cloudflared token.
type claims struct {
	A string `json:"a"`
	T string `json:"t"`
	S string `json:"s"`
}

// secrets remembers every token and tunnel secret the test has seen, to
// look for them where they must not be.
type secrets struct{ values []string }

func (s *secrets) add(token string, c claims) { s.values = append(s.values, token, c.S) }

func (s *secrets) findIn(what, text string) error {
	for _, v := range s.values {
		if v != "" && strings.Contains(text, v) {
			return fmt.Errorf("a token or tunnel secret appears in %s", what)
		}
	}
	return nil
}

// noSecretsInPlan looks at what the plan JSON says about values.
type noSecretsInPlan struct{ seen *secrets }

func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal([]any{req.Plan.PlannedValues, req.Plan.ResourceChanges, req.Plan.PriorState, req.Plan.OutputChanges, req.Plan.ResourceDrift})
	if err != nil {
		resp.Error = err
		return
	}
	resp.Error = c.seen.findIn("the plan JSON", string(raw))
}

// noSecretsInState looks at the harness's view of the state and at the
// state file as written (private state included), for the values and
// their common digests and encodings.
func noSecretsInState(seen *secrets, file *acctest.StateFile) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		raw, err := file.Read()
		if err != nil {
			return err
		}
		if err := acctest.NothingDerivedFrom(raw, seen.values...); err != nil {
			return err
		}
		for addr, rs := range st.RootModule().Resources {
			for k, v := range rs.Primary.Attributes {
				if err := seen.findIn("state attribute "+k+" of "+addr, v); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// TestAccTunnelToken_cloudflaredSecret makes a tunnel and writes its
// ephemeral token into a Secret on the real control plane, then rotates the
// secret and writes the new token: the Secret's token decodes to the
// account, the tunnel and its current secret, and neither token nor secret
// is in state, plan JSON or the trace log.
func TestAccTunnelToken_cloudflaredSecret(t *testing.T) {
	cluster := acctest.Kube(t)
	ns := cluster.Namespace(t, "cloudflared")
	s := acctest.NewSandbox(t)
	stateFile := acctest.NewStateFile(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	seen := &secrets{}

	config := func(version int) string {
		return s.ProviderConfigTokenFromEnvWith(t, cluster.ProviderBlock()) + fmt.Sprintf(`
resource "homelab_tunnel" "t" {
  name           = "lab"
  secret_version = %[1]d
}

ephemeral "homelab_tunnel_token" "t" {
  tunnel_id = homelab_tunnel.t.id
}

resource "homelab_bootstrap_secret" "cloudflared" {
  name            = "cloudflared-token"
  namespace       = %[2]q
  data_wo         = { TUNNEL_TOKEN = ephemeral.homelab_tunnel_token.t.token }
  data_wo_version = homelab_tunnel.t.secret_version
}
`, version, ns)
	}
	// checkSecret decodes the Secret's token and compares it with the
	// account, the tunnel in state and the token the API mints now.
	var previous claims
	checkSecret := func(st *terraform.State) error {
		sec, err := cluster.Clientset.CoreV1().Secrets(ns).Get(context.Background(), "cloudflared-token", metav1.GetOptions{})
		if err != nil {
			return err
		}
		token := string(sec.Data["TUNNEL_TOKEN"])
		raw, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			return fmt.Errorf("the Secret's TUNNEL_TOKEN is not base64")
		}
		var c claims
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("the Secret's TUNNEL_TOKEN does not hold JSON")
		}
		seen.add(token, c)
		id := st.RootModule().Resources["homelab_tunnel.t"].Primary.ID
		if c.A != s.API.AccountID() || c.T != id {
			return fmt.Errorf("the token is for account %q tunnel %q, want %q %q", c.A, c.T, s.API.AccountID(), id)
		}
		if b, err := base64.StdEncoding.DecodeString(c.S); err != nil || len(b) < 32 {
			return fmt.Errorf("the token's secret is not 32 bytes of base64")
		}
		current, err := s.Client.TunnelToken(context.Background(), id)
		if err != nil {
			return err
		}
		if current != token {
			return fmt.Errorf("the Secret does not hold the tunnel's current token")
		}
		if previous.S != "" && previous.S == c.S {
			return fmt.Errorf("the rotation did not reach the Secret")
		}
		previous = c
		return nil
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{noSecretsInPlan{seen}, plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(checkSecret, noSecretsInState(seen, stateFile)),
			},
			{
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						noSecretsInPlan{seen},
						plancheck.ExpectResourceAction("homelab_tunnel.t", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("homelab_bootstrap_secret.cloudflared", plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{noSecretsInPlan{seen}, plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(checkSecret, noSecretsInState(seen, stateFile)),
			},
		},
	})
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	if !strings.Contains(string(logs), "cfd_tunnel") || !strings.Contains(string(logs), "/token") {
		t.Fatalf("the trace log (%d bytes) shows no token request; the check below would prove nothing", len(logs))
	}
	if len(seen.values) < 4 {
		t.Fatalf("saw %d tokens and secrets, want 4", len(seen.values))
	}
	if err := seen.findIn("the TF_LOG=trace output", string(logs)); err != nil {
		t.Error(err)
	}
}

func TestAccTunnelToken_unknownTunnel(t *testing.T) {
	s := acctest.NewSandbox(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: s.ProviderConfig("") + `
ephemeral "homelab_tunnel_token" "t" {
  tunnel_id = "00000000-0000-4000-8000-000000000000"
}
`,
			ExpectError: regexp.MustCompile(`Error Reading Token of Tunnel 00000000-0000-4000-8000-000000000000`),
		}},
	})
}
