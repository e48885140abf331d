// Package proxy is the homelab_proxy resource: one public hostname through
// a Cloudflare Tunnel, owning its ingress rule, its proxied CNAME and its
// Access application and policy.
package proxy

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/origin"
	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

// DefaultSessionDuration is Cloudflare's own default for Access sessions.
const DefaultSessionDuration = "24h"

func (r *proxyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Publishes one hostname through a Cloudflare Tunnel. The resource owns three Cloudflare objects: " +
			"its ingress rule in the tunnel's shared configuration (other rules, including ones written by hand, are kept; " +
			"the catch-all stays last), a proxied CNAME to the tunnel, and, unless `access.enabled` is false, a self-hosted " +
			"Access application linked to a reusable allow policy for the allowed e-mails. Proxies with the same e-mails and " +
			"session duration share one policy, named after its content; it is deleted with the last proxy that links it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The hostname.",
			},
			"name": schema.StringAttribute{
				Optional: true, Computed: true,
				Validators: []validator.String{
					validators.String("Invalid Proxy Name", "a DNS label", ingress.ValidateLabel),
					stringvalidator.ExactlyOneOf(path.MatchRoot("name"), path.MatchRoot("hostname")),
				},
				MarkdownDescription: "Service name; the hostname becomes `<name>-<host_prefix>.<domain>` (or `<name>.<domain>` " +
					"without a prefix). Exactly one of `name` and `hostname` is set.",
			},
			"hostname": schema.StringAttribute{
				Optional: true, Computed: true,
				Validators:          []validator.String{validators.String("Invalid Hostname", "a lowercase fully qualified hostname", ingress.ValidateHostname)},
				MarkdownDescription: "Explicit public hostname (FQDN), instead of `name`; a leftmost `*` makes it a wildcard, such as `*.apps.example.com`. Changing it replaces the resource.",
			},
			"service": schema.StringAttribute{
				Required:   true,
				Validators: []validator.String{validators.String("Invalid Service", "a cloudflared origin service", checkService)},
				MarkdownDescription: "Origin cloudflared connects to: `http://`, `https://`, `ssh://`, `tcp://`, `rdp://`, `smb://` " +
					"URLs with an optional port (1-65535), `unix:/path`, `unix+tls:/path`, `http_status:NNN`, `hello_world` or `bastion`.",
			},
			"path": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{validators.String("Invalid Path", "a regular expression", ingress.ValidatePath)},
				MarkdownDescription: "Regular expression on the request path. Rules with a path are placed before the rule of the same hostname without one.",
			},
			"tunnel_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Tunnel that carries the hostname. Default: the provider's `cloudflare.tunnel_id`. Changing it replaces the resource.",
			},
			"origin_request": origin.Attribute("Options of the connection from cloudflared to the origin, for this rule: " +
				"they override the tunnel's defaults. The rule's `originRequest.access` is not set here and is kept as found."),
			"access": schema.SingleNestedAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Cloudflare Access in front of the hostname. Enabled by default; a proxy with Access " +
					"enabled and no allowed e-mails is an error, so publishing without Access takes an explicit `access = { enabled = false }`.",
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{
						Optional: true, Computed: true,
						MarkdownDescription: "Whether an Access application protects the hostname. Default `true`.",
					},
					"allowed_emails": schema.SetAttribute{
						Optional: true, Computed: true, ElementType: types.StringType,
						Validators:          []validator.Set{setvalidator.ValueStringsAre(validators.Email())},
						MarkdownDescription: "E-mail addresses allowed through. Default: the provider's `access.allowed_emails`.",
					},
					"session_duration": schema.StringAttribute{
						Optional: true, Computed: true,
						Validators:          []validator.String{validators.Duration("Invalid Session Duration")},
						MarkdownDescription: "How long an Access session lasts, e.g. `24h` or `30m`. Default `24h`.",
					},
				},
			},
			"zone_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Zone of the hostname's DNS record.",
			},
			"dns_record_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The proxied CNAME record.",
			},
			"access_application_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Access application, when Access is enabled.",
			},
			"access_policy_id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The reusable Access allow policy, when Access is enabled; shared by every proxy with the same " +
					"allowed e-mails and session duration.",
			},
			"port": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Local port of the origin (80 for `http://` without one); null for sockets and built-in services. What a host firewall needs to allow.",
			},
		},
	}
}

func checkService(s string) error {
	_, err := ingress.ParseService(s)
	return err
}
