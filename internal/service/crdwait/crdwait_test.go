package crdwait_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// The control plane starts without ArgoCD's CRDs.
func TestMain(m *testing.M) { acctest.Main(m) }

func config(cluster *acctest.Cluster, argo, timeout string) string {
	return configFrom(cluster, argo, "https://github.com/holdennguyen/homelab.git", "k8s/apps/argocd", fmt.Sprintf("{ timeout = %q }", timeout))
}

func configFrom(cluster *acctest.Cluster, argo, repoURL, path, waitFor string) string {
	return fmt.Sprintf(`
provider "homelab" {
  %s
}
resource "homelab_service" "root" {
  name             = "argocd-apps"
  namespace        = %[2]q
  argocd_namespace = %[2]q
  git              = { repo_url = %[3]q, path = %[4]q }
  sync_policy      = { automated = true }
  wait_for         = %[5]s
}`, cluster.ProviderBlock(), argo, repoURL, path, waitFor)
}

func removeCRDs(t *testing.T) {
	t.Helper()
	cluster := acctest.KubeWithoutCRDs(t)
	if cluster.External {
		t.Fatal("these tests delete ArgoCD's CRDs cluster-wide; run them on the local control plane, not on the cluster in KUBECONFIG")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cluster.DeleteArgoCDCRDs(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAccServiceCRDWait_neverAppears: without ArgoCD the plan works, and
// apply fails after wait_for.timeout with a diagnostic that names the CRD
// and says how to install ArgoCD.
func TestAccServiceCRDWait_neverAppears(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	removeCRDs(t)
	argo := cluster.Namespace(t, "argocd")
	start := time.Now()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             config(cluster, argo, "5s"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config(cluster, argo, "5s"),
				ExpectError: regexp.MustCompile(`(?s)Error Creating Service ` + argo + `/argocd-apps: ArgoCD Application CRD Not Installed.*` +
					`applications\.argoproj\.io.*Waited 5s\s+\(wait_for\.timeout\).*helm_release\.argocd`),
			},
		},
	})
	took := time.Since(start)
	t.Logf("plan and the failing apply took %s", took.Round(time.Millisecond))
	if took < 5*time.Second || took > 60*time.Second {
		t.Errorf("took %s; the apply should fail soon after the 5s timeout", took)
	}
}

// TestAccServiceCRDWait_appears: the plan works without the CRD; apply
// waits while ArgoCD's CRDs are installed a few seconds later and its
// controller and repo server start after them (as ArgoCD's Helm release
// does in the same apply), then creates the Application and waits until
// ArgoCD, started after the CRDs appeared, reports it Healthy. It is the
// last test of this binary: ArgoCD keeps running until the binary ends.
func TestAccServiceCRDWait_appears(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	removeCRDs(t)
	argo := cluster.Namespace(t, "argocd")
	repo := acctest.NewGitRepo(t, map[string]string{
		"k8s/apps/argocd/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: layer-0\ndata:\n  synced: \"yes\"\n",
	})
	const delay = 4 * time.Second
	var applyStart time.Time
	installed := make(chan error, 1)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				applyStart = time.Now()
				go func() {
					time.Sleep(delay)
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
					defer cancel()
					if err := cluster.InstallArgoCDCRDs(ctx); err != nil {
						installed <- err
						return
					}
					_, err := cluster.StartArgoCD(ctx)
					installed <- err
				}()
			},
			Config: configFrom(cluster, argo, repo.URL, "k8s/apps/argocd", `{ healthy = true, synced = true, timeout = "3m" }`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("homelab_service.root", plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("homelab_service.root", tfjsonpath.New("health_status"), knownvalue.StringExact("Healthy")),
			},
			Check: func(*terraform.State) error {
				if err := <-installed; err != nil {
					return fmt.Errorf("installing the CRDs and starting ArgoCD: %w", err)
				}
				took := time.Since(applyStart)
				t.Logf("plan and apply, with the CRDs installed after %s and ArgoCD started then, took %s", delay, took.Round(time.Millisecond))
				if took < delay {
					return fmt.Errorf("apply finished after %s, before the CRDs were installed", took)
				}
				cm, err := cluster.Clientset.CoreV1().ConfigMaps(argo).Get(context.Background(), "layer-0", metav1.GetOptions{})
				if err != nil || cm.Data["synced"] != "yes" {
					return fmt.Errorf("ArgoCD did not sync the root's ConfigMap: %v, %v", cm, err)
				}
				return nil
			},
		}},
	})
}
