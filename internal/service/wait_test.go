package service_test

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
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

func waitConfig(cluster *acctest.Cluster, argo, name, extra string) string {
	return providerConfig(cluster) + fmt.Sprintf(`
resource "homelab_service" "w" {
  name             = %q
  namespace        = "apps"
  argocd_namespace = %q
  git              = { repo_url = "https://github.com/me/homelab.git", path = "k8s/apps" }
  %s
}`, name, argo, extra)
}

// TestAccService_waitHealthy: no ArgoCD controller runs here, so the test
// plays its part and reports the Application healthy while apply waits.
func TestAccService_waitHealthy(t *testing.T) {
	cluster := acctest.Kube(t)
	t.Parallel()
	argo := cluster.Namespace(t, "argocd-healthy")
	var status <-chan error
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() { status = writeStatusWhenCreated(cluster, argo, "healthy", "Healthy") },
			Config:    waitConfig(cluster, argo, "healthy", `wait_for = { healthy = true, timeout = "60s" }`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("homelab_service.w", tfjsonpath.New("health_status"), knownvalue.StringExact("Healthy")),
				statecheck.ExpectKnownValue("homelab_service.w", tfjsonpath.New("sync_status"), knownvalue.StringExact("Synced")),
			},
			Check: func(*terraform.State) error {
				if err := <-status; err != nil {
					return fmt.Errorf("writing the status: %w", err)
				}
				return nil
			},
		}},
	})
}

// TestAccService_waitHealthyTimeout: an Application that stays Degraded
// fails apply after wait_for.timeout with ArgoCD's view in the message.
func TestAccService_waitHealthyTimeout(t *testing.T) {
	cluster := acctest.Kube(t)
	t.Parallel()
	argo := cluster.Namespace(t, "argocd-degraded")
	start := time.Now()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig:   func() { _ = writeStatusWhenCreated(cluster, argo, "degraded", "Degraded") },
			Config:      waitConfig(cluster, argo, "degraded", `wait_for = { healthy = true, timeout = "4s" }`),
			ExpectError: regexp.MustCompile(`(?s)Error Waiting For Service ` + argo + `/degraded To Become Healthy.*after 4s\s+\(wait_for.timeout\)\s+ArgoCD\s+reports\s+(Degraded|no health)`),
		}},
	})
	if d := time.Since(start); d > 90*time.Second {
		t.Errorf("the failing apply took %s; the 4s timeout was not honoured", d)
	}
}

// TestAccService_cascadeDelete: with cascade_delete the Application has
// ArgoCD's resources finalizer, and destroy waits until ArgoCD (played by
// the test) has removed it.
func TestAccService_cascadeDelete(t *testing.T) {
	cluster := acctest.Kube(t)
	t.Parallel()
	argo := cluster.Namespace(t, "argocd-cascade")
	apps := cluster.Dynamic.Resource(kube.ApplicationGVR).Namespace(argo)
	released := make(chan time.Time, 1)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			select {
			case at := <-released:
				if err := appGone(cluster, argo, "cascade"); err != nil {
					return err
				}
				_ = at
				return nil
			default:
				return fmt.Errorf("destroy returned before ArgoCD released the finalizer")
			}
		},
		Steps: []resource.TestStep{{
			Config: waitConfig(cluster, argo, "cascade", `cascade_delete = true
  wait_for = { timeout = "60s" }`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check: func(*terraform.State) error {
				o := liveApp(t, argo, "cascade")
				if f := o.GetFinalizers(); len(f) != 1 || f[0] != "resources-finalizer.argocd.argoproj.io" {
					return fmt.Errorf("finalizers = %v", f)
				}
				// Play ArgoCD: once deletion starts, remove the finalizer.
				go func() {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					defer cancel()
					for ctx.Err() == nil {
						o, err := apps.Get(ctx, "cascade", metav1.GetOptions{})
						if err == nil && o.GetDeletionTimestamp() != nil {
							time.Sleep(2 * time.Second)
							o.SetFinalizers(nil)
							if _, err := apps.Update(ctx, o, metav1.UpdateOptions{FieldManager: "argocd-application-controller"}); err == nil {
								released <- time.Now()
								return
							}
						}
						time.Sleep(200 * time.Millisecond)
					}
				}()
				return nil
			},
		}},
	})
}
