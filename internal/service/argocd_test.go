package service_test

import (
	"context"
	"encoding/json"
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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

// These tests run against ArgoCD's own application controller and repo
// server (acctest.ArgoCD): nothing plays the controller.

func configMap(name, key, value string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  %s: %q\n", name, key, value)
}

// childApp is an Application manifest as an app of apps holds it in git.
func childApp(name, argo, repo, path, dest string) string {
	return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: %s
  namespace: %s
  finalizers: [resources-finalizer.argocd.argoproj.io]
spec:
  project: default
  destination: {server: "https://kubernetes.default.svc", namespace: %s}
  source: {repoURL: %q, path: %s, targetRevision: HEAD}
  syncPolicy: {automated: {selfHeal: true, prune: true}}
`, name, argo, dest, repo, path)
}

func configMapData(t *testing.T, cluster *acctest.Cluster, ns, name string) (map[string]string, error) {
	t.Helper()
	cm, err := cluster.Clientset.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return cm.Data, nil
}

func configMapGone(cluster *acctest.Cluster, ns, name string) error {
	_, err := cluster.Clientset.CoreV1().ConfigMaps(ns).Get(context.Background(), name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return err
	}
	return fmt.Errorf("ConfigMap %s/%s still exists", ns, name)
}

// waitFor polls check every half second until it returns nil, and fails
// the test with its last error after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s: %v", what, timeout, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// specOwnedByUs fails when another field manager (ArgoCD's controller,
// which writes the Application back after each sync) owns a field of the
// spec: our next apply would then fight it for that field.
func specOwnedByUs(o *unstructured.Unstructured) error {
	for _, m := range o.GetManagedFields() {
		if m.Manager == kube.FieldManager || m.FieldsV1 == nil {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(m.FieldsV1.GetRawBytes(), &fields); err != nil {
			return err
		}
		if spec, ok := fields["f:spec"]; ok {
			return fmt.Errorf("field manager %s (%s) owns spec fields %v", m.Manager, m.Operation, spec)
		}
	}
	return nil
}

// TestAccService_appOfApps is the seed's Layer 0: a root homelab_service
// whose git repository holds a child Application and a ConfigMap. ArgoCD
// creates both, the child syncs its own ConfigMap, wait_for returns when
// ArgoCD says Synced and Healthy, the plan stays empty while ArgoCD keeps
// writing status, ArgoCD reverts a hand edit of what it synced (self_heal),
// a hand edit of the Application is planned and repaired, and destroy
// (cascade_delete) returns once ArgoCD has deleted everything.
func TestAccService_appOfApps(t *testing.T) {
	cluster, _ := acctest.ArgoCD(t)
	t.Parallel()
	argo := cluster.Namespace(t, "argocd-aoa")
	workload := cluster.Namespace(t, "workload-aoa")
	repo := acctest.NewGitRepo(t, nil)
	repo.Commit(t, "an app of apps", map[string]string{
		"apps/child.yaml":      childApp("child", argo, repo.URL, "child", workload),
		"apps/settings.yaml":   configMap("root-settings", "mode", "original"),
		"child/configmap.yaml": configMap("from-child", "synced", "yes"),
	})
	config := providerConfig(cluster) + fmt.Sprintf(`
resource "homelab_service" "root" {
  name             = "root"
  namespace        = %[1]q
  argocd_namespace = %[1]q
  git              = { repo_url = %[2]q, path = "apps" }
  sync_policy      = { automated = true, prune = true, self_heal = true }
  cascade_delete   = true
  wait_for         = { healthy = true, synced = true, timeout = "3m" }
}`, argo, repo.URL)
	const addr = "homelab_service.root"
	apps := cluster.Dynamic.Resource(kube.ApplicationGVR).Namespace(argo)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Destroy returned once ArgoCD removed its finalizer, which it
			// does after deleting the child (whose own finalizer deleted
			// its ConfigMap) and the root's ConfigMap.
			for _, name := range []string{"root", "child"} {
				if err := appGone(cluster, argo, name); err != nil {
					return err
				}
			}
			if err := configMapGone(cluster, argo, "root-settings"); err != nil {
				return err
			}
			return configMapGone(cluster, workload, "from-child")
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("health_status"), knownvalue.StringExact("Healthy")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("sync_status"), knownvalue.StringExact("Synced")),
				},
				Check: func(*terraform.State) error {
					// The wait returned on ArgoCD's word: the root's own
					// objects are there now, the child's soon after.
					if data, err := configMapData(t, cluster, argo, "root-settings"); err != nil || data["mode"] != "original" {
						return fmt.Errorf("the root's ConfigMap: %v, %v", data, err)
					}
					if err := specOwnedByUs(liveApp(t, argo, "root")); err != nil {
						return err
					}
					cluster.WaitForApplication(t, argo, "child", 2*time.Minute, "Synced/Healthy", acctest.SyncedHealthy)
					if data, err := configMapData(t, cluster, workload, "from-child"); err != nil || data["synced"] != "yes" {
						return fmt.Errorf("the child's ConfigMap: %v, %v", data, err)
					}
					return nil
				},
			},
			{
				// ArgoCD refreshes and rewrites the status: no change.
				PreConfig: func() {
					before := liveApp(t, argo, "root")
					at, _, _ := unstructured.NestedString(before.Object, "status", "reconciledAt")
					patchApp(t, argo, "root", "argocd-cli", map[string]any{"metadata": map[string]any{"annotations": map[string]any{"argocd.argoproj.io/refresh": "hard"}}})
					cluster.WaitForApplication(t, argo, "root", time.Minute, "refreshed", func(o *unstructured.Unstructured) bool {
						now, _, _ := unstructured.NestedString(o.Object, "status", "reconciledAt")
						_, pending := o.GetAnnotations()["argocd.argoproj.io/refresh"]
						return !pending && now != at
					})
				},
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A hand edit of an object ArgoCD synced is reverted by
				// ArgoCD (self_heal), not by Terraform.
				PreConfig: func() {
					cms := cluster.Clientset.CoreV1().ConfigMaps(argo)
					cm, err := cms.Get(context.Background(), "root-settings", metav1.GetOptions{})
					if err != nil {
						t.Fatal(err)
					}
					cm.Data["mode"] = "edited by hand"
					if _, err := cms.Update(context.Background(), cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
					waitFor(t, 2*time.Minute, "ArgoCD reverting the hand edit", func() error {
						data, err := configMapData(t, cluster, argo, "root-settings")
						if err == nil && data["mode"] != "original" {
							err = fmt.Errorf("mode = %q", data["mode"])
						}
						return err
					})
				},
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A hand edit of the Application is ours to repair; the wait
				// ignores the status ArgoCD wrote for the edited spec.
				PreConfig: func() {
					patchApp(t, argo, "root", "kubectl-edit", map[string]any{"spec": map[string]any{"source": map[string]any{"path": "no-such-path"}}})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					o, err := apps.Get(context.Background(), "root", metav1.GetOptions{})
					if err != nil {
						return err
					}
					compared, _, _ := unstructured.NestedString(o.Object, "status", "sync", "comparedTo", "source", "path")
					sync, _, _ := unstructured.NestedString(o.Object, "status", "sync", "status")
					if p, _, _ := unstructured.NestedString(o.Object, "spec", "source", "path"); p != "apps" || compared != "apps" || sync != "Synced" {
						return fmt.Errorf("after the repair: path %q, ArgoCD compared %q and says %q", p, compared, sync)
					}
					return nil
				},
			},
		},
	})
}

// TestAccService_keepResources: with cascade_delete = false, destroy
// deletes the Application only; what ArgoCD synced stays.
func TestAccService_keepResources(t *testing.T) {
	cluster, _ := acctest.ArgoCD(t)
	t.Parallel()
	argo := cluster.Namespace(t, "argocd-keep")
	workload := cluster.Namespace(t, "workload-keep")
	repo := acctest.NewGitRepo(t, map[string]string{"keep/configmap.yaml": configMap("kept", "synced", "yes")})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := appGone(cluster, argo, "keep"); err != nil {
				return err
			}
			if data, err := configMapData(t, cluster, workload, "kept"); err != nil || data["synced"] != "yes" {
				return fmt.Errorf("the synced ConfigMap did not stay: %v, %v", data, err)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: providerConfig(cluster) + fmt.Sprintf(`
resource "homelab_service" "keep" {
  name             = "keep"
  namespace        = %q
  argocd_namespace = %q
  git              = { repo_url = %q, path = "keep" }
  sync_policy      = { automated = true }
  cascade_delete   = false
  wait_for         = { synced = true, timeout = "3m" }
}`, workload, argo, repo.URL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("homelab_service.keep", tfjsonpath.New("sync_status"), knownvalue.StringExact("Synced")),
			},
			Check: func(*terraform.State) error {
				app := liveApp(t, argo, "keep")
				if f := app.GetFinalizers(); len(f) != 0 {
					return fmt.Errorf("finalizers %v; want none", f)
				}
				if err := specOwnedByUs(app); err != nil {
					return err
				}
				_, err := configMapData(t, cluster, workload, "kept")
				return err
			},
		}},
	})
}

// TestAccService_waitTimeout: an Application that cannot become healthy
// (its path is not in the repository) fails apply after wait_for.timeout,
// quoting ArgoCD's own condition.
func TestAccService_waitTimeout(t *testing.T) {
	cluster, _ := acctest.ArgoCD(t)
	t.Parallel()
	argo := cluster.Namespace(t, "argocd-broken")
	repo := acctest.NewGitRepo(t, map[string]string{"apps/configmap.yaml": configMap("x", "y", "z")})
	start := time.Now()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(cluster) + fmt.Sprintf(`
resource "homelab_service" "broken" {
  name             = "broken"
  namespace        = %[1]q
  argocd_namespace = %[1]q
  git              = { repo_url = %[2]q, path = "no/such/path" }
  sync_policy      = { automated = true }
  wait_for         = { healthy = true, timeout = "20s" }
}`, argo, repo.URL),
			ExpectError: regexp.MustCompile(`(?s)Error Waiting For Service ` + argo + `/broken To Become Healthy.*after 20s\s+\(wait_for.timeout\).*ArgoCD\s+says:.*ComparisonError:.*no/such/path`),
		}},
	})
	if d := time.Since(start); d > 2*time.Minute {
		t.Errorf("the failing apply took %s; the 20s timeout was not honoured", d)
	}
}
