package service

import (
	"cmp"
	"fmt"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ArgoCD's status of an Application, as its controller writes it.

// compared reports whether ArgoCD's controller has compared the
// Application as it is now: status.sync.comparedTo holds the source(s) and
// destination of the spec. Until then the status describes an earlier
// spec (after an update) or nothing at all (after a create), and must not
// end a wait.
func compared(obj map[string]any) bool {
	c, _ := canonical(obj).(map[string]any)
	spec, _ := c["spec"].(map[string]any)
	got, ok := lookup(c, []string{"status", "sync", "comparedTo"})
	if !ok || spec == nil {
		return false
	}
	want := map[string]any{"destination": spec["destination"]}
	if sources, ok := spec["sources"]; ok {
		want["sources"] = sources
	} else {
		want["source"] = spec["source"]
	}
	return reflect.DeepEqual(project(got, want), want)
}

// operationDone reports whether no sync operation is running: none was
// started, or the last one ended (whatever its result).
func operationDone(obj map[string]any) bool {
	if _, running := obj["operation"]; running {
		return false
	}
	phase := nestedString(obj, "status", "operationState", "phase")
	return phase != "Running" && phase != "Terminating"
}

// errorConditions are the Application's conditions of an error type
// (ComparisonError, InvalidSpecError, SyncError, ...; the others are
// warnings).
func errorConditions(obj map[string]any) []string {
	var out []string
	conditions, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
	for _, c := range conditions {
		m, _ := c.(map[string]any)
		if t := nestedString(m, "type"); strings.HasSuffix(t, "Error") {
			out = append(out, t)
		}
	}
	return out
}

// reached reports whether ArgoCD's status of obj is what wait asks for.
// An error condition rules it out: ArgoCD calls an Application whose
// manifests it cannot even render (a path that does not exist) Healthy,
// since none of its zero resources is unhealthy.
func (w waitFor) reached(obj map[string]any) bool {
	if !compared(obj) || len(errorConditions(obj)) > 0 {
		return false
	}
	if w.Healthy && nestedString(obj, "status", "health", "status") != "Healthy" {
		return false
	}
	if w.Synced && (nestedString(obj, "status", "sync", "status") != "Synced" || !operationDone(obj)) {
		return false
	}
	return true
}

// goal names what wait asks for, for a diagnostic's summary.
func (w waitFor) goal() string {
	switch {
	case w.Healthy && w.Synced:
		return "Synced And Healthy"
	case w.Synced:
		return "Synced"
	}
	return "Healthy"
}

// argoMessages are ArgoCD's own words about what is wrong: the messages of
// the Application's conditions (ComparisonError, InvalidSpecError, ...)
// and of its last sync operation when that did not succeed.
func argoMessages(obj map[string]any) []string {
	var out []string
	conditions, _, _ := unstructured.NestedSlice(obj, "status", "conditions")
	for _, c := range conditions {
		m, _ := c.(map[string]any)
		if msg := nestedString(m, "message"); msg != "" {
			out = append(out, fmt.Sprintf("%s: %s", cmp.Or(nestedString(m, "type"), "Condition"), msg))
		}
	}
	if phase := nestedString(obj, "status", "operationState", "phase"); phase != "" && phase != "Succeeded" {
		if msg := nestedString(obj, "status", "operationState", "message"); msg != "" {
			out = append(out, fmt.Sprintf("sync %s: %s", phase, msg))
		}
	}
	return out
}

// waitDiagnostic explains a wait that timed out with ArgoCD's view of the
// Application.
func waitDiagnostic(object string, w waitFor, last *unstructured.Unstructured) diag.Diagnostic {
	health, sync, seen := "no health", "no sync status", "ArgoCD's controller has not compared the Application as applied yet (is it running?)"
	var messages []string
	if last != nil {
		health = cmp.Or(nestedString(last.Object, "status", "health", "status"), health)
		sync = cmp.Or(nestedString(last.Object, "status", "sync", "status"), sync)
		if compared(last.Object) {
			seen = "ArgoCD has compared the Application as applied"
		}
		messages = argoMessages(last.Object)
	}
	said := ""
	if len(messages) > 0 {
		said = " ArgoCD says:\n  " + strings.Join(messages, "\n  ") + "\n"
	}
	return diag.NewErrorDiagnostic(fmt.Sprintf("Error Waiting For Service %s To Become %s", object, w.goal()), fmt.Sprintf(
		"The Application was applied, but after %s (wait_for.timeout) ArgoCD reports %s and %s; %s.%s Check it in ArgoCD "+
			"(argocd app get %s): a path or chart that does not exist, a failing sync, pods that do not start. Raise wait_for.timeout "+
			"for slow services, or set wait_for.healthy and wait_for.synced to false to not wait.",
		w.Timeout, health, sync, seen, said, object))
}
