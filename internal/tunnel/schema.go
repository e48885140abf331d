// Package tunnel is the homelab_tunnel data source: a Cloudflare Tunnel's
// name, status and connections. No token: that is the ephemeral
// homelab_tunnel_token, so no secret reaches state.
package tunnel

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

func (d *tunnelDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Cloudflare Tunnel: its name, status and live connections. It has no token, since data " +
			"source results are kept in the state: the token for `cloudflared tunnel run --token` comes from the ephemeral " +
			"`homelab_tunnel_token`, for write-only arguments.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tunnel id.",
			},
			"tunnel_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Tunnel to read. Defaults to the provider's `cloudflare.tunnel_id`.",
			},
			"name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Name of the tunnel.",
			},
			"status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`inactive` (never run), `healthy`, `degraded` (serving but unhealthy) or `down` " +
					"(no connection to Cloudflare's edge).",
			},
			"config_src": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`cloudflare` for a remotely managed tunnel (the configuration `homelab_proxy` " +
					"edits), `local` for one configured by a file on the host.",
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the tunnel was created (RFC 3339).",
			},
			"connections": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Live connections of the tunnel's connectors to Cloudflare's edge.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Id of the connection.",
						},
						"connector_id": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Id of the cloudflared connector that opened it.",
						},
						"colo_name": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Cloudflare data center of the connection.",
						},
						"client_version": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "cloudflared version of the connector.",
						},
						"origin_ip": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Public IP address of the host running cloudflared.",
						},
						"opened_at": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "When the connection was opened (RFC 3339).",
						},
					},
				},
			},
		},
	}
}
