package bootstrapsecret

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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
	wo, diags := stringMap(ctx, m.DataWO)
	resp.Diagnostics.Append(diags...)
	refs, diags := stringMap(ctx, m.References)
	resp.Diagnostics.Append(diags...)
	for attr, keys := range map[string][]string{"data_wo": sortedKeys(wo), "references": sortedKeys(refs), "generate": sortedKeys(m.Generate)} {
		for _, k := range keys {
			if err := validateKey(k); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root(attr).AtMapKey(k), "Invalid Secret Key", err.Error())
			}
		}
	}
	if _, err := sources(sortedKeys(wo), sortedKeys(refs), sortedKeys(m.Generate)); err != nil {
		resp.Diagnostics.AddError("Key In Two Sources", err.Error())
	}
	if len(wo) > 0 && m.DataWOVersion.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("data_wo_version"), "Missing data_wo_version",
			"data_wo is write-only, so Terraform cannot see when its values change. Set data_wo_version and bump it to send new values.")
	}
}
