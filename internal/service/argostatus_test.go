package service

import (
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// argoApp is an Application as ArgoCD's controller leaves it: spec, and a
// status compared against comparedPath.
func argoApp(comparedPath, sync, health string, conditions ...map[string]any) map[string]any {
	source := map[string]any{"repoURL": "file:///srv/homelab", "path": "apps", "targetRevision": "HEAD"}
	dest := map[string]any{"server": InClusterServer, "namespace": "apps"}
	status := map[string]any{
		"sync":   map[string]any{"status": sync, "comparedTo": map[string]any{"source": map[string]any{"repoURL": "file:///srv/homelab", "path": comparedPath, "targetRevision": "HEAD"}, "destination": dest}},
		"health": map[string]any{"status": health},
	}
	if len(conditions) > 0 {
		var list []any
		for _, c := range conditions {
			list = append(list, c)
		}
		status["conditions"] = list
	}
	return map[string]any{"spec": map[string]any{"source": source, "destination": dest}, "status": status}
}

func TestWaitReached(t *testing.T) {
	t.Parallel()
	healthy := waitFor{Healthy: true}
	synced := waitFor{Synced: true}
	both := waitFor{Healthy: true, Synced: true}
	comparison := map[string]any{"type": "ComparisonError", "message": "apps: app path does not exist"}
	running := argoApp("apps", "Synced", "Healthy")
	running["status"].(map[string]any)["operationState"] = map[string]any{"phase": "Running"}
	for _, tc := range []struct {
		name string
		w    waitFor
		obj  map[string]any
		want bool
	}{
		{"synced and healthy", both, argoApp("apps", "Synced", "Healthy"), true},
		{"no status yet", both, map[string]any{"spec": map[string]any{"source": map[string]any{"path": "apps"}}}, false},
		// After an update, the status describes the spec before it.
		{"status of the previous spec", healthy, argoApp("old", "Synced", "Healthy"), false},
		// ArgoCD calls an Application it cannot render Healthy.
		{"healthy with a comparison error", healthy, argoApp("apps", "Unknown", "Healthy", comparison), false},
		{"a warning is no error", healthy, argoApp("apps", "Synced", "Healthy", map[string]any{"type": "OrphanedResourceWarning", "message": "x"}), true},
		{"progressing", healthy, argoApp("apps", "Synced", "Progressing"), false},
		{"out of sync but healthy", healthy, argoApp("apps", "OutOfSync", "Healthy"), true},
		{"out of sync", synced, argoApp("apps", "OutOfSync", "Healthy"), false},
		{"a sync still running", synced, running, false},
	} {
		if got := tc.w.reached(tc.obj); got != tc.want {
			t.Errorf("%s: reached = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWaitDiagnosticQuotesArgoCD(t *testing.T) {
	t.Parallel()
	obj := argoApp("apps", "Unknown", "Healthy", map[string]any{"type": "ComparisonError", "message": "Failed to load target state: apps: app path does not exist"})
	obj["status"].(map[string]any)["operationState"] = map[string]any{"phase": "Failed", "message": "one or more objects failed to apply"}
	d := waitDiagnostic("argocd/root", waitFor{Healthy: true, Synced: true, Timeout: 20 * time.Second}, &unstructured.Unstructured{Object: obj})
	if d.Summary() != "Error Waiting For Service argocd/root To Become Synced And Healthy" {
		t.Errorf("summary %q", d.Summary())
	}
	for _, want := range []string{"after 20s (wait_for.timeout)", "Healthy and Unknown", "ArgoCD says:",
		"ComparisonError: Failed to load target state: apps: app path does not exist", "sync Failed: one or more objects failed to apply"} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail lacks %q:\n%s", want, d.Detail())
		}
	}
	if d := waitDiagnostic("argocd/root", waitFor{Healthy: true, Timeout: time.Second}, nil); !strings.Contains(d.Detail(), "has not compared") {
		t.Errorf("without an Application: %s", d.Detail())
	}
}
