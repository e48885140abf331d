package service_test

import (
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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/service"
)

const infisicalAddr = "homelab_service.infisical"

// TestAccService_helmInfisical is the seed's Infisical Application: a Helm
// chart whose database passwords come from 1Password through the ephemeral
// homelab_secret into sensitive_values_wo. The passwords must reach the
// Application and nothing else: not the state, the plan JSON or the trace
// logs of the CLI and the provider. It sets process environment (TF_LOG),
// so it does not run in parallel.
func TestAccService_helmInfisical(t *testing.T) {
	cluster := acctest.Kube(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	argo := cluster.Namespace(t, "argocd-infisical")
	pg1 := acctest.Secrets["op://homelab/infisical/db_password"]
	pg2 := acctest.Secrets["op://homelab/argocd/repo token/password"]
	secretValues := []string{pg1, pg2, "tampered-Pass-0b9e"}

	config := func(replicas, version int, reference string) string {
		return providerConfig(cluster) + fmt.Sprintf(`
ephemeral "homelab_secret" "pg" {
  reference = %[4]q
}
resource "homelab_service" "infisical" {
  name             = "infisical"
  namespace        = "infisical"
  argocd_namespace = %[1]q
  project          = "secrets"
  component        = "secrets"
  sync_wave        = 0
  helm = {
    repo_url = "https://dl.cloudsmith.io/public/infisical/helm-charts/helm/charts/"
    chart    = "infisical-standalone"
    version  = "1.7.2"
    values = yamlencode({
      infisical  = { replicaCount = %[2]d, autoDatabaseSchemaMigration = true }
      postgresql = { enabled = true, auth = { username = "infisical", database = "infisicalDB" } }
    })
    sensitive_values_wo = yamlencode({
      postgresql = { auth = { password = ephemeral.homelab_secret.pg.value } }
      redis      = { auth = { password = ephemeral.homelab_secret.pg.value } }
    })
    sensitive_values_wo_version = %[3]d
  }
  sync_policy        = { automated = true, prune = true, self_heal = true, sync_options = ["CreateNamespace=true"] }
  ignore_differences = [{ group = "", kind = "Secret", json_pointers = ["/data"] }]
  proxy              = { port = 30445 }
  backup             = { paths = ["/var/lib/infisical"], excludes = ["/var/lib/infisical/cache"] }
}`, argo, replicas, version, reference)
	}
	values := func(o *unstructured.Unstructured) map[string]any {
		v, _, _ := unstructured.NestedMap(o.Object, "spec", "source", "helm", "valuesObject")
		return v
	}
	expectValues := func(replicas int64, password string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			o := liveApp(t, argo, "infisical")
			v := values(o)
			if got, _, _ := unstructured.NestedInt64(v, "infisical", "replicaCount"); got != replicas {
				return fmt.Errorf("replicaCount = %d, want %d", got, replicas)
			}
			// The deep merge keeps the non-sensitive siblings.
			if user, _, _ := unstructured.NestedString(v, "postgresql", "auth", "username"); user != "infisical" {
				return fmt.Errorf("postgresql.auth.username = %q: the merge lost it", user)
			}
			for _, p := range [][]string{{"postgresql", "auth", "password"}, {"redis", "auth", "password"}} {
				if got, _, _ := unstructured.NestedString(v, p...); got != password {
					return fmt.Errorf("%s does not hold the expected password", strings.Join(p, "."))
				}
			}
			if o.GetAnnotations()["argocd.argoproj.io/sync-wave"] != "0" || o.GetLabels()["app.kubernetes.io/component"] != "secrets" {
				return fmt.Errorf("annotations %v, labels %v", o.GetAnnotations(), o.GetLabels())
			}
			return nil
		}
	}
	planChecks := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(infisicalAddr, action), noSecretsInPlan{secretValues}},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{secretValues}},
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return appGone(cluster, argo, "infisical") },
		Steps: []resource.TestStep{
			{
				Config: config(1, 1, "op://homelab/infisical/db_password"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(infisicalAddr, plancheck.ResourceActionCreate), noSecretsInPlan{secretValues},
						plancheck.ExpectKnownValue(infisicalAddr, tfjsonpath.New("manifest"), knownvalue.StringRegexp(regexp.MustCompile(`password: \(sensitive value\)`))),
						plancheck.ExpectKnownValue(infisicalAddr, tfjsonpath.New("proxy").AtMapKey("service"), knownvalue.StringExact("http://127.0.0.1:30445")),
						plancheck.ExpectKnownValue(infisicalAddr, tfjsonpath.New("proxy").AtMapKey("hostname"), knownvalue.StringExact("infisical-home.example.com")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{secretValues}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(infisicalAddr, tfjsonpath.New("helm").AtMapKey("sensitive_values_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(infisicalAddr, tfjsonpath.New("manifest"), knownvalue.StringRegexp(regexp.MustCompile(`(?s)chart: infisical-standalone.*replicaCount: 1.*username: infisical`))),
					statecheck.ExpectKnownValue(infisicalAddr, tfjsonpath.New("backup").AtMapKey("excludes"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("/var/lib/infisical/cache")})),
				},
				Check: resource.ComposeTestCheckFunc(expectValues(1, pg1), noSecretsInState(secretValues...)),
			},
			{
				// New non-sensitive values, same version: the passwords in the
				// cluster are kept.
				Config:           config(2, 1, "op://homelab/infisical/db_password"),
				ConfigPlanChecks: planChecks(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(infisicalAddr, tfjsonpath.New("manifest"), knownvalue.StringRegexp(regexp.MustCompile(`replicaCount: 2`))),
				},
				Check: resource.ComposeTestCheckFunc(expectValues(2, pg1), noSecretsInState(secretValues...)),
			},
			{
				// A password changed in the cluster shows as changed in the
				// manifest (the other one does not), and the configured one is
				// sent again.
				PreConfig: func() {
					patchApp(t, argo, "infisical", "kubectl-edit", map[string]any{"spec": map[string]any{"source": map[string]any{"helm": map[string]any{
						"valuesObject": map[string]any{"postgresql": map[string]any{"auth": map[string]any{"password": "tampered-Pass-0b9e"}}},
					}}}})
				},
				Config: config(2, 1, "op://homelab/infisical/db_password"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(infisicalAddr, plancheck.ResourceActionUpdate), noSecretsInPlan{secretValues},
						manifestBefore{infisicalAddr, "password: " + service.RedactedChanged + "\n            username: infisical"},
						manifestBefore{infisicalAddr, "redis:\n          auth:\n            password: " + service.Redacted + "\n"},
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{secretValues}},
				},
				Check: resource.ComposeTestCheckFunc(expectValues(2, pg1), noSecretsInState(secretValues...)),
			},
			{
				// A new version sends the new value.
				Config:           config(2, 2, "op://homelab/argocd/repo token/password"),
				ConfigPlanChecks: planChecks(plancheck.ResourceActionUpdate),
				Check:            resource.ComposeTestCheckFunc(expectValues(2, pg2), noSecretsInState(secretValues...)),
			},
			{
				ResourceName:                         infisicalAddr,
				ImportState:                          true,
				ImportStateId:                        argo + "/infisical",
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				// Helm values are not imported (the cluster cannot tell the
				// sensitive ones apart); proxy, backup and wait_for are
				// settings of the resource only.
				ImportStateVerifyIgnore: []string{"helm.values", "helm.sensitive_values_wo_version", "manifest", "proxy", "backup", "wait_for"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["helm.values"] != "" {
						return fmt.Errorf("imported state holds values: %v", states)
					}
					return noSecretsInState(secretValues...)(&terraform.State{Modules: []*terraform.ModuleState{{Path: []string{"root"}, Resources: map[string]*terraform.ResourceState{"x": {Primary: states[0]}}}}})
				},
			},
		},
	})
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "homelab_service") || !strings.Contains(string(logs), "sensitive_values_wo") {
		t.Fatalf("the trace log (%d bytes) does not mention the resource; the check would prove nothing", len(logs))
	}
	for i, v := range secretValues[:2] {
		if strings.Contains(string(logs), v) {
			t.Errorf("password %d appears in the trace log", i+1)
		}
	}
}
