package servicetoken

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/apply"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
)

var (
	_ resource.ResourceWithConfigure      = (*serviceTokenResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serviceTokenResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serviceTokenResource)(nil)
	_ resource.ResourceWithImportState    = (*serviceTokenResource)(nil)
)

const kind = "Access Service Token"

type serviceTokenResource struct {
	providerdata.Base
}

// NewResource is the homelab_access_service_token factory.
func NewResource() resource.Resource { return &serviceTokenResource{} }

func (r *serviceTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_service_token"
}

func (r *serviceTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Create(req, resp))...)
}

// Read follows the token, and plans a rotation (secret_version 0) when the
// Kubernetes sink lost what was delivered.
func (r *serviceTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serviceTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cf, diags := r.Data.CloudflareClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	id := state.ID.ValueString()
	tok, err := cf.GetServiceToken(ctx, id)
	if cloudflare.IsNotFound(err) {
		resp.Diagnostics.Append(diagnostics.RemovedFromState(kind, id,
			"The service token was deleted outside Terraform. The next apply makes a new one and delivers its secret."))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Reading", kind, id, err))
		return
	}
	state.fromToken(tok)
	if !state.SecretVersion.IsNull() && state.SecretVersion.ValueInt64() != lostVersion {
		lost, err := r.sinkLost(ctx, state.DeliverTo, tok.ClientID)
		if err != nil {
			resp.Diagnostics.Append(diagnostics.APIFailure("Reading", kind, id, err))
			return
		}
		if lost {
			state.SecretVersion = types.Int64Value(lostVersion)
			resp.Diagnostics.AddWarning("Service Token "+tok.Name+" Lost Its Secret",
				"The "+state.DeliverTo.sinkName()+" no longer holds the client secret this provider delivered (deleted, or changed by "+
					"another client). The secret cannot be read back, so the next apply rotates it and delivers the new one.")
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *serviceTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Update(req, resp))...)
}

// Delete deletes the token, then takes its two keys out of the Kubernetes
// Secret; a 1Password item is left (its secret no longer opens anything).
func (r *serviceTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state serviceTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cf, diags := r.Data.CloudflareClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	if err := cf.DeleteServiceToken(ctx, state.ID.ValueString()); err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Deleting", kind, state.Name.ValueString(), err))
		return
	}
	if err := r.release(ctx, state.DeliverTo); err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Deleting", kind, state.Name.ValueString(), err))
	}
}

// ImportState takes the token's id. Nothing is delivered until the next
// bump of secret_version: the secret of an existing token cannot be read.
func (r *serviceTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// apply creates, refreshes, renames or rotates the token, and delivers a
// secret whenever the API answered one. What was reached is saved even
// when a later step fails; a secret that was made but not delivered
// leaves secret_version 0, so the next apply rotates and delivers.
func (r *serviceTokenResource) apply(ctx context.Context, req apply.Request) (diags diag.Diagnostics) {
	var plan, prior serviceTokenModel
	if diags = req.Get(ctx, nil, &plan); diags.HasError() {
		return
	}
	hasPrior, d := req.GetPrior(ctx, &prior)
	if diags.Append(d...); diags.HasError() {
		return
	}
	cf, d := r.Data.CloudflareClient()
	if diags.Append(d...); diags.HasError() {
		return
	}
	object := plan.Name.ValueString()
	fail := func(err error) { diags.Append(diagnostics.APIFailure(req.Action, kind, object, err)) }
	save := func() { diags.Append(req.State.Set(ctx, &plan)...) }
	version := plan.SecretVersion
	deliverNew := func(tok cloudflare.ServiceToken, secret cloudflare.Secret, err error) {
		if tok.ID != "" {
			plan.fromToken(tok)
		}
		if err != nil {
			plan.SecretVersion = types.Int64Value(lostVersion)
			fail(err)
			return
		}
		if err := r.deliver(ctx, plan.DeliverTo, tok.ClientID, secret); err != nil {
			plan.SecretVersion = types.Int64Value(lostVersion)
			fail(err)
			return
		}
		plan.SecretVersion = version
	}

	if !hasPrior {
		tok, secret, err := cf.CreateServiceToken(ctx, plan.Name.ValueString(), plan.Duration.ValueString())
		if tok.ID == "" {
			fail(err)
			return
		}
		deliverNew(tok, secret, err)
		save()
		return
	}

	id := prior.ID.ValueString()
	plan.ID = prior.ID
	if !plan.Name.Equal(prior.Name) || !plan.Duration.Equal(prior.Duration) {
		tok, err := cf.UpdateServiceToken(ctx, id, plan.Name.ValueString(), plan.Duration.ValueString())
		if err != nil {
			fail(err)
			return
		}
		plan.fromToken(tok)
	}
	if plan.ExpiresAt.IsUnknown() {
		tok, err := cf.RefreshServiceToken(ctx, id)
		if err != nil {
			plan.ExpiresAt = prior.ExpiresAt
			fail(err)
			save()
			return
		}
		plan.fromToken(tok)
	}
	switch {
	case prior.SecretVersion.IsNull():
		// Imported: the sink is adopted, and nothing can be delivered yet.
		diags.AddWarning("Service Token "+object+" Adopted Without Its Secret",
			"The secret of an existing token cannot be read back, so nothing was delivered to the "+plan.DeliverTo.sinkName()+
				". Bump secret_version to rotate the secret and deliver it.")
	case !plan.SecretVersion.Equal(prior.SecretVersion):
		tok, secret, err := cf.RotateServiceToken(ctx, id)
		deliverNew(tok, secret, err)
	}
	save()
	return
}
