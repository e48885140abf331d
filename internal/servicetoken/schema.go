// Package servicetoken is the homelab_access_service_token resource: a
// Cloudflare Access service token whose client secret goes straight from
// the API's answer into a Kubernetes Secret or a 1Password item and is
// never kept: not in state, plan or logs, and nothing derived from it.
package servicetoken

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

// The keys of the Kubernetes Secret, and the titles of the 1Password
// item's fields: the header names cloudflared and Access read
// (CF-Access-Client-Id, CF-Access-Client-Secret), as environment
// variables.
const (
	KeyClientID     = "CF_ACCESS_CLIENT_ID"
	KeyClientSecret = "CF_ACCESS_CLIENT_SECRET"
)

// DefaultDuration is the API's default: one year.
const DefaultDuration = "8760h"

func (r *serviceTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	replaceIfDelivered := objectplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
		// An imported token has no sink yet: setting one adopts it.
		resp.RequiresReplace = !req.StateValue.IsNull()
	}, "A new sink gets a new token, since the secret cannot be read back.", "A new sink gets a new token, since the secret cannot be read back.")
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Cloudflare Access service token for apps that cannot log in with a browser (`CF-Access-Client-Id` and " +
			"`CF-Access-Client-Secret` headers). The client secret exists only in the API's answer to create and rotate: the provider " +
			"writes it straight into `deliver_to` and keeps nothing of it, no value and no hash. A sink that lost the secret (the " +
			"Secret deleted, or its secret key changed by someone else) is planned as a rotation; a token deleted outside Terraform " +
			"is made again and delivered. Allow it on a proxy with `access.allowed_service_tokens`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The token's id (a UUID); what `access.allowed_service_tokens` and import take.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{Required: true, Validators: nonEmpty, MarkdownDescription: "Name of the token in Zero Trust."},
			"duration": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultDuration),
				Validators:          []validator.String{validators.String("Invalid Duration", "a positive duration such as 8760h, or forever", checkDuration)},
				MarkdownDescription: "How long the token is valid from its creation or last refresh, e.g. `8760h` (default, one year), or `forever`.",
			},
			"renew_before": schema.StringAttribute{
				Optional: true, Validators: []validator.String{validators.Duration("Invalid Renewal Window")},
				MarkdownDescription: "Refresh the expiry (to now + `duration`, same secret) at the first apply within this long of `expires_at`, e.g. `720h`. Unset: never.",
			},
			"secret_version": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				Validators: []validator.Int64{int64validator.AtLeast(1)},
				MarkdownDescription: "Bump to rotate the client secret and deliver the new one (the old one stops at once). Default `1`. " +
					"It reads 0 in state when the sink lost the secret, which plans the rotation that delivers it again.",
			},
			"deliver_to": schema.SingleNestedAttribute{
				Required: true, PlanModifiers: []planmodifier.Object{replaceIfDelivered},
				MarkdownDescription: "Where the client id and secret go; exactly one of `kubernetes_secret` and `onepassword_item`. Changing it makes a new token.",
				Attributes: map[string]schema.Attribute{
					"kubernetes_secret": schema.SingleNestedAttribute{
						Optional: true,
						Validators: []validator.Object{objectvalidator.ExactlyOneOf(
							path.MatchRelative().AtParent().AtName("kubernetes_secret"), path.MatchRelative().AtParent().AtName("onepassword_item"))},
						MarkdownDescription: "A Secret with the keys `" + KeyClientID + "` and `" + KeyClientSecret + "`, written with server-side apply " +
							"under the provider's field manager; its other keys are left alone. Destroy removes the two keys (the Secret, when nothing else is left).",
						Attributes: map[string]schema.Attribute{
							"namespace": schema.StringAttribute{Required: true, Validators: nonEmpty, MarkdownDescription: "Namespace of the Secret."},
							"name":      schema.StringAttribute{Required: true, Validators: nonEmpty, MarkdownDescription: "Name of the Secret."},
							"create_namespace": schema.BoolAttribute{
								Optional: true, Computed: true, Default: booldefault.StaticBool(false),
								MarkdownDescription: "Create the namespace when it does not exist. Default `false`.",
							},
						},
					},
					"onepassword_item": schema.SingleNestedAttribute{
						Optional: true,
						MarkdownDescription: "A 1Password item (API Credential) with the fields `" + KeyClientID + "` and `" + KeyClientSecret +
							"` (concealed), created or updated through the 1Password SDK with the provider's service account; its other fields are left alone. Destroy leaves the item.",
						Attributes: map[string]schema.Attribute{
							"vault": schema.StringAttribute{Required: true, Validators: nonEmpty, MarkdownDescription: "Title or id of the vault."},
							"title": schema.StringAttribute{Required: true, Validators: nonEmpty, MarkdownDescription: "Title of the item."},
						},
					},
				},
			},
			"client_id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The token's client id (`<hex>.access`), not a secret.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"expires_at": schema.StringAttribute{
				Computed: true, MarkdownDescription: "When the token stops working (RFC 3339).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}
