// Package tunnelresource is the homelab_tunnel resource: a remotely managed
// Cloudflare Tunnel (config_src "cloudflare") whose secret Cloudflare
// generates and the provider never holds. secret_version rotates it; the
// token cloudflared runs with comes from the ephemeral homelab_tunnel_token,
// never from state.
package tunnelresource

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/homelab-tf/terraform-provider-homelab/internal/origin"
	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

func (r *tunnelResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A remotely managed Cloudflare Tunnel (`config_src = \"cloudflare\"`) in the provider's account. " +
			"Cloudflare generates its secret, so neither the provider nor the state ever holds it; `cloudflared` gets its " +
			"token from the ephemeral `homelab_tunnel_token`, through a write-only argument. A live tunnel of the same name " +
			"is adopted instead of made twice (an interrupted apply). Destroy removes the tunnel's connections first, so a " +
			"running `cloudflared` does not block it.\n\n" +
			"The tunnel owns its configuration's top-level keys (`origin_request`); `homelab_proxy` resources own their " +
			"rules. Both are written through the same read-modify-write, so neither overwrites the other, nor rules and " +
			"keys written by hand.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The tunnel id (a UUID).",
			},
			"name": schema.StringAttribute{
				Required:   true,
				Validators: []validator.String{validators.Named("Invalid Tunnel Name", "a tunnel name", checkName)},
				MarkdownDescription: "Name of the tunnel, unique among the account's live tunnels. Changing it renames the " +
					"tunnel in place.",
			},
			"secret_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Change it to rotate the tunnel secret: a new one, made with crypto/rand, is sent once " +
					"and never kept. Running connectors keep their connections until they restart, and need the new token " +
					"then (bump `data_wo_version` of the Secret that carries it with the same value). Setting it where the " +
					"state has none (after an import) only records it.",
			},
			"origin_request": origin.Attribute("Defaults for every rule of the tunnel's configuration: its top-level " +
				"`originRequest`, which a rule's own `origin_request` overrides key by key. Without it, the top-level " +
				"options are left as they are. Keys the provider does not manage (for example `access`) are kept."),
			"cname": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "`<id>.cfargotunnel.com`, the target of the tunnel's DNS records.",
			},
			"status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`inactive` (never run), `healthy`, `degraded` (serving but unhealthy) or `down` " +
					"(no connection to Cloudflare's edge).",
			},
			"created_at": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "When the tunnel was created (RFC 3339).",
			},
		},
	}
}
