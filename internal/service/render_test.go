package service

import (
	"reflect"
	"strings"
	"testing"
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
		"valuesObject:\n        a: 1", "prune: true", "selfHeal: false", "- CreateNamespace=true", "kind: Secret", "- /data", "project: secrets",
	} {
		if !strings.Contains(yaml, want) {
			t.Errorf("manifest lacks %q:\n%s", want, yaml)
		}
	}
	if strings.Contains(yaml, "group:") {
		t.Errorf("an empty group was written:\n%s", yaml)
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
	refreshed := manifestYAML(redactObject(liveView(live, desired), paths))
	if refreshed != planned {
		t.Errorf("refresh renders\n%s\nbut plan rendered\n%s", refreshed, planned)
	}
	// A changed field of ours shows.
	live["spec"].(map[string]any)["project"] = "other"
	if manifestYAML(redactObject(liveView(live, desired), paths)) == planned {
		t.Error("a changed project does not show in the manifest")
	}
}
