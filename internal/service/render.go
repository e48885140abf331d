package service

import (
	"strconv"

	"sigs.k8s.io/yaml"
)

// Names ArgoCD and Kubernetes give meaning to.
const (
	// ResourcesFinalizer makes ArgoCD delete an Application's resources
	// before the Application itself.
	ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io"
	SyncWaveAnnotation = "argocd.argoproj.io/sync-wave"
	LabelName          = "app.kubernetes.io/name"
	LabelPartOf        = "app.kubernetes.io/part-of"
	LabelComponent     = "app.kubernetes.io/component"
	LabelManagedBy     = "app.kubernetes.io/managed-by"
	ManagedBy          = "terraform"
	// InClusterServer is the destination of every service: the cluster
	// ArgoCD runs in.
	InClusterServer = "https://kubernetes.default.svc"
)

// appSpec is what the provider owns of one Application, free of
// Terraform types.
type appSpec struct {
	Name, Namespace, ArgoNamespace, Project string
	Component, PartOf                       string
	SyncWave                                *int64
	Helm                                    *helmSpec
	Git                                     *gitSpec
	Sync                                    *syncSpec
	Ignore                                  []ignoreSpec
	CascadeDelete                           bool
}

type helmSpec struct {
	RepoURL, Chart, Version string
	Values                  map[string]any // the non-sensitive values
}

type gitSpec struct{ RepoURL, Path, TargetRevision string }

type syncSpec struct {
	Automated, Prune, SelfHeal bool
	Options                    []string
}

type ignoreSpec struct {
	Group, Kind, Name, Namespace string
	JSONPointers, JQPaths        []string
}

// object is the Application as the provider applies it, with the Helm
// values `values` (the non-sensitive ones with the sensitive ones merged
// in, or a redacted copy). Empty strings, lists and maps are left out:
// the API server would not keep them, and they would read back as drift.
func (s appSpec) object(values map[string]any) map[string]any {
	labels := map[string]any{LabelName: s.Name, LabelManagedBy: ManagedBy}
	if s.PartOf != "" {
		labels[LabelPartOf] = s.PartOf
	}
	if s.Component != "" {
		labels[LabelComponent] = s.Component
	}
	meta := map[string]any{"name": s.Name, "namespace": s.ArgoNamespace, "labels": labels}
	if s.SyncWave != nil {
		meta["annotations"] = map[string]any{SyncWaveAnnotation: strconv.FormatInt(*s.SyncWave, 10)}
	}
	if s.CascadeDelete {
		meta["finalizers"] = []any{ResourcesFinalizer}
	}
	spec := map[string]any{
		"project":     s.Project,
		"destination": map[string]any{"server": InClusterServer, "namespace": s.Namespace},
	}
	switch {
	case s.Helm != nil:
		src := map[string]any{"repoURL": s.Helm.RepoURL, "chart": s.Helm.Chart, "targetRevision": s.Helm.Version}
		if len(values) > 0 {
			src["helm"] = map[string]any{"valuesObject": values}
		}
		spec["source"] = src
	case s.Git != nil:
		src := map[string]any{"repoURL": s.Git.RepoURL, "path": s.Git.Path}
		if s.Git.TargetRevision != "" {
			src["targetRevision"] = s.Git.TargetRevision
		}
		spec["source"] = src
	}
	if s.Sync != nil {
		policy := map[string]any{}
		if s.Sync.Automated {
			policy["automated"] = map[string]any{"prune": s.Sync.Prune, "selfHeal": s.Sync.SelfHeal}
		}
		if len(s.Sync.Options) > 0 {
			policy["syncOptions"] = anyList(s.Sync.Options)
		}
		if len(policy) > 0 {
			spec["syncPolicy"] = policy
		}
	}
	if len(s.Ignore) > 0 {
		var list []any
		for _, ig := range s.Ignore {
			item := map[string]any{"kind": ig.Kind}
			for k, v := range map[string]string{"group": ig.Group, "name": ig.Name, "namespace": ig.Namespace} {
				if v != "" {
					item[k] = v
				}
			}
			if len(ig.JSONPointers) > 0 {
				item["jsonPointers"] = anyList(ig.JSONPointers)
			}
			if len(ig.JQPaths) > 0 {
				item["jqPathExpressions"] = anyList(ig.JQPaths)
			}
			list = append(list, item)
		}
		spec["ignoreDifferences"] = list
	}
	return canonical(map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata":   meta,
		"spec":       spec,
	}).(map[string]any)
}

func anyList(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

// helmValues is the valuesObject of an Application object, or nil.
func helmValues(obj map[string]any) map[string]any {
	v, _ := lookup(obj, []string{"spec", "source", "helm", "valuesObject"})
	m, _ := v.(map[string]any)
	return m
}

// redactObject returns a copy of obj whose Helm values at paths read
// Redacted.
func redactObject(obj map[string]any, paths [][]string) map[string]any {
	out, _ := deepCopy(obj).(map[string]any)
	if values := helmValues(out); values != nil && len(paths) > 0 {
		set(out, []string{"spec", "source", "helm", "valuesObject"}, redact(values, paths))
	}
	return out
}

// manifestYAML renders an object as YAML with sorted keys.
func manifestYAML(obj map[string]any) string {
	out, err := yaml.Marshal(canonical(obj))
	if err != nil {
		return ""
	}
	return string(out)
}

// liveView is what of a live Application the provider compares with what
// it applies: the fields desired has, and of the finalizers only its own.
func liveView(live, desired map[string]any) map[string]any {
	view, _ := deepCopy(canonical(live)).(map[string]any)
	delete(view, "status")
	delete(view, "operation")
	if meta, ok := view["metadata"].(map[string]any); ok {
		var ours []any
		if list, ok := meta["finalizers"].([]any); ok {
			for _, f := range list {
				if f == ResourcesFinalizer {
					ours = append(ours, f)
				}
			}
		}
		if len(ours) > 0 {
			meta["finalizers"] = ours
		} else {
			delete(meta, "finalizers")
		}
	}
	out, _ := project(view, desired).(map[string]any)
	return out
}
