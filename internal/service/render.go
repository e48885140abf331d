package service

import (
	"slices"
	"strconv"

	"sigs.k8s.io/yaml"

	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
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
	// ValuesRef names the git source of helm.values_from_git; value files
	// read from it start with "$values/".
	ValuesRef = "values"
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
	ValueFiles              []string
	// ValuesFrom is the git repository "$values/..." value files come
	// from: ArgoCD's second source, with ref ValuesRef.
	ValuesFrom *gitSpec
}

type gitSpec struct {
	RepoURL, Path, TargetRevision string
	Recurse                       bool
}

type syncSpec struct {
	Automated, Prune, SelfHeal bool
	Options                    []string
	Retry                      *retrySpec
}

type retrySpec struct {
	Limit   int64
	Backoff *backoffSpec
}

type backoffSpec struct {
	Duration, MaxDuration string
	Factor                *int64
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
	case s.Helm != nil && s.Helm.ValuesFrom != nil:
		spec["sources"] = []any{s.Helm.source(values), s.Helm.ValuesFrom.refSource()}
	case s.Helm != nil:
		spec["source"] = s.Helm.source(values)
	case s.Git != nil:
		spec["source"] = s.Git.source()
	}
	if policy := s.Sync.policy(); len(policy) > 0 {
		spec["syncPolicy"] = policy
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
	app, _ := canonical(map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata":   meta,
		"spec":       spec,
	}).(map[string]any) // canonical keeps a map a map
	return app
}

// source is the chart's Application source with the Helm values values.
func (h *helmSpec) source(values map[string]any) map[string]any {
	src := map[string]any{"repoURL": h.RepoURL, "chart": h.Chart, "targetRevision": h.Version}
	helm := map[string]any{}
	if len(values) > 0 {
		helm["valuesObject"] = values
	}
	if len(h.ValueFiles) > 0 {
		helm["valueFiles"] = anyList(h.ValueFiles)
	}
	if len(helm) > 0 {
		src["helm"] = helm
	}
	return src
}

// refSource is the source that only lends its files to the chart's
// value files, under ValuesRef.
func (g *gitSpec) refSource() map[string]any {
	src := map[string]any{"repoURL": g.RepoURL, "ref": ValuesRef}
	if g.TargetRevision != "" {
		src["targetRevision"] = g.TargetRevision
	}
	return src
}

func (g *gitSpec) source() map[string]any {
	src := map[string]any{"repoURL": g.RepoURL, "path": g.Path}
	if g.TargetRevision != "" {
		src["targetRevision"] = g.TargetRevision
	}
	if g.Recurse {
		src["directory"] = map[string]any{"recurse": true}
	}
	return src
}

// policy is the Application's syncPolicy; empty without one.
func (p *syncSpec) policy() map[string]any {
	policy := map[string]any{}
	if p == nil {
		return policy
	}
	if p.Automated {
		// Only true flags: ArgoCD's controller writes the Application back
		// from its Go types, whose omitempty drops false ones, and a false
		// we sent would read back as missing, a diff at every plan.
		automated := map[string]any{}
		if p.Prune {
			automated["prune"] = true
		}
		if p.SelfHeal {
			automated["selfHeal"] = true
		}
		policy["automated"] = automated
	}
	if len(p.Options) > 0 {
		policy["syncOptions"] = anyList(p.Options)
	}
	if r := p.Retry; r != nil {
		retry := map[string]any{"limit": r.Limit}
		if b := r.Backoff; b != nil {
			backoff := map[string]any{}
			if b.Duration != "" {
				backoff["duration"] = b.Duration
			}
			if b.Factor != nil {
				backoff["factor"] = *b.Factor
			}
			if b.MaxDuration != "" {
				backoff["maxDuration"] = b.MaxDuration
			}
			if len(backoff) > 0 {
				retry["backoff"] = backoff
			}
		}
		policy["retry"] = retry
	}
	return policy
}

func anyList(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

// helmSource is the source of an Application object that names a chart:
// spec.source, or the entry of spec.sources (multi-source, with value
// files from git) that has one; nil if none does. It is obj's own map.
func helmSource(obj map[string]any) map[string]any {
	spec, _ := obj["spec"].(map[string]any)
	if src, ok := spec["source"].(map[string]any); ok {
		return src
	}
	list, _ := spec["sources"].([]any)
	for _, item := range list {
		if src, ok := item.(map[string]any); ok && src["chart"] != nil {
			return src
		}
	}
	return nil
}

// changedSensitive lists the sensitive paths whose values in the live
// Application are missing or no longer owned by the provider's field
// manager: another client changed them after the provider's last apply.
// It looks at field ownership (kube.FieldSet), never at the values, so
// nothing the provider keeps depends on them. server-side apply tracks
// spec.source's valuesObject field by field, but spec.sources as one
// value (ArgoCD's CRD gives the list no x-kubernetes-list-type, so it is
// atomic): a change anywhere in it takes all of it.
func changedSensitive(live map[string]any, owned kube.FieldSet, paths [][]string) [][]string {
	values := []string{"helm", "valuesObject"}
	src := helmSource(live)
	spec, _ := live["spec"].(map[string]any)
	_, multi := spec["sources"]
	var out [][]string
	for _, p := range paths {
		_, present := lookup(src, slices.Concat(values, p))
		field := slices.Concat([]string{"spec", "source"}, values, p)
		if multi {
			field = []string{"spec", "sources"}
		}
		if !present || !owned.Has(field...) {
			out = append(out, p)
		}
	}
	return out
}

// helmValues is the valuesObject of an Application object, or nil.
func helmValues(obj map[string]any) map[string]any {
	v, _ := lookup(helmSource(obj), []string{"helm", "valuesObject"})
	m, _ := v.(map[string]any)
	return m
}

// redactObject returns a copy of obj whose Helm values at paths read
// Redacted, and those at changed RedactedChanged.
func redactObject(obj map[string]any, paths, changed [][]string) map[string]any {
	out, _ := deepCopy(obj).(map[string]any)
	isChanged := func(p []string) bool {
		return slices.ContainsFunc(changed, func(c []string) bool { return slices.Equal(c, p) })
	}
	if values := helmValues(out); values != nil && len(paths) > 0 {
		set(helmSource(out), []string{"helm", "valuesObject"}, redact(values, paths, isChanged))
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
