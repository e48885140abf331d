package servicetoken

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ValidateConfig checks what the schema cannot: a renewal window shorter
// than the duration.
func (r *serviceTokenResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m serviceTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Duration.IsUnknown() || m.RenewBefore.IsUnknown() {
		return
	}
	duration := m.Duration.ValueString()
	if m.Duration.IsNull() {
		duration = DefaultDuration
	}
	if err := checkRenewal(duration, m.RenewBefore.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("renew_before"), "Renewal Window Too Long", err.Error())
	}
}

// ModifyPlan shows a new expiry when the apply will refresh the token: its
// duration changed, or it expires within renew_before.
func (r *serviceTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var plan, state serviceTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if refreshDue(plan, state, time.Now()) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("expires_at"), types.StringUnknown())...)
	}
}

// refreshDue: the apply refreshes the expiry when the duration changes or
// the token is within renew_before of expiring.
func refreshDue(plan, state serviceTokenModel, now time.Time) bool {
	if plan.Duration.IsUnknown() || plan.RenewBefore.IsUnknown() {
		return !plan.Duration.Equal(state.Duration)
	}
	if !state.Duration.IsNull() && plan.Duration.ValueString() != state.Duration.ValueString() {
		return true
	}
	return renewalDue(state.ExpiresAt.ValueString(), plan.RenewBefore.ValueString(), now)
}
