package devcluster

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

var applicationsGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}

func application(name string, spec any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata":   map[string]any{"name": name},
		"spec":       spec,
	}}
}

// TestAccStart checks the Kubernetes test ground itself: the control plane
// starts, ArgoCD's real CRDs validate Applications, and the kubeconfig file
// works from another client, as the provider will use it. It is an
// acceptance test because it builds on bin/kube (`make testacc`).
func TestAccStart(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to start the control plane (make testacc)")
	}
	begin := time.Now()
	c, stop, err := Start(true)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	t.Logf("control plane ready with ArgoCD's CRDs in %s (external: %v, kubeconfig: %s)",
		time.Since(begin).Round(time.Millisecond), c.External, c.Kubeconfig)

	if _, _, err := Start(true); err == nil {
		t.Error("a second Start succeeded; want an error")
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	ns, err := c.CreateNamespace(ctx, "ArgoCD_test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ns, "argocd-test-") {
		t.Errorf("namespace %q: want the prefix argocd-test-", ns)
	}
	if other, err := c.CreateNamespace(ctx, "ArgoCD_test"); err != nil || other == ns {
		t.Errorf("a second namespace from one prefix: %q, %v; want a new name", other, err)
	}

	ext, err := apiextensionsclient.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range ArgoCDCRDNames {
		crd, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("CRD %s: %v", name, err)
		}
		if !CRDEstablished(crd) {
			t.Errorf("CRD %s is not established: %+v", name, crd.Status.Conditions)
		}
	}

	apps := c.Dynamic.Resource(applicationsGVR).Namespace(ns)
	valid := map[string]any{
		"project":     "default",
		"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "demo"},
		"source": map[string]any{
			"repoURL":        "https://github.com/argoproj/argocd-example-apps.git",
			"path":           "guestbook",
			"targetRevision": "HEAD",
		},
	}
	created, err := apps.Create(ctx, application("guestbook", valid), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating a valid Application: %v", err)
	}
	if got, _, _ := unstructured.NestedString(created.Object, "spec", "source", "repoURL"); got != "https://github.com/argoproj/argocd-example-apps.git" {
		t.Errorf("created Application's spec.source.repoURL = %q", got)
	}

	noRepo := map[string]any{
		"project":     "default",
		"destination": valid["destination"],
		"source":      map[string]any{"path": "guestbook", "targetRevision": "HEAD"},
	}
	for name, spec := range map[string]any{"no-repo-url": noRepo, "spec-string": "guestbook", "no-destination": map[string]any{"project": "default", "source": valid["source"]}} {
		_, err := apps.Create(ctx, application(name, spec), metav1.CreateOptions{})
		if !apierrors.IsInvalid(err) {
			t.Errorf("creating the invalid Application %s: got %v, want a validation error", name, err)
		} else {
			t.Logf("invalid Application %s rejected: %v", name, err)
		}
	}

	// What the provider does: a fresh client from the kubeconfig file.
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: c.Kubeconfig}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: c.Context}).ClientConfig()
	if err != nil {
		t.Fatalf("loading %s: %v", c.Kubeconfig, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
		t.Errorf("reading namespace %s through the kubeconfig file: %v", ns, err)
	}
	if v, err := cs.Discovery().ServerVersion(); err != nil {
		t.Errorf("server version through the kubeconfig file: %v", err)
	} else {
		t.Logf("server version %s", v.GitVersion)
	}

	block := c.ProviderBlock()
	if !strings.Contains(block, c.Kubeconfig) || !strings.HasPrefix(block, "kubernetes = {") {
		t.Errorf("ProviderBlock() = %s; want a kubernetes attribute with config_path %s", block, c.Kubeconfig)
	}
}
