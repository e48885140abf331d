package service_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// TestAccService_badInput covers the rejections, each with the text a user
// needs to fix it: at plan time for the configuration, at apply for what
// only the cluster knows.
func TestAccService_badInput(t *testing.T) {
	cluster := acctest.Kube(t)
	t.Parallel()
	argo := cluster.Namespace(t, "argocd-bad")
	const helm = `helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0" }`
	const git = `git = { repo_url = "https://github.com/me/homelab.git", path = "k8s" }`
	svc := func(body string) string {
		return providerConfig(cluster) + fmt.Sprintf(`
resource "homelab_service" "s" {
  name             = "s"
  namespace        = "apps"
  argocd_namespace = %q
  %s
}`, argo, body)
	}
	tests := []struct {
		name, config, want string
		planOnly           bool
	}{
		{"both helm and git", svc(helm + "\n" + git), `(?s)Conflicting Service Sources.*helm and git are both set`, true},
		{"neither helm nor git", svc(`project = "default"`), `(?s)Missing Service Source.*Set exactly one of helm.*or git`, true},
		{"invalid chart version", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = "latest-ish" }`),
			`(?s)Invalid Chart Version.*"latest-ish" is not accepted as helm.version.*1\.7\.2`, true},
		{"invalid version constraint", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = ">=1.0 <<2" }`),
			`(?s)Invalid Chart Version.*neither a semantic\s+version nor a version constraint`, true},
		{"invalid YAML values", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0", values = "a: [1, 2" }`),
			`(?s)Invalid Helm Values.*helm.values.*not valid YAML`, true},
		{"values not a mapping", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0", values = "- a\n- b" }`),
			`(?s)Invalid Helm Values.*YAML list, not a mapping`, true},
		{"invalid YAML sensitive values", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0", sensitive_values_wo = "pw: [oops", sensitive_values_wo_version = 1 }`),
			`(?s)Invalid Helm Values.*helm.sensitive_values_wo is not accepted: it is not valid YAML`, true},
		{"sync_wave not an integer", svc(helm + "\nsync_wave = \"first\""), `(?s)sync_wave.*number is required`, true},
		{"sync_wave fractional", svc(helm + "\nsync_wave = 1.5"), `(?s)sync_wave`, true},
		{"bad sync option", svc(helm + "\nsync_policy = { sync_options = [\"CreateNamespace true\"] }"), `(?s)Invalid Sync Option.*Key=Value`, true},
		{"bad name", svc(git+"\n") + `
resource "homelab_service" "t" {
  name      = "Infisical_App"
  namespace = "apps"
  ` + git + `
}`, `(?s)Invalid Name.*"Infisical_App".*RFC 1123`, true},
		{"bad namespace", svc(git) + `
resource "homelab_service" "u" {
  name      = "u"
  namespace = "Apps"
  ` + git + `
}`, `(?s)Invalid Namespace Or Name.*"Apps"`, true},
		{"bad json pointer", svc(helm + "\nignore_differences = [{ kind = \"Secret\", json_pointers = [\"data\"] }]"), `(?s)Invalid JSON Pointer.*starts with '/'`, true},
		{"bad timeout", svc(helm + "\nwait_for = { timeout = \"soon\" }"), `(?s)Invalid Timeout.*90s`, true},
		{"$values file without values_from_git", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0", value_files = ["$values/k8s/c.yaml"] }`),
			`(?s)Missing Helm Values Repository.*values_from_git\s+=\s+\{\s+repo_url`, true},
		{"values_from_git unused", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0", value_files = ["values-prod.yaml"], values_from_git = { repo_url = "https://github.com/me/homelab.git" } }`),
			`(?s)Unused Helm Values Repository.*no\s+entry\s+of\s+helm.value_files\s+starts\s+with\s+\$values/`, true},
		{"values_from_git without value_files", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0", values_from_git = { repo_url = "https://github.com/me/homelab.git" } }`),
			`(?s)Unused Helm Values Repository.*without\s+helm.value_files`, true},
		{"bad value file reference", svc(`helm = { repo_url = "https://charts.example.com", chart = "c", version = "1.0.0", value_files = ["$other/x.yaml"] }`),
			`(?s)Invalid Helm Value File.*only\s+reference\s+a\s+value\s+file\s+may\s+start\s+with\s+is\s+\$values/`, true},
		{"bad retry backoff", svc(helm + "\nsync_policy = { retry = { limit = 3, backoff = { duration = \"fast\" } } }"), `(?s)Invalid Retry Backoff`, true},
		{"retry factor below 1", svc(helm + "\nsync_policy = { retry = { limit = 3, backoff = { factor = 0 } } }"), `(?s)factor.*at\s+least\s+1`, true},
		{"relative backup path", svc(helm + "\nbackup = { paths = [\"var/lib/x\"] }"), `(?s)Invalid Backup Path.*absolute`, true},
		{"proxy port out of range", svc(helm + "\nproxy = { port = 70000 }"), `(?s)proxy.port.*between 1 and 65535`, true},
		{"unknown argocd_namespace", providerConfig(cluster) + `
resource "homelab_service" "s" {
  name             = "s"
  namespace        = "apps"
  argocd_namespace = "argo-nowhere"
  ` + git + `
}`, `(?s)Error Creating Service argo-nowhere/s.*namespace "argo-nowhere" \(argocd_namespace\) does\s+not exist`, false},
	}
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
}
