package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

type serviceModel struct {
	ID                types.String      `tfsdk:"id"`
	Name              types.String      `tfsdk:"name"`
	Namespace         types.String      `tfsdk:"namespace"`
	ArgoNamespace     types.String      `tfsdk:"argocd_namespace"`
	Project           types.String      `tfsdk:"project"`
	Component         types.String      `tfsdk:"component"`
	PartOf            types.String      `tfsdk:"part_of"`
	SyncWave          types.Int64       `tfsdk:"sync_wave"`
	Helm              *helmModel        `tfsdk:"helm"`
	Git               *gitModel         `tfsdk:"git"`
	SyncPolicy        *syncPolicyModel  `tfsdk:"sync_policy"`
	IgnoreDifferences []ignoreDiffModel `tfsdk:"ignore_differences"`
	CascadeDelete     types.Bool        `tfsdk:"cascade_delete"`
	WaitFor           types.Object      `tfsdk:"wait_for"`
	Proxy             types.Object      `tfsdk:"proxy"`
	Backup            types.Object      `tfsdk:"backup"`
	UID               types.String      `tfsdk:"uid"`
	SyncStatus        types.String      `tfsdk:"sync_status"`
	HealthStatus      types.String      `tfsdk:"health_status"`
	Manifest          types.String      `tfsdk:"manifest"`
}

type helmModel struct {
	RepoURL                  types.String `tfsdk:"repo_url"`
	Chart                    types.String `tfsdk:"chart"`
	Version                  types.String `tfsdk:"version"`
	Values                   types.String `tfsdk:"values"`
	SensitiveValuesWO        types.String `tfsdk:"sensitive_values_wo"`
	SensitiveValuesWOVersion types.Int64  `tfsdk:"sensitive_values_wo_version"`
	ValueFiles               types.List   `tfsdk:"value_files"`
	ValuesFromGit            *gitRefModel `tfsdk:"values_from_git"`
}

// gitRefModel is the git repository helm.value_files may read from
// ("$values/..."): the second source of a multi-source Application.
type gitRefModel struct {
	RepoURL        types.String `tfsdk:"repo_url"`
	TargetRevision types.String `tfsdk:"target_revision"`
}

type gitModel struct {
	RepoURL        types.String `tfsdk:"repo_url"`
	Path           types.String `tfsdk:"path"`
	TargetRevision types.String `tfsdk:"target_revision"`
	Recurse        types.Bool   `tfsdk:"recurse"`
}

type syncPolicyModel struct {
	Automated   types.Bool  `tfsdk:"automated"`
	Prune       types.Bool  `tfsdk:"prune"`
	SelfHeal    types.Bool  `tfsdk:"self_heal"`
	SyncOptions types.List  `tfsdk:"sync_options"`
	Retry       *retryModel `tfsdk:"retry"`
}

type retryModel struct {
	Limit   types.Int64   `tfsdk:"limit"`
	Backoff *backoffModel `tfsdk:"backoff"`
}

type backoffModel struct {
	Duration    types.String `tfsdk:"duration"`
	Factor      types.Int64  `tfsdk:"factor"`
	MaxDuration types.String `tfsdk:"max_duration"`
}

type ignoreDiffModel struct {
	Group             types.String `tfsdk:"group"`
	Kind              types.String `tfsdk:"kind"`
	Name              types.String `tfsdk:"name"`
	Namespace         types.String `tfsdk:"namespace"`
	JSONPointers      types.List   `tfsdk:"json_pointers"`
	JQPathExpressions types.List   `tfsdk:"jq_path_expressions"`
}

type waitForModel struct {
	Healthy types.Bool   `tfsdk:"healthy"`
	Synced  types.Bool   `tfsdk:"synced"`
	Timeout types.String `tfsdk:"timeout"`
}

type proxyModel struct {
	Name     types.String `tfsdk:"name"`
	Port     types.Int64  `tfsdk:"port"`
	Scheme   types.String `tfsdk:"scheme"`
	Host     types.String `tfsdk:"host"`
	Path     types.String `tfsdk:"path"`
	Service  types.String `tfsdk:"service"`
	Hostname types.String `tfsdk:"hostname"`
}

type backupModel struct {
	Paths    types.List `tfsdk:"paths"`
	Excludes types.List `tfsdk:"excludes"`
}

