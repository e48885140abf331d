package bootstrapsecret

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

// ValidateConfig checks at plan time what can be checked without the
// cluster: every key valid and from one source (the schema checks each
// reference). Write-only values are never part of a message.
func (r *bootstrapSecretResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m bootstrapSecretModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.DataWO.IsUnknown() || m.References.IsUnknown() {
		return
	}
	wo, refs := tfvalue.StringMap(m.DataWO), tfvalue.StringMap(m.References)
	for attr, keys := range map[string][]string{"data_wo": slices.Sorted(maps.Keys(wo)), "references": slices.Sorted(maps.Keys(refs)), "generate": slices.Sorted(maps.Keys(m.Generate))} {
		for _, k := range keys {
			if err := validateKey(k); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root(attr).AtMapKey(k), "Invalid Secret Key", err.Error())
			}
		}
	}
	if _, err := sources(slices.Sorted(maps.Keys(wo)), slices.Sorted(maps.Keys(refs)), slices.Sorted(maps.Keys(m.Generate))); err != nil {
		resp.Diagnostics.AddError("Key In Two Sources", err.Error())
	}
	if len(wo) > 0 && m.DataWOVersion.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("data_wo_version"), "Missing data_wo_version",
			"data_wo is write-only, so Terraform cannot see when its values change. Set data_wo_version and bump it to send new values.")
	}
}

// ModifyPlan shows the managed keys at plan time. When the last refresh
// found a key changed outside Terraform, it is missing from the state's
// keys, so the planned keys differ and an update is planned.
func (r *bootstrapSecretResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var config, plan bootstrapSecretModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = types.StringValue(plan.Namespace.ValueString() + "/" + plan.Name.ValueString())
	if plan.Namespace.IsUnknown() || plan.Name.IsUnknown() {
		plan.ID = types.StringUnknown()
	}
	if config.DataWO.IsUnknown() || config.References.IsUnknown() {
		plan.Keys = types.ListUnknown(types.StringType)
	} else {
		plan.Keys = keysList(config.managedKeys())
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}
