package tunnelresource

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// ModifyPlan warns when an update rotates the secret: connectors running
// with the old token lose the tunnel at their next reconnect.
func (r *tunnelResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var plan, state tunnelModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if rotates(state.SecretVersion, plan.SecretVersion) {
		resp.Diagnostics.AddAttributeWarning(path.Root("secret_version"), "Tunnel Secret Will Be Rotated",
			"Apply gives tunnel "+state.Name.ValueString()+" a new secret. Connectors running with the old token keep their "+
				"connections only until they reconnect: deliver the new token (bump data_wo_version of the Secret that "+
				"carries it) in the same apply.")
	}
}
