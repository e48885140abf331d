// Package ephemeralsecret is the ephemeral homelab_secret resource: one
// 1Password reference resolved at apply time for write-only arguments of
// any provider, never in plan or state.
package ephemeralsecret

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*secretEphemeral)(nil)

type secretEphemeral struct {
	data *providerdata.Data
}

// New is the ephemeral homelab_secret factory.
func New() ephemeral.EphemeralResource { return &secretEphemeral{} }

type model struct {
	Reference types.String `tfsdk:"reference"`
	Value     types.String `tfsdk:"value"`
}

func (e *secretEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_secret"
}

func (e *secretEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Resolves one 1Password reference at apply time, for write-only arguments of any provider " +
			"(for example `data_wo` of `homelab_bootstrap_secret`). The value is never in the plan or the state.",
		Attributes: map[string]schema.Attribute{
			"reference": schema.StringAttribute{
				Required:            true,
				Validators:          []validator.String{referenceValidator{}},
				MarkdownDescription: "The reference, `op://<vault>/<item>[/<section>]/<field>`.",
			},
			"value": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "The secret value.",
			},
		},
	}
}

func (e *secretEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerdata.Data)
	if !ok {
		resp.Diagnostics.Append(diagnostics.UnexpectedProviderData(req.ProviderData))
		return
	}
	e.data = data
}

func (e *secretEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if e.data == nil {
		resp.Diagnostics.AddError("Provider Not Configured", "The homelab provider was not configured before homelab_secret was opened. Please report this issue to the provider developers.")
		return
	}
	resolver, diags := e.data.SecretResolver()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	value, err := resolver.Resolve(ctx, m.Reference.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("reference"), "Error Resolving Secret "+m.Reference.ValueString(), err.Error())
		return
	}
	m.Value = types.StringValue(value)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

type referenceValidator struct{}

func (referenceValidator) Description(context.Context) string { return "a 1Password reference" }
func (referenceValidator) MarkdownDescription(context.Context) string {
	return "a 1Password reference"
}

func (referenceValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := secrets.ParseReference(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.Append(diag.NewAttributeErrorDiagnostic(req.Path, "Invalid 1Password Reference", err.Error()))
	}
}
