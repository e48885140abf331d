package bootstrapsecret_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

const addr = "homelab_bootstrap_secret.s"

func providerConfig(cluster *acctest.Cluster) string {
	return "provider \"homelab\" {\n  " + cluster.ProviderBlock() + "\n}\n"
}

func liveSecret(t *testing.T, ns, name string) *corev1.Secret {
	t.Helper()
	cluster := acctest.KubeWithoutCRDs(t)
	s, err := cluster.Clientset.CoreV1().Secrets(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading secret %s/%s: %v", ns, name, err)
	}
	return s
}

// noSecretsInPlan fails when any of the values shows up in what the plan
// JSON says about values: planned values, resource changes, prior state.
// (Its configuration section repeats the test's own literal HCL.)
type noSecretsInPlan struct{ values func() []string }

func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal([]any{req.Plan.PlannedValues, req.Plan.ResourceChanges, req.Plan.PriorState, req.Plan.OutputChanges, req.Plan.ResourceDrift})
	if err != nil {
		resp.Error = err
		return
	}
	for _, v := range c.values() {
		if v != "" && strings.Contains(string(raw), v) {
			resp.Error = fmt.Errorf("a secret value appears in the plan JSON")
			return
		}
	}
}

// noSecretsInState fails when any value shows up in any state attribute.
func noSecretsInState(values func() []string) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		for _, rs := range st.RootModule().Resources {
			for k, attr := range rs.Primary.Attributes {
				for _, v := range values() {
					if v != "" && strings.Contains(attr, v) {
						return fmt.Errorf("state attribute %s of %s holds a secret value", k, rs.Primary.ID)
					}
				}
			}
		}
		return nil
	}
}

