package backupplan

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/privatestate"
)

// ValidateConfig checks what single attributes cannot: one password
// source, environment names from one source, a retention that keeps
// something. Write-only values are only tested for presence, never shown.
func (r *backupPlanResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m backupPlanModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case !m.PasswordWO.IsNull() && !m.PasswordReference.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("password_reference"), "Conflicting Password Sources",
			"Both password_wo and password_reference are set. Set exactly one: password_wo for a value from a variable or an ephemeral resource, password_reference for a 1Password reference.")
	case m.PasswordWO.IsNull() && m.PasswordReference.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("password_wo"), "Missing Repository Password",
			"Set password_wo or password_reference: restic never opens or creates a repository without a password.")
	}
	if !m.PasswordWO.IsNull() && m.PasswordWOVersion.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("password_wo_version"), "Missing password_wo_version",
			"password_wo is write-only, so Terraform cannot see when it changes. Set password_wo_version and bump it when the password changes.")
	}
	if !m.EnvironmentWO.IsNull() && !m.EnvironmentWO.IsUnknown() && !m.EnvironmentReferences.IsNull() && !m.EnvironmentReferences.IsUnknown() {
		refs := m.EnvironmentReferences.Elements()
		for _, k := range slices.Sorted(maps.Keys(m.EnvironmentWO.Elements())) {
			if _, ok := refs[k]; ok {
				resp.Diagnostics.AddAttributeError(path.Root("environment_references").AtMapKey(k), "Environment Variable In Two Sources",
					fmt.Sprintf("%s is set in both environment_wo and environment_references; set each variable in one of them.", k))
			}
		}
	}
	if !m.Retention.IsNull() && !m.Retention.IsUnknown() {
		ret, known := retentionOf(m.Retention)
		if known && ret.Empty() {
			resp.Diagnostics.AddAttributeError(path.Root("retention"), "Retention Keeps Nothing",
				"The retention sets no keep_* count, so forget would have no policy. Set at least one of keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly and keep_yearly, or leave retention out to keep every snapshot.")
		}
	}
}

// ModifyPlan shows the rendered commands and JSON at plan time and plans
// an update when the last refresh found the repository missing (its id
// null in state) or unopened.
func (r *backupPlanResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing to plan, backups are never deleted
	}
	var config, plan backupPlanModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = plan.Repository
	plan.RepositoryID = types.StringUnknown()
	if !req.State.Raw.IsNull() {
		var state backupPlanModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		var priv privateData
		privatestate.Read(ctx, req.Private, privateKey, &priv)
		if !state.RepositoryID.IsNull() && !priv.Unopened && plan.Repository.Equal(state.Repository) {
			plan.RepositoryID = state.RepositoryID
		}
	}
	names, namesKnown := config.envNames()
	spec, known, diags := plan.spec(names)
	resp.Diagnostics.Append(diags...)
	if known && namesKnown && !diags.HasError() {
		plan.setRendered(spec)
	} else {
		plan.setRenderedUnknown()
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}
