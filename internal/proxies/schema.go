// Package proxies is the homelab_proxies data source: every hostname a
// tunnel publishes, joined with its DNS record and Access application.
package proxies

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func (d *proxiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The aggregate view of a Cloudflare Tunnel: every hostname it publishes, joined from the tunnel's " +
			"configuration, the zones' DNS records and the account's Access applications, whoever created them " +
			"(`homelab_proxy`, another tool, or the dashboard). Use `allowed_tcp_ports` to open a host firewall for exactly " +
			"the origins the tunnel reaches.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tunnel id.",
			},
			"tunnel_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Tunnel to read. Defaults to the provider's `cloudflare.tunnel_id`.",
			},
			"proxies": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "One entry per ingress rule with a hostname, in the tunnel's order (a hostname with " +
					"path rules has one entry per rule). The catch-all rule is not listed.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"hostname": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Public hostname of the rule.",
						},
						"service": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Origin cloudflared forwards to, as stored in the rule.",
						},
						"path": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Path expression of the rule; null when the rule matches every path.",
						},
						"port": schema.Int64Attribute{
							Computed: true,
							MarkdownDescription: "TCP port of the origin (the scheme's default when the URL has none); null for " +
								"unix sockets, `http_status:NNN` and the built-in services.",
						},
						"dns_record_id": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Id of the CNAME that routes the hostname to this tunnel; null when there is none.",
						},
						"access_application_id": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Id of the Access application whose domain is the hostname; null when there is none.",
						},
						"protected": schema.BoolAttribute{
							Computed: true,
							MarkdownDescription: "Whether an Access application guards the hostname: one for the hostname itself " +
								"or a wildcard application on its parent domain.",
						},
					},
				},
			},
			"allowed_tcp_ports": schema.ListAttribute{
				Computed:    true,
				ElementType: types.Int64Type,
				MarkdownDescription: "Sorted, unique TCP ports of the origins: the ports a host firewall must open for the " +
					"services behind the tunnel.",
			},
			"ingress_json": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tunnel's ingress rules as Cloudflare stores them (a JSON array, catch-all included).",
			},
		},
	}
}