func TestAccBootstrapSecret_lifecycle(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	ns := cluster.Namespace(t, "bootstrap")
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	var generated map[string]string
	secretsSeen := func() []string {
		out := []string{"wo-Value-One-9f2c", "wo-Value-Two-31aa", acctest.Secrets["op://homelab/infisical/db_password"]}
		for _, v := range generated {
			out = append(out, v)
		}
		return out
	}
	config := func(version int, extra string) string {
		return providerConfig(cluster) + fmt.Sprintf(`
resource "homelab_bootstrap_secret" "s" {
  name            = "infisical-secrets"
  namespace       = %q
  labels          = { "app.kubernetes.io/part-of" = "homelab" }
  data_wo         = { CLIENT_ID = "%s" }
  data_wo_version = %d
  references      = { DB_PASSWORD = "op://homelab/infisical/db_password" }
  generate = {
    ENCRYPTION_KEY = { length = 16, encoding = "hex" }
    AUTH_SECRET    = { length = 32, encoding = "base64" }
  }
  %s
}`, ns, map[int]string{1: "wo-Value-One-9f2c", 2: "wo-Value-Two-31aa"}[version], version, extra)
	}
	remember := func(*terraform.State) error {
		s := liveSecret(t, ns, "infisical-secrets")
		generated = map[string]string{"ENCRYPTION_KEY": string(s.Data["ENCRYPTION_KEY"]), "AUTH_SECRET": string(s.Data["AUTH_SECRET"])}
		if len(generated["ENCRYPTION_KEY"]) != 32 || len(generated["AUTH_SECRET"]) != 44 {
			return fmt.Errorf("generated lengths %d and %d, want 32 hex and 44 base64 characters", len(generated["ENCRYPTION_KEY"]), len(generated["AUTH_SECRET"]))
		}
		return nil
	}
	expectData := func(want map[string]string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			s := liveSecret(t, ns, "infisical-secrets")
			for k, v := range want {
				if string(s.Data[k]) != v {
					return fmt.Errorf("key %s has an unexpected value", k)
				}
			}
			return nil
		}
	}
	generatedUnchanged := func(*terraform.State) error {
		return expectData(generated)(nil)
	}
	planChecks := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action), noSecretsInPlan{secretsSeen}},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{secretsSeen}},
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:           config(1, ""),
				ConfigPlanChecks: planChecks(plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(ns+"/infisical-secrets")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("keys"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("AUTH_SECRET"), knownvalue.StringExact("CLIENT_ID"),
						knownvalue.StringExact("DB_PASSWORD"), knownvalue.StringExact("ENCRYPTION_KEY")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("data_wo"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(remember,
					expectData(map[string]string{"CLIENT_ID": "wo-Value-One-9f2c", "DB_PASSWORD": acctest.Secrets["op://homelab/infisical/db_password"]}),
					noSecretsInState(secretsSeen)),
			},
			{
				// Bumping the version sends data_wo again; generated values stay.
				Config:           config(2, ""),
				ConfigPlanChecks: planChecks(plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(generatedUnchanged,
					expectData(map[string]string{"CLIENT_ID": "wo-Value-Two-31aa"}), noSecretsInState(secretsSeen)),
			},
			{
				// Someone else writes a key; then a value is edited out of band.
				PreConfig: func() {
					s := liveSecret(t, ns, "infisical-secrets")
					s.Data["FOREIGN"] = []byte("kept")
					s.Data["DB_PASSWORD"] = []byte("tampered")
					if _, err := cluster.Clientset.CoreV1().Secrets(ns).Update(context.Background(), s, metav1.UpdateOptions{FieldManager: "someone-else"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config(2, ""),
				ConfigPlanChecks: planChecks(plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(generatedUnchanged,
					expectData(map[string]string{"DB_PASSWORD": acctest.Secrets["op://homelab/infisical/db_password"], "FOREIGN": "kept"})),
			},
			{
				// A generated key deleted in the cluster is made again, alone.
				PreConfig: func() {
					s := liveSecret(t, ns, "infisical-secrets")
					delete(s.Data, "AUTH_SECRET")
					if _, err := cluster.Clientset.CoreV1().Secrets(ns).Update(context.Background(), s, metav1.UpdateOptions{FieldManager: "someone-else"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config(2, ""),
				ConfigPlanChecks: planChecks(plancheck.ResourceActionUpdate),
				Check: func(*terraform.State) error {
					s := liveSecret(t, ns, "infisical-secrets")
					if string(s.Data["ENCRYPTION_KEY"]) != generated["ENCRYPTION_KEY"] {
						return fmt.Errorf("ENCRYPTION_KEY was generated again")
					}
					if len(s.Data["AUTH_SECRET"]) != 44 || string(s.Data["AUTH_SECRET"]) == generated["AUTH_SECRET"] {
						return fmt.Errorf("AUTH_SECRET was not generated again")
					}
					generated["AUTH_SECRET"] = string(s.Data["AUTH_SECRET"])
					if string(s.Data["FOREIGN"]) != "kept" {
						return fmt.Errorf("the foreign key was removed")
					}
					return nil
				},
			},
			{
				// Add a key and drop another from generate.
				Config: strings.Replace(config(2, ""), `AUTH_SECRET    = { length = 32, encoding = "base64" }`,
					`API_TOKEN      = { length = 24, encoding = "alphanumeric" }`, 1),
				ConfigPlanChecks: planChecks(plancheck.ResourceActionUpdate),
				Check: func(*terraform.State) error {
					s := liveSecret(t, ns, "infisical-secrets")
					if _, ok := s.Data["AUTH_SECRET"]; ok {
						return fmt.Errorf("the removed key AUTH_SECRET is still in the Secret")
					}
					if !regexp.MustCompile(`^[A-Za-z0-9]{24}$`).Match(s.Data["API_TOKEN"]) {
						return fmt.Errorf("API_TOKEN is not 24 alphanumeric characters")
					}
					generated["API_TOKEN"] = string(s.Data["API_TOKEN"])
					if string(s.Data["FOREIGN"]) != "kept" {
						return fmt.Errorf("the foreign key was removed")
					}
					return nil
				},
			},
			{
				// The whole Secret deleted out of band is created again.
				PreConfig: func() {
					if err := cluster.Clientset.CoreV1().Secrets(ns).Delete(context.Background(), "infisical-secrets", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: strings.Replace(config(2, ""), `AUTH_SECRET    = { length = 32, encoding = "base64" }`,
					`API_TOKEN      = { length = 24, encoding = "alphanumeric" }`, 1),
				ConfigPlanChecks: planChecks(plancheck.ResourceActionCreate),
				Check: resource.ComposeTestCheckFunc(
					expectData(map[string]string{"CLIENT_ID": "wo-Value-Two-31aa", "DB_PASSWORD": acctest.Secrets["op://homelab/infisical/db_password"]}),
					func(*terraform.State) error {
						generated["API_TOKEN2"] = string(liveSecret(t, ns, "infisical-secrets").Data["API_TOKEN"])
						generated["ENCRYPTION_KEY2"] = string(liveSecret(t, ns, "infisical-secrets").Data["ENCRYPTION_KEY"])
						return nil
					}),
			},
			{
				ResourceName:                         addr,
				ImportState:                          true,
				ImportStateId:                        ns + "/infisical-secrets",
				ImportStateVerifyIdentifierAttribute: "id",
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["keys.#"] != "4" {
						return fmt.Errorf("imported state = %v", states)
					}
					return nil
				},
			},
		},
	})
	// Generated and resolved values never appear in trace logs (data_wo is
	// written in the test configuration, which the harness itself logs).
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "homelab_bootstrap_secret") {
		t.Fatalf("the trace log (%d bytes) does not mention the resource; the check would prove nothing", len(logs))
	}
	for name, v := range generated {
		if strings.Contains(string(logs), v) {
			t.Errorf("the generated value of %s appears in the trace log", name)
		}
	}
	if strings.Contains(string(logs), acctest.Secrets["op://homelab/infisical/db_password"]) {
		t.Error("a resolved 1Password value appears in the trace log")
	}
	if s, _ := cluster.Clientset.CoreV1().Secrets(ns).Get(context.Background(), "infisical-secrets", metav1.GetOptions{}); s != nil && s.Name != "" {
		if _, ok := s.Data["CLIENT_ID"]; ok {
			t.Error("destroy left the managed keys in the Secret")
		}
		if string(s.Data["FOREIGN"]) != "kept" {
			t.Error("destroy removed the foreign key")
		}
	}
}