func objectAs[T any](ctx context.Context, o types.Object) (*T, diag.Diagnostics) {
	if o.IsNull() || o.IsUnknown() {
		return nil, nil
	}
	var out T
	diags := o.As(ctx, &out, basetypes.ObjectAsOptions{})
	return &out, diags
}

// waitFor is what apply waits for after writing the Application.
type waitFor struct {
	Healthy, Synced bool
	Timeout         time.Duration
}

// waitSettings are wait_for's values, with the defaults where unset.
func (m *serviceModel) waitSettings(ctx context.Context) waitFor {
	out := waitFor{}
	out.Timeout, _ = time.ParseDuration(DefaultTimeout)
	w, _ := objectAs[waitForModel](ctx, m.WaitFor)
	if w == nil {
		return out
	}
	if d, err := time.ParseDuration(w.Timeout.ValueString()); err == nil && d > 0 {
		out.Timeout = d
	}
	out.Healthy, out.Synced = w.Healthy.ValueBool(), w.Synced.ValueBool()
	return out
}

func listStrings(ctx context.Context, l types.List) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	_ = l.ElementsAs(ctx, &out, false)
	return out
}

// known reports whether every value spec depends on is known. Terraform
// leaves values unknown at plan time when they come from resources not
// created yet; the manifest then is "known after apply".
func (m *serviceModel) known(ctx context.Context) bool {
	vals := []attr.Value{m.Name, m.Namespace, m.ArgoNamespace, m.Project, m.Component, m.PartOf, m.SyncWave, m.CascadeDelete}
	if h := m.Helm; h != nil {
		vals = append(vals, h.RepoURL, h.Chart, h.Version, h.Values, h.ValueFiles)
		if g := h.ValuesFromGit; g != nil {
			vals = append(vals, g.RepoURL, g.TargetRevision)
		}
	}
	if g := m.Git; g != nil {
		vals = append(vals, g.RepoURL, g.Path, g.TargetRevision, g.Recurse)
	}
	if s := m.SyncPolicy; s != nil {
		vals = append(vals, s.Automated, s.Prune, s.SelfHeal, s.SyncOptions)
		if r := s.Retry; r != nil {
			vals = append(vals, r.Limit)
			if b := r.Backoff; b != nil {
				vals = append(vals, b.Duration, b.Factor, b.MaxDuration)
			}
		}
	}
	for _, ig := range m.IgnoreDifferences {
		vals = append(vals, ig.Group, ig.Kind, ig.Name, ig.Namespace, ig.JSONPointers, ig.JQPathExpressions)
	}
	for _, v := range vals {
		if v.IsUnknown() {
			return false
		}
		if l, ok := v.(types.List); ok {
			for _, e := range l.Elements() {
				if e.IsUnknown() {
					return false
				}
			}
		}
	}
	_ = ctx
	return true
}

// spec converts the model (all known) into the Application the provider
// owns, without sensitive values.
func (m *serviceModel) spec(ctx context.Context) (appSpec, error) {
	s := appSpec{
		Name: m.Name.ValueString(), Namespace: m.Namespace.ValueString(), ArgoNamespace: m.ArgoNamespace.ValueString(),
		Project: m.Project.ValueString(), Component: m.Component.ValueString(), PartOf: m.PartOf.ValueString(),
		CascadeDelete: m.CascadeDelete.ValueBool(),
	}
	if s.ArgoNamespace == "" {
		s.ArgoNamespace = DefaultArgoNamespace
	}
	if s.Project == "" {
		s.Project = DefaultProject
	}
	if !m.SyncWave.IsNull() {
		w := m.SyncWave.ValueInt64()
		s.SyncWave = &w
	}
	if h := m.Helm; h != nil {
		values, err := parseValues(h.Values.ValueString(), false)
		if err != nil {
			return s, fmt.Errorf("helm.values: %w", err)
		}
		s.Helm = &helmSpec{
			RepoURL: h.RepoURL.ValueString(), Chart: h.Chart.ValueString(), Version: h.Version.ValueString(), Values: values,
			ValueFiles: listStrings(ctx, h.ValueFiles),
		}
		if g := h.ValuesFromGit; g != nil {
			s.Helm.ValuesFrom = &gitSpec{RepoURL: g.RepoURL.ValueString(), TargetRevision: g.TargetRevision.ValueString()}
		}
	}
	if g := m.Git; g != nil {
		s.Git = &gitSpec{RepoURL: g.RepoURL.ValueString(), Path: g.Path.ValueString(), TargetRevision: g.TargetRevision.ValueString(), Recurse: g.Recurse.ValueBool()}
	}
	if p := m.SyncPolicy; p != nil {
		s.Sync = &syncSpec{
			Automated: p.Automated.IsNull() || p.Automated.ValueBool(), Prune: p.Prune.ValueBool(), SelfHeal: p.SelfHeal.ValueBool(),
			Options: listStrings(ctx, p.SyncOptions), Retry: p.Retry.spec(),
		}
	}
	for _, ig := range m.IgnoreDifferences {
		s.Ignore = append(s.Ignore, ignoreSpec{
			Group: ig.Group.ValueString(), Kind: ig.Kind.ValueString(), Name: ig.Name.ValueString(), Namespace: ig.Namespace.ValueString(),
			JSONPointers: listStrings(ctx, ig.JSONPointers), JQPaths: listStrings(ctx, ig.JQPathExpressions),
		})
	}
	return s, nil
}

