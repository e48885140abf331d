// Package tunneltoken is the ephemeral homelab_tunnel_token: the token
// `cloudflared tunnel run --token` needs, fetched from Cloudflare when
// Terraform opens it, for write-only arguments, and never in plan or state.
package tunneltoken

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

func (e *tunnelTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The token for `cloudflared tunnel run --token` (or `TUNNEL_TOKEN`), fetched from Cloudflare " +
			"at apply time for write-only arguments, such as `data_wo` of `homelab_bootstrap_secret` or any other provider's. " +
			"It is never in the plan or the state. The token carries the tunnel secret: after a rotation " +
			"(`secret_version` of `homelab_tunnel`), write it again by bumping the write-only argument's version.",
		Attributes: map[string]schema.Attribute{
			"tunnel_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The tunnel, e.g. `homelab_tunnel.homelab.id`. Defaults to the provider's `cloudflare.tunnel_id`.",
			},
			"token": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "The token: base64 of the account, the tunnel id and the tunnel secret.",
			},
		},
	}
}
