// Package apply gives every resource the same apply-helper shape: Create
// and Update build a Request and hand it to the resource's one helper,
//
//	func (r *xResource) apply(ctx context.Context, req apply.Request) diag.Diagnostics
//
// which reads what it needs from the request and writes the result (also
// after a partial failure, so that the next apply repairs instead of
// duplicating) to req.State and req.Private.
package apply

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/homelab-tf/terraform-provider-homelab/internal/privatestate"
)

// The actions, as diagnostics name them ("Error Creating Proxy ...").
const (
	Creating = "Creating"
	Updating = "Updating"
)

// Request is one Create or Update.
type Request struct {
	Action       string              // Creating or Updating
	Config       tfsdk.Config        // the configuration, with write-only values
	Plan         tfsdk.Plan          // the planned values
	Prior        *tfsdk.State        // the state before the change; nil when creating
	PriorPrivate privatestate.Getter // the private state before the change; nil when creating
	State        *tfsdk.State        // where the result goes
	Private      privatestate.Setter // where the result's private state goes
}

// Create is the Request of a Create call.
func Create(req resource.CreateRequest, resp *resource.CreateResponse) Request {
	return Request{Action: Creating, Config: req.Config, Plan: req.Plan, State: &resp.State, Private: resp.Private}
}

// Update is the Request of an Update call.
func Update(req resource.UpdateRequest, resp *resource.UpdateResponse) Request {
	return Request{
		Action: Updating, Config: req.Config, Plan: req.Plan, Prior: &req.State, PriorPrivate: req.Private,
		State: &resp.State, Private: resp.Private,
	}
}

// Get decodes the configuration into config and the plan into plan; either
// may be nil when the helper does not need it.
func (r Request) Get(ctx context.Context, config, plan any) diag.Diagnostics {
	var diags diag.Diagnostics
	if config != nil {
		diags.Append(r.Config.Get(ctx, config)...)
	}
	if plan != nil {
		diags.Append(r.Plan.Get(ctx, plan)...)
	}
	return diags
}

// GetPrior decodes the prior state into prior and reports whether there is
// one (false when creating).
func (r Request) GetPrior(ctx context.Context, prior any) (bool, diag.Diagnostics) {
	if r.Prior == nil {
		return false, nil
	}
	return true, r.Prior.Get(ctx, prior)
}
