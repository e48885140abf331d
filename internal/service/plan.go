package service

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ValidateConfig checks what single attributes cannot: exactly one source,
// and value files from git only with the repository they come from.
func (r *serviceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var helm, git types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("helm"), &helm)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("git"), &git)...)
	if resp.Diagnostics.HasError() || helm.IsUnknown() || git.IsUnknown() {
		return
	}
	switch {
	case helm.IsNull() && git.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("helm"), "Missing Service Source",
			"Set exactly one of helm (a chart: helm = { repo_url, chart, version }) or git (a path in a repository: git = { repo_url, path }).")
	case !helm.IsNull() && !git.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("git"), "Conflicting Service Sources",
			"helm and git are both set, but an Application has one source. Keep helm for a chart from a Helm repository, or git for a path in a git repository, and remove the other.")
	case !helm.IsNull():
		validateValuesFromGit(ctx, req.Config, &resp.Diagnostics)
	}
}

// validateValuesFromGit checks that helm.value_files and
// helm.values_from_git go together: "$values/..." files are read from that
// repository, and the repository serves no other purpose.
func validateValuesFromGit(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var files types.List
	var from types.Object
	diags.Append(config.GetAttribute(ctx, path.Root("helm").AtName("value_files"), &files)...)
	diags.Append(config.GetAttribute(ctx, path.Root("helm").AtName("values_from_git"), &from)...)
	if diags.HasError() || files.IsUnknown() || from.IsUnknown() {
		return
	}
	refs := 0
	for _, f := range listStrings(ctx, files) {
		if strings.HasPrefix(f, "$"+ValuesRef+"/") {
			refs++
		}
	}
	switch {
	case refs > 0 && from.IsNull():
		diags.AddAttributeError(path.Root("helm").AtName("value_files"), "Missing Helm Values Repository",
			"helm.value_files names files in $"+ValuesRef+"/, the repository of helm.values_from_git, which is not set. Add "+
				"values_from_git = { repo_url = \"<your GitOps repository>\", target_revision = \"HEAD\" } to helm, or give paths inside the chart.")
	case refs == 0 && !from.IsNull() && !files.IsNull():
		diags.AddAttributeError(path.Root("helm").AtName("values_from_git"), "Unused Helm Values Repository",
			"helm.values_from_git is set, but no entry of helm.value_files starts with $"+ValuesRef+"/, so ArgoCD would read nothing from it. "+
				"Name its files as $"+ValuesRef+"/<path> in value_files, or remove values_from_git.")
	case !from.IsNull() && files.IsNull():
		diags.AddAttributeError(path.Root("helm").AtName("values_from_git"), "Unused Helm Values Repository",
			"helm.values_from_git is set without helm.value_files. Add value_files = [\"$"+ValuesRef+"/<path>/values.yaml\"], or remove values_from_git.")
	}
}

// sensitiveConfigured reports whether the configuration sets
// sensitive_values_wo (an unknown value counts as set).
func sensitiveConfigured(m *serviceModel) bool {
	return m.Helm != nil && !m.Helm.SensitiveValuesWO.IsNull()
}

// resend decides whether this apply sends sensitive_values_wo from the
// configuration, or keeps the sensitive values already in the cluster: it
// sends at create, when sensitive_values_wo_version changes, when the last
// refresh found a sensitive value changed in the cluster, and when
// sensitive values are added or removed.
func resend(state, config *serviceModel, priv privateData) bool {
	if state == nil {
		return true
	}
	if sensitiveConfigured(config) != priv.Sensitive {
		return true
	}
	if !sensitiveConfigured(config) {
		return false
	}
	if state.Helm == nil || !state.Helm.SensitiveValuesWOVersion.Equal(config.Helm.SensitiveValuesWOVersion) {
		return true
	}
	return priv.Drifted
}

// placeholders is a tree with Redacted at each path.
func placeholders(paths [][]string) map[string]any {
	out := map[string]any{}
	for _, p := range paths {
		set(out, p, Redacted)
	}
	return out
}

// manifestFor renders the manifest of spec with the sensitive values at
// paths redacted. Plan, apply and refresh all use it, so that they agree.
func manifestFor(s appSpec, paths [][]string) (string, map[string]any) {
	var values map[string]any
	if s.Helm != nil {
		values = deepMerge(s.Helm.Values, placeholders(paths))
	}
	obj := s.object(values)
	return manifestYAML(obj), obj
}

// ModifyPlan computes at plan time, without the cluster, everything that
// follows from the configuration: id, the proxy and backup objects, and
// the manifest.
func (r *serviceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var config, plan serviceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *serviceModel
	if !req.State.Raw.IsNull() {
		state = &serviceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	priv := readPrivate(ctx, req.Private)

	plan.ID = types.StringUnknown()
	if !plan.ArgoNamespace.IsUnknown() && !plan.Name.IsUnknown() {
		plan.ID = types.StringValue(plan.ArgoNamespace.ValueString() + "/" + plan.Name.ValueString())
	}
	var d diag.Diagnostics
	plan.Proxy, d = proxyObject(ctx, config.Proxy, plan.Name, r.hostnameFor)
	resp.Diagnostics.Append(d...)
	plan.Backup, d = backupObject(ctx, config.Backup)
	resp.Diagnostics.Append(d...)
	if plan.Helm != nil {
		plan.Helm.SensitiveValuesWO = types.StringNull()
	}

	// A sensitive value changed in the cluster needs nothing here: the
	// refreshed manifest marks it (RedactedChanged), so the planned one
	// differs and an update is planned.
	var paths [][]string
	pathsKnown := true
	switch {
	case !sensitiveConfigured(&config):
	case resend(state, &config, priv):
		if config.Helm.SensitiveValuesWO.IsUnknown() {
			pathsKnown = false
		} else if values, err := parseValues(config.Helm.SensitiveValuesWO.ValueString(), true); err == nil {
			paths = leafPaths(values)
		}
	default:
		paths = priv.SensitivePaths
	}
	plan.Manifest = types.StringUnknown()
	if pathsKnown && plan.known(ctx) {
		if s, err := plan.spec(ctx); err == nil {
			m, _ := manifestFor(s, paths)
			plan.Manifest = types.StringValue(m)
		}
	}

	plan.UID, plan.SyncStatus, plan.HealthStatus = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	if state != nil {
		plan.UID, plan.SyncStatus, plan.HealthStatus = state.UID, state.SyncStatus, state.HealthStatus
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	if state != nil && !resp.Plan.Raw.Equal(req.State.Raw) {
		// Something is written: ArgoCD's view of it is news.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("sync_status"), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("health_status"), types.StringUnknown())...)
	}
}

// hostnameFor derives a proxy's public hostname the way homelab_proxy does.
func (r *serviceResource) hostnameFor(name string) (string, bool) {
	if r.Data == nil || r.Data.Unknown {
		return "", r.Data != nil && !r.Data.Unknown
	}
	if r.Data.Domain == "" {
		return "", true
	}
	return r.Data.HostnameFor(name), true
}
