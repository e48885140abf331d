package service_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

const rootAddr = "homelab_service.root"

// TestAccService_gitRootApp is the ArgoCD root app (app of apps) from the
// seed's Layer 0: create, update of every attribute group, the status
// ArgoCD's controller writes, which must not show as a change,
// out-of-band edits and deletion repaired, import.
func TestAccService_gitRootApp(t *testing.T) {
	cluster, _ := acctest.ArgoCD(t)
	t.Parallel()
	argo := cluster.Namespace(t, "argocd-root")
	cluster.AppProject(t, "bootstrap")
	repo := acctest.NewGitRepo(t, map[string]string{
		"k8s/apps/argocd/settings.yaml": configMap("argocd-settings", "layer", "0"),
		"k8s/apps/settings.yaml":        configMap("apps-settings", "layer", "1"),
	})
	config := func(body string) string {
		return providerConfig(cluster) + fmt.Sprintf(`
resource "homelab_service" "root" {
  name             = "argocd-apps"
  namespace        = %[1]q
  argocd_namespace = %[1]q
  %[2]s
}`, argo, strings.ReplaceAll(body, "REPO", repo.URL))
	}
	v1 := config(`
  git = {
    repo_url = "REPO"
    path     = "k8s/apps/argocd"
  }
  sync_policy = { automated = true, prune = true, self_heal = true }`)
	v2 := config(`
  project   = "bootstrap"
  component = "gitops"
  part_of   = "homelab-lab"
  sync_wave = -1
  git = {
    repo_url        = "REPO"
    path            = "k8s/apps"
    target_revision = "main"
    recurse         = true
  }
  sync_policy = { prune = false, self_heal = true, sync_options = ["CreateNamespace=true", "ServerSideApply=true"] }
  ignore_differences = [
    { group = "", kind = "Secret", json_pointers = ["/data"] },
    { group = "apps", kind = "Deployment", name = "argocd-server", namespace = "argocd", jq_path_expressions = [".spec.replicas"] },
  ]
  proxy  = { port = 30080, name = "argocd" }
  backup = { paths = ["/var/lib/argocd"] }
  wait_for = { timeout = "90s" }`)
	v3 := config(`
  sync_wave = 2
  git = {
    repo_url = "REPO"
    path     = "k8s/apps"
  }
  sync_policy = { automated = false, sync_options = ["PruneLast=true"] }`)

	expectLive := func(check func(*unstructured.Unstructured) error) resource.TestCheckFunc {
		return func(*terraform.State) error { return check(liveApp(t, argo, "argocd-apps")) }
	}
	str := func(o *unstructured.Unstructured, f ...string) string {
		v, _, _ := unstructured.NestedString(o.Object, f...)
		return v
	}
	var uid string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return appGone(cluster, argo, "argocd-apps") },
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rootAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(rootAddr, tfjsonpath.New("id"), knownvalue.StringExact(argo+"/argocd-apps")),
						plancheck.ExpectKnownValue(rootAddr, tfjsonpath.New("manifest"), knownvalue.StringRegexp(regexp.MustCompile(`path: k8s/apps/argocd`))),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("project"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("part_of"), knownvalue.StringExact("homelab")),
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("git").AtMapKey("target_revision"), knownvalue.StringExact("HEAD")),
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("uid"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("proxy"), knownvalue.Null()),
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("backup"), knownvalue.Null()),
				},
				Check: expectLive(func(o *unstructured.Unstructured) error {
					uid = string(o.GetUID())
					want := map[string]string{"app.kubernetes.io/name": "argocd-apps", "app.kubernetes.io/part-of": "homelab", "app.kubernetes.io/managed-by": "terraform"}
					if !reflect.DeepEqual(o.GetLabels(), want) {
						return fmt.Errorf("labels = %v, want %v", o.GetLabels(), want)
					}
					if str(o, "spec", "source", "repoURL") != repo.URL || str(o, "spec", "source", "path") != "k8s/apps/argocd" ||
						str(o, "spec", "source", "targetRevision") != "HEAD" || str(o, "spec", "destination", "namespace") != argo ||
						str(o, "spec", "destination", "server") != "https://kubernetes.default.svc" || str(o, "spec", "project") != "default" {
						return fmt.Errorf("unexpected spec %v", o.Object["spec"])
					}
					if auto, _, _ := unstructured.NestedMap(o.Object, "spec", "syncPolicy", "automated"); auto["prune"] != true || auto["selfHeal"] != true {
						return fmt.Errorf("automated = %v", auto)
					}
					if len(o.GetFinalizers()) != 0 || len(o.GetAnnotations()) != 0 {
						return fmt.Errorf("finalizers %v, annotations %v: want none", o.GetFinalizers(), o.GetAnnotations())
					}
					return nil
				}),
			},
			{
				// Every attribute group changes. prune = false is left out, as
				// ArgoCD itself writes it back.
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rootAddr, plancheck.ResourceActionUpdate),
						// proxy and backup are known at plan time.
						plancheck.ExpectKnownValue(rootAddr, tfjsonpath.New("proxy"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name": knownvalue.StringExact("argocd"), "port": knownvalue.Int64Exact(30080), "scheme": knownvalue.StringExact("http"),
							"host": knownvalue.StringExact("127.0.0.1"), "path": knownvalue.Null(),
							"service":  knownvalue.StringExact("http://127.0.0.1:30080"),
							"hostname": knownvalue.StringExact("argocd-home.example.com"),
						})),
						plancheck.ExpectKnownValue(rootAddr, tfjsonpath.New("backup"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"paths": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("/var/lib/argocd")}), "excludes": knownvalue.ListSizeExact(0),
						})),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("uid"), knownvalue.StringFunc(func(v string) error {
						if v != uid {
							return fmt.Errorf("uid changed from %s to %s: the Application was replaced", uid, v)
						}
						return nil
					})),
				},
				Check: expectLive(func(o *unstructured.Unstructured) error {
					l := o.GetLabels()
					if l["app.kubernetes.io/component"] != "gitops" || l["app.kubernetes.io/part-of"] != "homelab-lab" {
						return fmt.Errorf("labels = %v", l)
					}
					if o.GetAnnotations()[kube.ApplicationCRD] != "" || o.GetAnnotations()["argocd.argoproj.io/sync-wave"] != "-1" {
						return fmt.Errorf("annotations = %v", o.GetAnnotations())
					}
					recurse, _, _ := unstructured.NestedBool(o.Object, "spec", "source", "directory", "recurse")
					if str(o, "spec", "project") != "bootstrap" || str(o, "spec", "source", "path") != "k8s/apps" || str(o, "spec", "source", "targetRevision") != "main" || !recurse {
						return fmt.Errorf("spec = %v", o.Object["spec"])
					}
					opts, _, _ := unstructured.NestedStringSlice(o.Object, "spec", "syncPolicy", "syncOptions")
					if !reflect.DeepEqual(opts, []string{"CreateNamespace=true", "ServerSideApply=true"}) {
						return fmt.Errorf("syncOptions = %v", opts)
					}
					if auto, _, _ := unstructured.NestedMap(o.Object, "spec", "syncPolicy", "automated"); auto["prune"] != nil || auto["selfHeal"] != true {
						return fmt.Errorf("automated = %v", auto)
					}
					ignores, _, _ := unstructured.NestedSlice(o.Object, "spec", "ignoreDifferences")
					if len(ignores) != 2 || !reflect.DeepEqual(ignores[0], map[string]any{"kind": "Secret", "jsonPointers": []any{"/data"}}) ||
						!reflect.DeepEqual(ignores[1], map[string]any{"group": "apps", "kind": "Deployment", "name": "argocd-server", "namespace": "argocd", "jqPathExpressions": []any{".spec.replicas"}}) {
						return fmt.Errorf("ignoreDifferences = %v", ignores)
					}
					return nil
				}),
			},
			{
				// ArgoCD's controller syncs the new path, with its subfolder
				// (recurse), so that nothing needs pruning (prune = false),
				// and writes its status: no change is planned, and the
				// refresh shows it.
				PreConfig: func() {
					cluster.WaitForApplication(t, argo, "argocd-apps", 2*time.Minute, "Synced/Healthy at k8s/apps", func(o *unstructured.Unstructured) bool {
						return acctest.SyncedHealthy(o) && str(o, "status", "sync", "comparedTo", "source", "path") == "k8s/apps"
					})
				},
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("sync_status"), knownvalue.StringExact("Synced")),
					statecheck.ExpectKnownValue(rootAddr, tfjsonpath.New("health_status"), knownvalue.StringExact("Healthy")),
				},
			},
			{
				ResourceName:                         rootAddr,
				ImportState:                          true,
				ImportStateId:                        argo + "/argocd-apps",
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				// Not in the cluster: they are settings of the resource only.
				ImportStateVerifyIgnore: []string{"proxy", "backup", "wait_for"},
			},
			{
				// Another manager edits the spec; the label it adds is not ours.
				PreConfig: func() {
					patchApp(t, argo, "argocd-apps", "kubectl-edit", map[string]any{
						"metadata": map[string]any{"labels": map[string]any{"team": "ops"}},
						"spec":     map[string]any{"source": map[string]any{"path": "k8s/other"}, "syncPolicy": map[string]any{"syncOptions": []any{"Replace=true"}}},
					})
				},
				Config: v2,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(rootAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectLive(func(o *unstructured.Unstructured) error {
					opts, _, _ := unstructured.NestedStringSlice(o.Object, "spec", "syncPolicy", "syncOptions")
					if str(o, "spec", "source", "path") != "k8s/apps" || len(opts) != 2 {
						return fmt.Errorf("the edit was not repaired: path %q, syncOptions %v", str(o, "spec", "source", "path"), opts)
					}
					if o.GetLabels()["team"] != "ops" {
						return fmt.Errorf("the other manager's label was removed")
					}
					if str(o, "status", "sync", "status") == "" || str(o, "status", "reconciledAt") == "" {
						return fmt.Errorf("apply removed the controller's status: %v", o.Object["status"])
					}
					return nil
				}),
			},
			{
				// Deleted out of band: created again.
				PreConfig: func() {
					if err := cluster.Dynamic.Resource(kube.ApplicationGVR).Namespace(argo).Delete(context.Background(), "argocd-apps", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: v3,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(rootAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectLive(func(o *unstructured.Unstructured) error {
					if string(o.GetUID()) == uid {
						return fmt.Errorf("the Application was not created again")
					}
					if _, found, _ := unstructured.NestedMap(o.Object, "spec", "syncPolicy", "automated"); found {
						return fmt.Errorf("automated = false still wrote syncPolicy.automated")
					}
					if o.GetAnnotations()["argocd.argoproj.io/sync-wave"] != "2" || len(o.GetLabels()) != 3 {
						return fmt.Errorf("annotations %v, labels %v", o.GetAnnotations(), o.GetLabels())
					}
					return nil
				}),
			},
		},
	})
}
