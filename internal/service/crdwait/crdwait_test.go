package crdwait_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

// The control plane starts without ArgoCD's CRDs.
func TestMain(m *testing.M) { acctest.Main(m) }

func config(cluster *acctest.Cluster, argo, timeout string) string {
	return fmt.Sprintf(`
provider "homelab" {
  %s
}
resource "homelab_service" "root" {
  name             = "argocd-apps"
  namespace        = "argocd"
  argocd_namespace = %q
  git              = { repo_url = "https://github.com/holdennguyen/homelab.git", path = "k8s/apps/argocd" }
  wait_for         = { timeout = %q }
}`, cluster.ProviderBlock(), argo, timeout)
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
// waits while ArgoCD's CRDs are installed a few seconds later (as
// ArgoCD's Helm release does in the same apply), then creates the
// Application.
func TestAccServiceCRDWait_appears(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	removeCRDs(t)
	argo := cluster.Namespace(t, "argocd")
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
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					defer cancel()
					installed <- cluster.InstallArgoCDCRDs(ctx)
				}()
			},
			Config: config(cluster, argo, "90s"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("homelab_service.root", plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(*terraform.State) error {
				if err := <-installed; err != nil {
					return fmt.Errorf("installing the CRDs: %w", err)
				}
				took := time.Since(applyStart)
				t.Logf("plan and apply, with the CRDs installed after %s, took %s", delay, took.Round(time.Millisecond))
				if took < delay {
					return fmt.Errorf("apply finished after %s, before the CRDs were installed", took)
				}
				_, err := cluster.Dynamic.Resource(kube.ApplicationGVR).Namespace(argo).Get(context.Background(), "argocd-apps", metav1.GetOptions{})
				return err
			},
		}},
	})
}
