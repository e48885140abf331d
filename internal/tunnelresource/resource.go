package tunnelresource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/apply"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/origin"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
)

var (
	_ resource.ResourceWithConfigure   = (*tunnelResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*tunnelResource)(nil)
	_ resource.ResourceWithImportState = (*tunnelResource)(nil)
)

type tunnelResource struct {
	providerdata.Base
}

// NewResource is the homelab_tunnel factory.
func NewResource() resource.Resource { return &tunnelResource{} }

func (r *tunnelResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tunnel"
}

func (r *tunnelResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Create(req, resp))...)
}

func (r *tunnelResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state tunnelModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	cf, diags := r.Data.CloudflareClient()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	t, err := cf.GetTunnel(ctx, id)
	if err != nil && !cloudflare.IsNotFound(err) {
		resp.Diagnostics.Append(diagnostics.APIFailure("Reading", "Tunnel", state.Name.ValueString(), err))
		return
	}
	if err != nil || t.Deleted {
		resp.Diagnostics.Append(diagnostics.RemovedFromState("Tunnel", state.Name.ValueString(),
			"The tunnel "+id+" was deleted outside Terraform. The next apply makes a new one, with a new id and token: "+
				"connectors and DNS records of the old one need the new ones."))
		resp.State.RemoveResource(ctx)
		return
	}
	state = state.withTunnel(t)
	if !state.OriginRequest.IsNull() {
		live, err := liveOrigin(ctx, cf, id)
		if err != nil {
			resp.Diagnostics.Append(diagnostics.APIFailure("Reading", "Configuration of Tunnel", state.Name.ValueString(), err))
			return
		}
		state.OriginRequest = origin.FromWire(live, true)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *tunnelResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Update(req, resp))...)
}

func (r *tunnelResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state tunnelModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	cf, diags := r.Data.CloudflareClient()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	if err := cf.DeleteTunnel(ctx, state.ID.ValueString()); err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Deleting", "Tunnel", state.Name.ValueString(), err))
	}
}

