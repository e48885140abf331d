package acctest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/homelab-tf/terraform-provider-homelab/internal/devcluster"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

var argo struct {
	once sync.Once
	argo *devcluster.ArgoCD
	err  error
}

// ArgoCD returns the test binary's control plane with ArgoCD's CRDs and
// ArgoCD's application controller and repo server running, starting them
// on the first call (see Kube). Applications in every namespace are
// reconciled, so tests keep giving theirs a namespace of their own.
func ArgoCD(t testing.TB) (*Cluster, *devcluster.ArgoCD) {
	t.Helper()
	c := Kube(t)
	argo.once.Do(func() {
		begin := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		argo.argo, argo.err = c.StartArgoCD(ctx)
		if argo.err == nil {
			fmt.Fprintf(os.Stderr, "acctest: ArgoCD %s ready in %s (external: %v)\n", devcluster.ArgoCDVersion, time.Since(begin).Round(time.Millisecond), argo.argo.External)
		}
	})
	if argo.err != nil {
		t.Fatalf("starting ArgoCD: %v", argo.err)
	}
	return c, argo.argo
}

// WaitForApplication polls the Application ns/name until done returns
// true, and fails the test after timeout with the last status seen.
func (c *Cluster) WaitForApplication(t testing.TB, ns, name string, timeout time.Duration, what string, done func(*unstructured.Unstructured) bool) *unstructured.Unstructured {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last *unstructured.Unstructured
	for {
		obj, err := c.Dynamic.Resource(kube.ApplicationGVR).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err == nil {
			last = obj
			if done(obj) {
				return obj
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Application %s/%s: not %s after %s (last error %v, last status %s)", ns, name, what, timeout, err, statusSummary(last))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// statusSummary is what a failing test prints of ArgoCD's status: sync,
// health, conditions and the last operation's message. Never the whole
// status: its comparedTo and history repeat the spec's Helm values, which
// may be sensitive.
func statusSummary(o *unstructured.Unstructured) string {
	if o == nil {
		return "none"
	}
	str := func(f ...string) string { v, _, _ := unstructured.NestedString(o.Object, f...); return v }
	out := fmt.Sprintf("sync %q, health %q, compared path %q, operation %q: %q", str("status", "sync", "status"), str("status", "health", "status"),
		str("status", "sync", "comparedTo", "source", "path"), str("status", "operationState", "phase"), str("status", "operationState", "message"))
	conditions, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	for _, c := range conditions {
		m, _ := c.(map[string]any)
		out += fmt.Sprintf("; %v: %v", m["type"], m["message"])
	}
	return out
}

// SyncedHealthy reports whether ArgoCD says the Application is Synced and
// Healthy.
func SyncedHealthy(o *unstructured.Unstructured) bool {
	sync, _, _ := unstructured.NestedString(o.Object, "status", "sync", "status")
	health, _, _ := unstructured.NestedString(o.Object, "status", "health", "status")
	return sync == "Synced" && health == "Healthy"
}

var appProjectsGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "appprojects"}

// AppProject creates an AppProject open to every repository, destination
// and source namespace, as the default one is, for tests whose
// Applications name another project.
func (c *Cluster) AppProject(t testing.TB, name string) {
	t.Helper()
	project := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
		"metadata": map[string]any{"name": name, "namespace": devcluster.ArgoCDNamespace},
		"spec": map[string]any{
			"sourceRepos":              []any{"*"},
			"destinations":             []any{map[string]any{"server": "*", "namespace": "*"}},
			"clusterResourceWhitelist": []any{map[string]any{"group": "*", "kind": "*"}},
			"sourceNamespaces":         []any{"*"},
		},
	}}
	_, err := c.Dynamic.Resource(appProjectsGVR).Namespace(devcluster.ArgoCDNamespace).Create(context.Background(), project, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("creating AppProject %s: %v", name, err)
	}
}
