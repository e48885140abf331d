package ephemeralsecret

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*secretEphemeralResource)(nil)

type secretEphemeralResource struct {
	providerdata.EphemeralBase
}

// NewEphemeralResource is the ephemeral homelab_secret factory.
func NewEphemeralResource() ephemeral.EphemeralResource { return &secretEphemeralResource{} }

func (e *secretEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_secret"
}

func (e *secretEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m secretModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if e.Data == nil {
		resp.Diagnostics.Append(diagnostics.NotConfigured("homelab_secret"))
		return
	}
	client, diags := e.Data.SecretsClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	value, err := client.Resolve(ctx, m.Reference.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("reference"), diagnostics.Summary("Resolving", "Secret", m.Reference.ValueString()), err.Error())
		return
	}
	m.Value = types.StringValue(value)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