// spec converts sync_policy.retry; nil stays nil.
func (r *retryModel) spec() *retrySpec {
	if r == nil {
		return nil
	}
	out := &retrySpec{Limit: r.Limit.ValueInt64()}
	if b := r.Backoff; b != nil {
		out.Backoff = &backoffSpec{Duration: b.Duration.ValueString(), MaxDuration: b.MaxDuration.ValueString()}
		if !b.Factor.IsNull() {
			f := b.Factor.ValueInt64()
			out.Backoff.Factor = &f
		}
	}
	return out
}

// proxyObject completes the proxy object of the configuration: defaults,
// the origin URL and the public hostname (hostnameFor returns "" when the
// provider has no domain, and ok=false when it is not known yet).
func proxyObject(ctx context.Context, config types.Object, serviceName types.String, hostnameFor func(string) (string, bool)) (types.Object, diag.Diagnostics) {
	if config.IsNull() {
		return types.ObjectNull(proxyTypes), nil
	}
	if config.IsUnknown() {
		return types.ObjectUnknown(proxyTypes), nil
	}
	p, diags := objectAs[proxyModel](ctx, config)
	if diags.HasError() {
		return types.ObjectUnknown(proxyTypes), diags
	}
	if p.Name.IsNull() {
		p.Name = serviceName
	}
	if p.Scheme.IsNull() {
		p.Scheme = types.StringValue(DefaultProxyScheme)
	}
	if p.Host.IsNull() {
		p.Host = types.StringValue(DefaultProxyHost)
	}
	if p.Scheme.IsUnknown() || p.Host.IsUnknown() || p.Port.IsUnknown() {
		p.Service = types.StringUnknown()
	} else {
		p.Service = types.StringValue(fmt.Sprintf("%s://%s:%d", p.Scheme.ValueString(), p.Host.ValueString(), p.Port.ValueInt64()))
	}
	p.Hostname = types.StringUnknown()
	if !p.Name.IsUnknown() {
		if h, ok := hostnameFor(p.Name.ValueString()); ok {
			p.Hostname = types.StringNull()
			if h != "" {
				p.Hostname = types.StringValue(h)
			}
		}
	}
	return types.ObjectValueFrom(ctx, proxyTypes, p)
}

// backupObject completes the backup object of the configuration.
func backupObject(ctx context.Context, config types.Object) (types.Object, diag.Diagnostics) {
	if config.IsNull() {
		return types.ObjectNull(backupTypes), nil
	}
	if config.IsUnknown() {
		return types.ObjectUnknown(backupTypes), nil
	}
	b, diags := objectAs[backupModel](ctx, config)
	if diags.HasError() {
		return types.ObjectUnknown(backupTypes), diags
	}
	if b.Excludes.IsNull() {
		b.Excludes = types.ListValueMust(types.StringType, nil)
	}
	return types.ObjectValueFrom(ctx, backupTypes, b)
}

// splitID reads an import id "<argocd_namespace>/<name>".
func splitID(id string) (ns, name string, ok bool) {
	ns, name, ok = strings.Cut(id, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return "", "", false
	}
	return ns, name, true
}
