package service

import (
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

func TestObject(t *testing.T) {
	t.Parallel()
	wave := int64(-2)
	helm := appSpec{
		Name: "infisical", Namespace: "infisical", ArgoNamespace: "argocd", Project: "secrets", Component: "secrets", PartOf: "homelab",
		SyncWave: &wave, CascadeDelete: true,
		Helm:   &helmSpec{RepoURL: "https://charts.example.com", Chart: "infisical-standalone", Version: "1.7.2"},
		Sync:   &syncSpec{Automated: true, Prune: true, Options: []string{"CreateNamespace=true"}},
		Ignore: []ignoreSpec{{Kind: "Secret", JSONPointers: []string{"/data"}}},
	}
	obj := helm.object(map[string]any{"a": 1})
	yaml := manifestYAML(obj)
	for _, want := range []string{
		"apiVersion: argoproj.io/v1alpha1\n", "kind: Application\n", "argocd.argoproj.io/sync-wave: \"-2\"", "- resources-finalizer.argocd.argoproj.io",
		"app.kubernetes.io/component: secrets", "app.kubernetes.io/managed-by: terraform", "app.kubernetes.io/name: infisical",
		"app.kubernetes.io/part-of: homelab", "server: https://kubernetes.default.svc", "chart: infisical-standalone", "targetRevision: 1.7.2",
		"valuesObject:\n        a: 1", "prune: true", "- CreateNamespace=true", "kind: Secret", "- /data", "project: secrets",
	} {
		if !strings.Contains(yaml, want) {
			t.Errorf("manifest lacks %q:\n%s", want, yaml)
		}
	}
	if strings.Contains(yaml, "group:") {
		t.Errorf("an empty group was written:\n%s", yaml)
	}
	// ArgoCD's controller writes the Application back without false flags.
	if strings.Contains(yaml, "selfHeal") {
		t.Errorf("selfHeal: false was written; ArgoCD would drop it and the plan would show a diff:\n%s", yaml)
	}

	git := appSpec{Name: "root", Namespace: "argocd", ArgoNamespace: "argocd", Project: "default", PartOf: "homelab",
		Git: &gitSpec{RepoURL: "https://github.com/me/homelab.git", Path: "k8s/apps", TargetRevision: "HEAD"}, Sync: &syncSpec{}}
	obj = git.object(nil)
	spec := obj["spec"].(map[string]any)
	if _, ok := spec["syncPolicy"]; ok {
		t.Errorf("a sync policy with nothing set was written: %v", spec["syncPolicy"])
	}
	if !reflect.DeepEqual(spec["source"], map[string]any{"repoURL": "https://github.com/me/homelab.git", "path": "k8s/apps", "targetRevision": "HEAD"}) {
		t.Errorf("source = %v", spec["source"])
	}
	meta := obj["metadata"].(map[string]any)
	if _, ok := meta["annotations"]; ok {
		t.Errorf("annotations without a sync wave: %v", meta["annotations"])
	}
	if _, ok := meta["finalizers"]; ok {
		t.Errorf("finalizers without cascade_delete: %v", meta["finalizers"])
	}
}

func TestManifestForRedactsAndMatchesRefresh(t *testing.T) {
	t.Parallel()
	values, _ := parseValues("postgresql: {auth: {username: u}}", false)
	sensitive := map[string]any{"postgresql": map[string]any{"auth": map[string]any{"password": "s3cret-Value"}}}
	s := appSpec{Name: "infisical", Namespace: "infisical", ArgoNamespace: "argocd", Project: "default",
		Helm: &helmSpec{RepoURL: "https://charts.example.com", Chart: "c", Version: "1.0.0", Values: values}}
	paths := leafPaths(sensitive)
	planned, desired := manifestFor(s, paths)
	if strings.Contains(planned, "s3cret") || !strings.Contains(planned, "password: "+Redacted) || !strings.Contains(planned, "username: u") {
		t.Fatalf("planned manifest:\n%s", planned)
	}
	// What the cluster holds after the apply, with a status and fields of
	// other managers: refresh renders the same manifest.
	live := s.object(deepMerge(values, sensitive))
	live["status"] = map[string]any{"sync": map[string]any{"status": "Synced"}}
	live["metadata"].(map[string]any)["finalizers"] = []any{"other.example.com/finalizer"}
	live["metadata"].(map[string]any)["labels"].(map[string]any)["team"] = "ops"
	live["metadata"].(map[string]any)["uid"] = "1234"
	refreshed := manifestYAML(redactObject(liveView(live, desired), paths, nil))
	if refreshed != planned {
		t.Errorf("refresh renders\n%s\nbut plan rendered\n%s", refreshed, planned)
	}
	// A sensitive value another client changed shows as changed, never
	// as itself.
	changed := manifestYAML(redactObject(liveView(live, desired), paths, paths))
	if changed == planned || !strings.Contains(changed, "password: "+RedactedChanged) || strings.Contains(changed, "s3cret") {
		t.Errorf("a changed sensitive value renders\n%s", changed)
	}
	// A changed field of ours shows.
	live["spec"].(map[string]any)["project"] = "other"
	if manifestYAML(redactObject(liveView(live, desired), paths, nil)) == planned {
		t.Error("a changed project does not show in the manifest")
	}
}

// TestObjectArgoCDFeatures: value files from git make a multi-source
// Application with the chart first and the repository as ref "values";
// git.recurse and sync_policy.retry land where ArgoCD reads them.
func TestObjectArgoCDFeatures(t *testing.T) {
	t.Parallel()
	factor := int64(2)
	s := appSpec{Name: "infisical", Namespace: "infisical", ArgoNamespace: "argocd", Project: "default",
		Helm: &helmSpec{RepoURL: "https://charts.example.com", Chart: "c", Version: "1.0.0", ValueFiles: []string{"$values/k8s/infisical.yaml"},
			ValuesFrom: &gitSpec{RepoURL: "https://github.com/me/homelab.git", TargetRevision: "main"}},
		Sync: &syncSpec{Automated: true, Retry: &retrySpec{Limit: 5, Backoff: &backoffSpec{Duration: "5s", Factor: &factor, MaxDuration: "3m"}}},
	}
	obj := canonical(s.object(map[string]any{"a": "b"})).(map[string]any)
	spec := obj["spec"].(map[string]any)
	if _, single := spec["source"]; single {
		t.Errorf("a multi-source Application has spec.source: %v", spec["source"])
	}
	want := canonical([]any{
		map[string]any{"repoURL": "https://charts.example.com", "chart": "c", "targetRevision": "1.0.0",
			"helm": map[string]any{"valuesObject": map[string]any{"a": "b"}, "valueFiles": []any{"$values/k8s/infisical.yaml"}}},
		map[string]any{"repoURL": "https://github.com/me/homelab.git", "targetRevision": "main", "ref": "values"},
	})
	if !reflect.DeepEqual(spec["sources"], want) {
		t.Errorf("sources = %v\nwant %v", spec["sources"], want)
	}
	if got := helmValues(obj); !reflect.DeepEqual(got, map[string]any{"a": "b"}) {
		t.Errorf("helmValues of a multi-source Application = %v", got)
	}
	wantPolicy := canonical(map[string]any{"automated": map[string]any{}, "retry": map[string]any{"limit": 5,
		"backoff": map[string]any{"duration": "5s", "factor": 2, "maxDuration": "3m"}}})
	if !reflect.DeepEqual(spec["syncPolicy"], wantPolicy) {
		t.Errorf("syncPolicy = %v, want %v", spec["syncPolicy"], wantPolicy)
	}
	if got := redactObject(obj, [][]string{{"a"}}, nil); helmValues(got)["a"] != Redacted || helmValues(obj)["a"] != "b" {
		t.Errorf("redactObject of a multi-source Application: %v (original %v)", helmValues(got), helmValues(obj))
	}

	git := appSpec{Name: "root", Namespace: "argocd", ArgoNamespace: "argocd", Project: "default",
		Git: &gitSpec{RepoURL: "file:///srv/homelab", Path: "k8s", Recurse: true}}
	src := git.object(nil)["spec"].(map[string]any)["source"].(map[string]any)
	if !reflect.DeepEqual(src["directory"], map[string]any{"recurse": true}) {
		t.Errorf("git.recurse: directory = %v", src["directory"])
	}
}

// TestChangedSensitive: a sensitive value is changed when it is missing
// or the provider's field manager no longer owns it, in a single-source
// Application (valuesObject owned field by field) and a multi-source one
// (spec.sources owned whole). The values themselves play no part.
func TestChangedSensitive(t *testing.T) {
	t.Parallel()
	owned := func(fields string) kube.FieldSet {
		return kube.OwnedFields(&metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{{
			Manager: kube.FieldManager, Operation: metav1.ManagedFieldsOperationApply, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields),
		}}})
	}
	values := map[string]any{"auth": map[string]any{"password": "x", "user": "u"}, "token": "y"}
	single := map[string]any{"spec": map[string]any{"source": map[string]any{"chart": "c", "helm": map[string]any{"valuesObject": values}}}}
	multi := map[string]any{"spec": map[string]any{"sources": []any{
		map[string]any{"repoURL": "file:///git", "ref": "values"},
		map[string]any{"chart": "c", "helm": map[string]any{"valuesObject": values}},
	}}}
	paths := [][]string{{"auth", "password"}, {"token"}}
	const allSingle = `{"f:spec":{"f:source":{"f:chart":{},"f:helm":{"f:valuesObject":{"f:auth":{".":{},"f:password":{}},"f:token":{}}}}}}`
	tests := []struct {
		name   string
		obj    map[string]any
		fields string
		paths  [][]string
		want   [][]string
	}{
		{"all ours", single, allSingle, paths, nil},
		{"one taken", single, `{"f:spec":{"f:source":{"f:helm":{"f:valuesObject":{"f:auth":{},"f:token":{}}}}}}`, paths, [][]string{{"auth", "password"}}},
		{"one missing", single, allSingle, [][]string{{"auth", "password"}, {"gone"}}, [][]string{{"gone"}}},
		{"nothing applied", single, `{}`, paths, paths},
		{"sources owned whole", multi, `{"f:spec":{"f:project":{},"f:sources":{}}}`, paths, nil},
		{"sources taken", multi, `{"f:spec":{"f:project":{}}}`, paths, paths},
		{"no sensitive values", single, `{}`, nil, nil},
	}
	for _, tt := range tests {
		if got := changedSensitive(tt.obj, owned(tt.fields), tt.paths); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: changedSensitive = %v, want %v", tt.name, got, tt.want)
		}
	}
}
