package kube

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// fakeArgo is an API server that serves Applications once `served` is set.
type fakeArgo struct {
	mu        sync.Mutex
	served    bool
	lists     int
	patchBody map[string]any
	patchType string
	query     string
}

func (f *fakeArgo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !f.served {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}`)
		return
	}
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/applications"):
		f.lists++
		_, _ = io.WriteString(w, `{"apiVersion":"argoproj.io/v1alpha1","kind":"ApplicationList","metadata":{},"items":[]}`)
	case r.Method == http.MethodGet || r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","details":{"name":"gone","group":"argoproj.io","kind":"applications"},"code":404}`)
	case r.Method == http.MethodPatch:
		f.patchType, f.query = r.Header.Get("Content-Type"), r.URL.RawQuery
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &f.patchBody)
		_, _ = w.Write(body)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func newFake(t *testing.T) (*fakeArgo, *Client) {
	t.Helper()
	f := &fakeArgo{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := New(Settings{Host: srv.URL, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func TestWaitForApplicationCRD(t *testing.T) {
	old := CRDPollInterval
	CRDPollInterval = 50 * time.Millisecond
	t.Cleanup(func() { CRDPollInterval = old })

	f, c := newFake(t)
	start := time.Now()
	err := c.WaitForApplicationCRD(context.Background(), "argocd", 300*time.Millisecond)
	var missing *CRDMissingError
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), ApplicationCRD) {
		t.Fatalf("without the CRD: %v, want a *CRDMissingError naming %s", err, ApplicationCRD)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 3*time.Second {
		t.Errorf("gave up after %s, want about the 300ms timeout", d)
	}

	go func() {
		time.Sleep(150 * time.Millisecond)
		f.mu.Lock()
		f.served = true
		f.mu.Unlock()
	}()
	if err := c.WaitForApplicationCRD(context.Background(), "argocd", 5*time.Second); err != nil {
		t.Fatalf("the CRD appeared, but: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.mu.Lock()
	f.served = false
	f.mu.Unlock()
	if err := c.WaitForApplicationCRD(ctx, "argocd", time.Minute); err == nil {
		t.Error("a cancelled wait returned nil")
	}
}

func TestApplyApplicationNeverSendsControllerFields(t *testing.T) {
	t.Parallel()
	f, c := newFake(t)
	f.served = true
	obj := &unstructured.Unstructured{Object: map[string]any{
		"metadata":  map[string]any{"name": "infisical", "namespace": "argocd"},
		"spec":      map[string]any{"project": "default"},
		"status":    map[string]any{"sync": map[string]any{"status": "Synced"}},
		"operation": map[string]any{"sync": map[string]any{}},
	}}
	if _, err := c.ApplyApplication(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.patchBody["status"]; ok {
		t.Error("status was sent")
	}
	if _, ok := f.patchBody["operation"]; ok {
		t.Error("operation was sent")
	}
	if f.patchBody["apiVersion"] != "argoproj.io/v1alpha1" || f.patchBody["kind"] != "Application" {
		t.Errorf("apiVersion/kind = %v/%v", f.patchBody["apiVersion"], f.patchBody["kind"])
	}
	if f.patchType != "application/apply-patch+yaml" || !strings.Contains(f.query, "fieldManager="+FieldManager) || !strings.Contains(f.query, "force=true") {
		t.Errorf("patch %s ?%s is not a forced server-side apply by %s", f.patchType, f.query, FieldManager)
	}
	if _, ok := obj.Object["status"]; !ok {
		t.Error("ApplyApplication changed its argument")
	}
}

func TestGetApplication(t *testing.T) {
	t.Parallel()
	f, c := newFake(t)
	var missing *CRDMissingError
	if _, err := c.GetApplication(context.Background(), "argocd", "gone"); !errors.As(err, &missing) {
		t.Errorf("without the CRD: %v, want *CRDMissingError", err)
	}
	f.mu.Lock()
	f.served = true
	f.mu.Unlock()
	if obj, err := c.GetApplication(context.Background(), "argocd", "gone"); obj != nil || err != nil {
		t.Errorf("a missing Application = %v, %v; want nil, nil", obj, err)
	}
	if err := c.DeleteApplication(context.Background(), "argocd", "gone"); err != nil {
		t.Errorf("deleting a missing Application: %v", err)
	}
}

func TestIsResourceMissing(t *testing.T) {
	t.Parallel()
	apps := schema.GroupResource{Group: "argoproj.io", Resource: "applications"}
	if isResourceMissing(apierrors.NewNotFound(apps, "infisical")) {
		t.Error("a missing Application was taken for a missing CRD")
	}
	if isResourceMissing(apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "argocd")) {
		t.Error("a missing namespace was taken for a missing CRD")
	}
	if !isResourceMissing(&apierrors.StatusError{ErrStatus: apierrors.NewNotFound(apps, "").ErrStatus}) {
		t.Error("a 404 without a name was not taken for a missing CRD")
	}
	if isResourceMissing(errors.New("boom")) {
		t.Error("any error was taken for a missing CRD")
	}
}
