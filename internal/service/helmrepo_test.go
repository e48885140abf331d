package service_test

import (
	"fmt"
	"os"
	"path/filepath"
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
)

// echoChart renders its values into a ConfigMap, so that the test can see
// what reached ArgoCD's render.
var echoChart = map[string]string{
	"Chart.yaml":  "apiVersion: v2\nname: echo\nversion: 0.1.0\n",
	"values.yaml": "greeting: chart-default\nfromGit: chart-default\nauth:\n  password: \"\"\n",
	"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-rendered
data:
  greeting: {{ .Values.greeting | quote }}
  fromGit: {{ .Values.fromGit | quote }}
  password: {{ .Values.auth.password | quote }}
`,
}

// TestAccService_helmChartRepo: a chart from a Helm repository on the
// loopback, rendered by ArgoCD's repo server with plain values, a value
// file from the GitOps repository ($values/, multi-source) and a password
// given write-only. The ConfigMap ArgoCD creates carries all three; state,
// plan JSON and trace logs never carry the password. It sets process
// environment (TF_LOG), so it does not run in parallel.
func TestAccService_helmChartRepo(t *testing.T) {
	cluster, argocd := acctest.ArgoCD(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	argo := cluster.Namespace(t, "argocd-helm")
	workload := cluster.Namespace(t, "workload-helm")
	chartRepo := acctest.ChartRepo(t, argocd.Helm, echoChart)
	gitops := acctest.NewGitRepo(t, map[string]string{"k8s/apps/echo/values.yaml": "fromGit: from-the-gitops-repo\n"})
	password := acctest.Secrets["op://homelab/infisical/db_password"]
	const addr = "homelab_service.echo"

	config := providerConfig(cluster) + fmt.Sprintf(`
ephemeral "homelab_secret" "pg" {
  reference = "op://homelab/infisical/db_password"
}
resource "homelab_service" "echo" {
  name             = "echo"
  namespace        = %q
  argocd_namespace = %q
  helm = {
    repo_url                    = %q
    chart                       = "echo"
    version                     = "0.1.0"
    values                      = yamlencode({ greeting = "hello-from-values" })
    sensitive_values_wo         = yamlencode({ auth = { password = ephemeral.homelab_secret.pg.value } })
    sensitive_values_wo_version = 1
    value_files                 = ["$values/k8s/apps/echo/values.yaml"]
    values_from_git             = { repo_url = %q }
  }
  sync_policy = {
    automated = true
    self_heal = true
    retry     = { limit = 3, backoff = { duration = "5s", factor = 2, max_duration = "1m" } }
  }
  cascade_delete = true
  wait_for       = { healthy = true, synced = true, timeout = "3m" }
}`, workload, argo, chartRepo, gitops.URL)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := appGone(cluster, argo, "echo"); err != nil {
				return err
			}
			return configMapGone(cluster, workload, "echo-rendered")
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate), noSecretsInPlan{[]string{password}},
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{[]string{password}}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("health_status"), knownvalue.StringExact("Healthy")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sync_status"), knownvalue.StringExact("Synced")),
				},
				Check: resource.ComposeTestCheckFunc(noSecretsInState(password), func(*terraform.State) error {
					data, err := configMapData(t, cluster, workload, "echo-rendered")
					if err != nil {
						return fmt.Errorf("the ConfigMap ArgoCD rendered from the chart: %w", err)
					}
					if data["greeting"] != "hello-from-values" || data["fromGit"] != "from-the-gitops-repo" {
						return fmt.Errorf("rendered greeting %q, fromGit %q; want the values and the value file from git", data["greeting"], data["fromGit"])
					}
					if data["password"] != password {
						return fmt.Errorf("the rendered password is not the sensitive value (%d bytes)", len(data["password"]))
					}
					app := liveApp(t, argo, "echo")
					if err := specOwnedByUs(app); err != nil {
						return err
					}
					sources, _, _ := unstructured.NestedSlice(app.Object, "spec", "sources")
					retry, _, _ := unstructured.NestedInt64(app.Object, "spec", "syncPolicy", "retry", "limit")
					factor, _, _ := unstructured.NestedInt64(app.Object, "spec", "syncPolicy", "retry", "backoff", "factor")
					if len(sources) != 2 || retry != 3 || factor != 2 {
						return fmt.Errorf("sources %v, retry limit %d, factor %d", sources, retry, factor)
					}
					return nil
				}),
			},
			{
				ResourceName:                         addr,
				ImportState:                          true,
				ImportStateId:                        argo + "/echo",
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				// Helm values are not imported (the cluster cannot tell the
				// sensitive ones apart); wait_for is a setting of the
				// resource only.
				ImportStateVerifyIgnore: []string{"helm.values", "helm.sensitive_values_wo_version", "manifest", "wait_for"},
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
	if strings.Contains(string(logs), password) {
		t.Error("the password appears in the trace log")
	}
}
