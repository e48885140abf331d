package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/service"
)

// TestAccService_stateIndependentOfValues: two charts synced by ArgoCD's
// controller, one with a single source and one with value files from git
// (two sources), take a password write-only. Rotating it (a new value,
// sensitive_values_wo_version bumped) changes nothing in the state file
// but the versions and serial, private state included, and no value,
// encoding or digest of one is in it; ArgoCD renders the new password.
// Another field manager writing the same value is no drift; one writing a
// different value shows in the plan as a manifest line marked changed,
// the apply sends the configured value again, and the state file comes
// back byte for byte but its serial. It sets process environment
// (TF_ACC_TEMP_DIR), so it does not run in parallel.
func TestAccService_stateIndependentOfValues(t *testing.T) {
	cluster, argocd := acctest.ArgoCD(t)
	argo := cluster.Namespace(t, "argocd-independent")
	workload := cluster.Namespace(t, "workload-independent")
	chartRepo := acctest.ChartRepo(t, argocd.Helm, echoChart)
	gitops := acctest.NewGitRepo(t, map[string]string{"values.yaml": "fromGit: from-the-gitops-repo\n"})
	stateFile := acctest.NewStateFile(t)
	refs := map[int]string{1: "op://homelab/infisical/db_password", 2: "op://homelab/eso/client_secret"}
	value := func(v int) string { return acctest.Secrets[refs[v]] }
	const tampered = "tampered-Pass-5e0a1c"
	secretValues := []string{value(1), value(2), tampered}

	config := func(v int) string {
		return providerConfig(cluster) + fmt.Sprintf(`
ephemeral "homelab_secret" "pw" {
  reference = %[5]q
}
resource "homelab_service" "single" {
  name             = "single"
  namespace        = %[1]q
  argocd_namespace = %[2]q
  helm = {
    repo_url                    = %[3]q
    chart                       = "echo"
    version                     = "0.1.0"
    values                      = yamlencode({ greeting = "single" })
    sensitive_values_wo         = yamlencode({ auth = { password = ephemeral.homelab_secret.pw.value } })
    sensitive_values_wo_version = %[6]d
  }
  sync_policy = { automated = true, self_heal = true }
  wait_for    = { healthy = true, synced = true, timeout = "3m" }
}
resource "homelab_service" "multi" {
  name             = "multi"
  namespace        = %[1]q
  argocd_namespace = %[2]q
  helm = {
    repo_url                    = %[3]q
    chart                       = "echo"
    version                     = "0.1.0"
    values                      = yamlencode({ greeting = "multi" })
    sensitive_values_wo         = yamlencode({ auth = { password = ephemeral.homelab_secret.pw.value } })
    sensitive_values_wo_version = %[6]d
    value_files                 = ["$values/values.yaml"]
    values_from_git             = { repo_url = %[4]q }
  }
  sync_policy = { automated = true, self_heal = true }
  wait_for    = { healthy = true, synced = true, timeout = "3m" }
}`, workload, argo, chartRepo, gitops.URL, refs[v], v)
	}
	// rendered waits until ArgoCD has rendered password into both charts'
	// ConfigMaps (a sync follows the Application's change).
	rendered := func(password string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			for _, name := range []string{"single", "multi"} {
				waitFor(t, 2*time.Minute, "ArgoCD renders the password into "+name+"-rendered", func() error {
					data, err := configMapData(t, cluster, workload, name+"-rendered")
					if err != nil {
						return err
					}
					if data["password"] != password || data["greeting"] != name {
						return fmt.Errorf("the rendered ConfigMap does not hold the expected password and greeting %q", name)
					}
					return nil
				})
				if err := specOwnedByUs(liveApp(t, argo, name)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	var first, rotated []byte
	snapshot := func(into *[]byte) resource.TestCheckFunc {
		return func(*terraform.State) error {
			raw, err := stateFile.Read()
			if err != nil {
				return err
			}
			*into = raw
			return acctest.NothingDerivedFrom(raw, secretValues...)
		}
	}
	// setPassword writes a password into both Applications as another
	// client: a merge patch (which replaces spec.sources whole) under its
	// own field manager.
	setPassword := func(password string) {
		single := liveApp(t, argo, "single")
		helm, _, _ := unstructured.NestedMap(single.Object, "spec", "source", "helm")
		_ = unstructured.SetNestedField(helm, password, "valuesObject", "auth", "password")
		patchApp(t, argo, "single", "kubectl-edit", map[string]any{"spec": map[string]any{"source": map[string]any{"helm": helm}}})
		multi := liveApp(t, argo, "multi")
		sources, _, _ := unstructured.NestedSlice(multi.Object, "spec", "sources")
		for _, s := range sources {
			if src, _ := s.(map[string]any); src["chart"] != nil {
				_ = unstructured.SetNestedField(src, password, "helm", "valuesObject", "auth", "password")
			}
		}
		patchApp(t, argo, "multi", "kubectl-edit", map[string]any{"spec": map[string]any{"sources": sources}})
	}
	const single, multi = "homelab_service.single", "homelab_service.multi"
	versionPath := func(name string) string {
		return "resources.homelab_service." + name + ".instances[0].attributes.helm.sensitive_values_wo_version"
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := appGone(cluster, argo, "single"); err != nil {
				return err
			}
			return appGone(cluster, argo, "multi")
		},
		Steps: []resource.TestStep{
			{
				Config:           config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeTestCheckFunc(rendered(value(1)), snapshot(&first)),
			},
			{
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(single, plancheck.ResourceActionUpdate), plancheck.ExpectResourceAction(multi, plancheck.ResourceActionUpdate),
						noSecretsInPlan{secretValues},
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(rendered(value(2)), snapshot(&rotated), func(*terraform.State) error {
					t.Logf("a rotation changed %d lines of the state file", acctest.ChangedLines(first, rotated))
					return acctest.ExpectStateChanges(first, rotated, versionPath("single"), versionPath("multi"))
				}),
			},
			{
				// The same value written by someone else changes nothing.
				PreConfig: func() { setPassword(value(2)) },
				Config:    config(2),
				PlanOnly:  true,
			},
			{
				// A different one is drift: planned, and repaired.
				PreConfig: func() { setPassword(tampered) },
				Config:    config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(single, plancheck.ResourceActionUpdate), plancheck.ExpectResourceAction(multi, plancheck.ResourceActionUpdate),
						manifestBefore{single, "password: " + service.RedactedChanged}, manifestBefore{multi, "password: " + service.RedactedChanged},
						noSecretsInPlan{secretValues},
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(rendered(value(2)), func(*terraform.State) error {
					repaired, err := stateFile.Read()
					if err != nil {
						return err
					}
					return acctest.ExpectStateChanges(rotated, repaired)
				}),
			},
		},
	})
}

// manifestBefore checks that the refreshed manifest the plan starts from
// (what the cluster holds, redacted) has the line want.
type manifestBefore struct{ addr, want string }

func (c manifestBefore) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr || rc.Change == nil {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		manifest, _ := before["manifest"].(string)
		if !strings.Contains(manifest, c.want) {
			resp.Error = fmt.Errorf("the refreshed manifest of %s has no line %q", c.addr, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("no change planned for %s", c.addr)
}
