// Package ephemeralsecret is the ephemeral homelab_secret resource: one
// 1Password reference resolved at apply time for write-only arguments of
// any provider, never in plan or state.
package ephemeralsecret

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

func (e *secretEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Resolves one 1Password reference at apply time, for write-only arguments of any provider " +
			"(for example `data_wo` of `homelab_bootstrap_secret`). The value is never in the plan or the state.",
		Attributes: map[string]schema.Attribute{
			"reference": schema.StringAttribute{
				Required:            true,
				Validators:          []validator.String{validators.Reference()},
				MarkdownDescription: "The reference, `op://<vault>/<item>[/<section>]/<field>`.",
			},
			"value": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "The secret value.",
			},
		},
	}
}