// ImportState takes a tunnel id, or the name of a live tunnel.
func (r *tunnelResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !isTunnelID(id) {
		cf, diags := r.Data.CloudflareClient()
		if resp.Diagnostics.Append(diags...); diags.HasError() {
			return
		}
		t, found, err := cf.FindTunnel(ctx, req.ID)
		switch {
		case err != nil:
			resp.Diagnostics.Append(diagnostics.APIFailure("Importing", "Tunnel", req.ID, err))
			return
		case !found:
			resp.Diagnostics.Append(diagnostics.Failure("Importing", "Tunnel", req.ID,
				fmt.Sprintf("The account has no live tunnel named %q. Import by the tunnel id (a UUID) or by the name of a live tunnel.", req.ID)))
			return
		}
		id = t.ID
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// apply makes, adopts or changes the tunnel. What it reached is saved even
// when a later step fails: a rename that worked is kept, and a rotation
// that failed keeps the prior secret_version so the next apply tries again.
func (r *tunnelResource) apply(ctx context.Context, req apply.Request) (diags diag.Diagnostics) {
	var plan, prior tunnelModel
	if diags = req.Get(ctx, nil, &plan); diags.HasError() {
		return
	}
	hasPrior, d := req.GetPrior(ctx, &prior)
	cf, d2 := r.Data.CloudflareClient()
	if diags.Append(append(d, d2...)...); diags.HasError() {
		return
	}
	name := plan.Name.ValueString()
	fail := func(err error) { diags.Append(diagnostics.APIFailure(req.Action, "Tunnel", name, err)) }

	if !hasPrior {
		t, adopted, err := adoptOrCreate(ctx, cf, name)
		if err != nil {
			fail(err)
			return
		}
		if adopted {
			diags.AddWarning("Adopted Tunnel "+name, fmt.Sprintf("A live tunnel named %q already existed (%s), for example "+
				"from an interrupted apply; this resource manages it now, and destroying the resource deletes it.", name, t.ID))
		}
		state := plan.withTunnel(t)
		if !plan.OriginRequest.IsNull() {
			if err := writeOrigin(ctx, cf, t.ID, plan.OriginRequest); err != nil {
				diags.Append(diagnostics.APIFailure("Writing", "Configuration of Tunnel", name, err))
				state.OriginRequest = origin.Null() // the next apply writes it
			}
		}
		diags.Append(req.State.Set(ctx, &state)...)
		return
	}

	id := prior.ID.ValueString()
	state := prior
	state.SecretVersion = plan.SecretVersion
	t, err := cf.GetTunnel(ctx, id)
	if err == nil && t.Deleted {
		err = fmt.Errorf("tunnel %s was deleted outside Terraform during this apply; the next plan makes a new one", id)
	}
	if err == nil && t.Name != name {
		t, err = cf.RenameTunnel(ctx, id, name)
	}
	if err != nil {
		fail(err)
		state.SecretVersion = prior.SecretVersion
		diags.Append(req.State.Set(ctx, &state)...)
		return
	}
	state = state.withTunnel(t)
	if !plan.OriginRequest.Equal(prior.OriginRequest) {
		if err := writeOrigin(ctx, cf, id, plan.OriginRequest); err != nil {
			diags.Append(diagnostics.APIFailure("Writing", "Configuration of Tunnel", name, err))
		} else {
			state.OriginRequest = plan.OriginRequest
		}
	}
	if rotates(prior.SecretVersion, plan.SecretVersion) {
		if t, err = cf.RotateTunnelSecret(ctx, id); err != nil {
			diags.Append(diagnostics.APIFailure("Rotating", "Secret of Tunnel", name, err))
			state.SecretVersion = prior.SecretVersion
		} else {
			state = state.withTunnel(t)
		}
	}
	diags.Append(req.State.Set(ctx, &state)...)
	return
}

// writeOrigin sets the managed keys of the configuration's top-level
// originRequest from want (null removes them, leaving keys the provider
// does not manage), through the same coalesced read-modify-write under the
// tunnel's document lock as the proxies' rules.
func writeOrigin(ctx context.Context, cf *cloudflare.Client, tunnelID string, want types.Object) error {
	var options *ingress.OriginRequest
	if !want.IsNull() {
		var diags diag.Diagnostics
		if options, diags = origin.ToWire(ctx, want); diags.HasError() {
			return diagnostics.Err(diags)
		}
	}
	ctx, change := cf.BeginChange(ctx, cloudflare.Change{TunnelID: tunnelID})
	defer change.Done()
	_, err := cf.UpdateTunnelConfig(ctx, tunnelID, func(doc json.RawMessage) (json.RawMessage, bool, error) {
		d, err := ingress.Parse(doc)
		if err != nil {
			return nil, false, err
		}
		changed, err := d.SetOriginRequest(options)
		if err != nil || !changed {
			return nil, false, err
		}
		out, err := d.Marshal()
		return out, true, err
	})
	return err
}

// liveOrigin is the top-level originRequest of the tunnel's configuration,
// from the listing every resource of this process shares.
func liveOrigin(ctx context.Context, cf *cloudflare.Client, tunnelID string) (*ingress.OriginRequest, error) {
	cfg, err := cf.CachedTunnelConfig(ctx, tunnelID)
	if err != nil {
		return nil, err
	}
	d, err := ingress.Parse(cfg.Document)
	if err != nil {
		return nil, err
	}
	return d.OriginRequest()
}

// adoptOrCreate returns the account's live tunnel of this name, or a new
// one. A create refused for the name (another apply, or a retried create
// whose first attempt went through) adopts the tunnel that won.
func adoptOrCreate(ctx context.Context, cf *cloudflare.Client, name string) (t cloudflare.Tunnel, adopted bool, err error) {
	t, found, err := cf.FindTunnel(ctx, name)
	if err == nil && !found {
		t, err = cf.CreateTunnel(ctx, name)
		if !errors.Is(err, cloudflare.ErrTunnelNameTaken) {
			return t, false, err
		}
		t, found, err = cf.FindTunnel(ctx, name)
		if err == nil && !found {
			err = fmt.Errorf("creating tunnel %q was refused because the name is taken, but no live tunnel has it", name)
		}
	}
	if err == nil && t.ConfigSrc != "cloudflare" {
		err = fmt.Errorf("the live tunnel %q (%s) is configured locally (config_src %q); homelab_tunnel manages remotely "+
			"managed tunnels: rename or delete that tunnel, or choose another name", name, t.ID, t.ConfigSrc)
	}
	return t, err == nil, err
}
