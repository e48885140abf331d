// Package bootstrapsecret is the homelab_bootstrap_secret resource: a
// Kubernetes Secret whose values come from write-only arguments, 1Password
// references or in-cluster generation, and never reach state or logs.
package bootstrapsecret

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

func (r *bootstrapSecretResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Kubernetes Secret for bootstrapping a cluster whose values never touch state, plan, logs or git. " +
			"Each key comes from exactly one source: a write-only argument (`data_wo`), a 1Password reference resolved at apply " +
			"(`references`), or a random value generated once in the cluster (`generate`). State keeps key names, references and " +
			"generation settings, nothing that depends on a value: two applies that differ only in a value leave the same state. " +
			"The Secret is written with server-side apply under the provider's field manager, so keys written by others are left " +
			"alone, and a value another client changes is taken from that manager by the API server (`metadata.managedFields`): " +
			"the key drops out of `keys`, and the next apply writes it again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "`<namespace>/<name>`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name":      schema.StringAttribute{Required: true, PlanModifiers: replace, MarkdownDescription: "Name of the Secret."},
			"namespace": schema.StringAttribute{Required: true, PlanModifiers: replace, MarkdownDescription: "Namespace of the Secret."},
			"create_namespace": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Create the namespace when it does not exist. Default `false`.",
			},
			"type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("Opaque"), PlanModifiers: replace,
				MarkdownDescription: "Secret type. Default `Opaque`. Changing it replaces the Secret.",
			},
			"labels":      schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Labels of the Secret."},
			"annotations": schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Annotations of the Secret."},
			"data_wo": schema.MapAttribute{
				Optional: true, WriteOnly: true, Sensitive: true, ElementType: types.StringType,
				MarkdownDescription: "Write-only values by key, sent at create and whenever `data_wo_version` changes; never stored. Needs Terraform or OpenTofu >= 1.11.",
			},
			"data_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Bump to send `data_wo` again; Terraform cannot see changes in write-only values.",
			},
			"references": schema.MapAttribute{
				Validators: []validator.Map{mapvalidator.ValueStringsAre(validators.Reference())},
				Optional:   true, ElementType: types.StringType,
				MarkdownDescription: "1Password references (`op://<vault>/<item>[/<section>]/<field>`) by key, resolved at every apply that writes the Secret (each distinct reference once per provider process, in bulk).",
			},
			"generate": schema.MapNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Random values by key, made with crypto/rand in the cluster once and kept by later applies; made again only when the key is missing in the cluster.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"length": schema.Int64Attribute{
						Required: true, Validators: []validator.Int64{int64validator.Between(1, 4096)},
						MarkdownDescription: "Random bytes for `hex` and `base64` (as `openssl rand -hex 16`), characters for `alphanumeric`.",
					},
					"encoding": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(EncodingHex),
						Validators:          []validator.String{stringvalidator.OneOf(EncodingHex, EncodingBase64, EncodingAlphanumeric)},
						MarkdownDescription: "`hex` (default), `base64` or `alphanumeric`.",
					},
				}},
			},
			"keys": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Sorted names of the keys this resource manages that hold the values it wrote. A key changed or " +
					"removed outside Terraform (by any other field manager) drops out, so the next plan shows it coming back.",
			},
		},
	}
}
