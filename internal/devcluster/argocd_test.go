package devcluster

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/homelab-tf/terraform-provider-homelab/internal/proctree"
)

// gitRepo makes a repository with one commit of files (given its URL),
// for ArgoCD's repo server to clone as a file:// URL.
func gitRepo(t *testing.T, files func(url string) map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	url := "file://" + dir
	for name, content := range files(url) {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "--quiet", "--initial-branch=main"}, {"add", "--all"}, {"commit", "--quiet", "-m", "apps"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return url
}

func appStatus(o *unstructured.Unstructured) (sync, health string) {
	sync, _, _ = unstructured.NestedString(o.Object, "status", "sync", "status")
	health, _, _ = unstructured.NestedString(o.Object, "status", "health", "status")
	return sync, health
}

// TestAccArgoCD checks ArgoCD on the test ground: its controller and repo
// server start against the control plane, an app of apps from a local git
// repository syncs (the root creates the child Application, the child its
// ConfigMap), and stopping the control plane leaves none of the processes
// this package started (kube-controller-manager, ArgoCD's) running.
func TestAccArgoCD(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to start the control plane and ArgoCD (make testacc)")
	}
	c, stop, err := Start(true)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	begin := time.Now()
	a, err := c.StartArgoCD(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ArgoCD %s ready in %s", ArgoCDVersion, time.Since(begin).Round(time.Millisecond))
	if again, err := c.StartArgoCD(ctx); err != nil || again != a {
		t.Errorf("a second StartArgoCD: %v, %v; want the running one", again, err)
	}
	groups := c.ProcessGroups()
	if !c.External && len(groups) != 3 {
		t.Errorf("process groups %v; want kube-controller-manager, the repo server and the controller", groups)
	}

	repo := gitRepo(t, func(url string) map[string]string {
		return map[string]string{
			"apps/child.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: child
  namespace: argocd
spec:
  project: default
  destination: {server: "https://kubernetes.default.svc", namespace: devcluster-child}
  source: {repoURL: "` + url + `", path: child, targetRevision: HEAD}
  syncPolicy: {automated: {}, syncOptions: [CreateNamespace=true]}
`,
			"child/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-git\ndata:\n  synced: \"yes\"\n",
		}
	})

	apps := c.Dynamic.Resource(applicationsGVR).Namespace(ArgoCDNamespace)
	root := application("root", map[string]any{
		"project":     "default",
		"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": ArgoCDNamespace},
		"source":      map[string]any{"repoURL": repo, "path": "apps", "targetRevision": "HEAD"},
		"syncPolicy":  map[string]any{"automated": map[string]any{}},
	})
	root.SetNamespace(ArgoCDNamespace)
	if _, err := apps.Create(ctx, root, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"root", "child"} {
		var sync, health string
		for ctx.Err() == nil {
			o, err := apps.Get(ctx, name, metav1.GetOptions{})
			if err == nil {
				if sync, health = appStatus(o); sync == "Synced" && health == "Healthy" {
					break
				}
			} else if !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
		}
		if ctx.Err() != nil {
			t.Fatalf("Application %s: %q/%q, not Synced/Healthy", name, sync, health)
		}
		t.Logf("Application %s Synced/Healthy after %s", name, time.Since(begin).Round(time.Millisecond))
	}
	cm, err := c.Clientset.CoreV1().ConfigMaps("devcluster-child").Get(ctx, "from-git", metav1.GetOptions{})
	if err != nil || cm.Data["synced"] != "yes" {
		t.Fatalf("the child's ConfigMap: %v, %v", cm, err)
	}

	stop()
	stopped = true
	for _, g := range groups {
		if left := proctree.Group(g); len(left) > 0 {
			t.Errorf("process group %d: %v still running after stop", g, left)
		}
	}
}
