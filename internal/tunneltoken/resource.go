package tunneltoken

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*tunnelTokenEphemeralResource)(nil)

type tunnelTokenEphemeralResource struct {
	providerdata.EphemeralBase
}

// NewEphemeralResource is the ephemeral homelab_tunnel_token factory.
func NewEphemeralResource() ephemeral.EphemeralResource { return &tunnelTokenEphemeralResource{} }

func (e *tunnelTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tunnel_token"
}

// Open fetches the token. It lives only in the result Terraform hands to
// write-only arguments; no diagnostic or log line carries it.
func (e *tunnelTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m tunnelTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if e.Data == nil {
		resp.Diagnostics.Append(diagnostics.NotConfigured("homelab_tunnel_token"))
		return
	}
	tunnelID, diags := e.Data.TunnelID(m.TunnelID.ValueString())
	resp.Diagnostics.Append(diags...)
	cf, diags := e.Data.CloudflareClient()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	token, err := cf.TunnelToken(ctx, tunnelID)
	if err == nil && token == "" {
		err = errEmptyToken
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("tunnel_id"), diagnostics.Summary("Reading", "Token of Tunnel", tunnelID), err.Error())
		return
	}
	m.TunnelID = types.StringValue(tunnelID)
	m.Token = types.StringValue(token)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
