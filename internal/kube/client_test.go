package kube

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestNewNeedsAConfiguredCluster(t *testing.T) {
	t.Parallel()
	tests := []struct {
		settings Settings
		want     string
	}{
		{Settings{}, "set kubernetes.config_path"},
		{Settings{ConfigPath: "/nonexistent/kubeconfig"}, "reading the kubeconfig /nonexistent/kubeconfig"},
	}
	for _, tt := range tests {
		if _, err := New(tt.settings); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) error = %v, want it to mention %q", tt.settings, err, tt.want)
		}
	}
	c, err := New(Settings{Host: "https://127.0.0.1:6443", Token: "t", Insecure: true})
	if err != nil || c.Host() != "https://127.0.0.1:6443" {
		t.Fatalf("New with an explicit host = %v, %v", c, err)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	c := &Client{host: "https://10.0.0.1:6443"}
	secrets := schema.GroupResource{Resource: "secrets"}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"forbidden", apierrors.NewForbidden(secrets, "s", errors.New(`User "x" cannot create resource "secrets"`)), `cannot create resource "secrets"`},
		{"forbidden hint", apierrors.NewForbidden(secrets, "s", errors.New("no")), "Grant the provider's credentials"},
		{"missing namespace", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "infisical"), `the namespace "infisical" does not exist; create it first or set create_namespace = true`},
		{"unreachable", &url.Error{Op: "Get", URL: "https://10.0.0.1:6443/api", Err: errors.New("connection refused")}, "cannot reach the Kubernetes API server at https://10.0.0.1:6443"},
		{"unauthorized", apierrors.NewUnauthorized("bad token"), "did not accept the provider's credentials"},
	}
	for _, tt := range tests {
		if got := c.Explain(tt.err, "infisical"); got == nil || !strings.Contains(got.Error(), tt.want) {
			t.Errorf("%s: Explain = %v, want it to mention %q", tt.name, got, tt.want)
		}
	}
	other := apierrors.NewNotFound(secrets, "s")
	if got := c.Explain(other, "infisical"); !errors.Is(got, other) {
		t.Errorf("a missing Secret was rewritten: %v", got)
	}
	if c.Explain(nil, "x") != nil {
		t.Error("Explain(nil) is not nil")
	}
}
