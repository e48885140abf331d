package proxy

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/apply"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

var (
	_ resource.ResourceWithConfigure      = (*proxyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*proxyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*proxyResource)(nil)
	_ resource.ResourceWithImportState    = (*proxyResource)(nil)
)

type proxyResource struct {
	providerdata.Base
}

// NewResource is the homelab_proxy factory.
func NewResource() resource.Resource { return &proxyResource{} }

func (r *proxyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_proxy"
}

func (r *proxyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Create(req, resp))...)
}

func (r *proxyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state proxyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cf, diags := r.Data.CloudflareClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	observed, found, diags := r.observe(ctx, cf, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found.any() {
		resp.Diagnostics.Append(diagnostics.RemovedFromState("Proxy", state.Hostname.ValueString(),
			"Its DNS record, ingress rule and Access application were all deleted outside Terraform. The next apply creates them again."))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &observed)...)
	resp.Diagnostics.Append(writeRepairs(ctx, resp.Private, found.repairs)...)
}

func (r *proxyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Update(req, resp))...)
}

func (r *proxyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state proxyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cf, diags := r.Data.CloudflareClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	hostname := state.Hostname.ValueString()
	fail := func(object string, err error) {
		resp.Diagnostics.Append(diagnostics.APIFailure("Deleting", "Proxy", hostname, fmt.Errorf("%s: %w", object, err)))
	}
	// Announced, the tunnel's and the zone's batches go out once the
	// proxies destroyed together have queued their writes.
	change := cloudflare.Change{ZoneID: state.ZoneID.ValueString()}
	if !state.Service.IsNull() {
		change.TunnelID = state.TunnelID.ValueString()
	}
	if state.DNSRecordID.ValueString() != "" {
		change.DNS = cloudflare.DNSDelete
	}
	ctx, changing := cf.BeginChange(ctx, change)
	defer changing.Done()
	// DNS first, so the hostname stops resolving before Access goes away.
	if id := state.DNSRecordID.ValueString(); id != "" {
		err := cf.DeleteDNSRecord(ctx, state.ZoneID.ValueString(), id)
		if err != nil {
			fail("DNS record", err)
			return
		}
	}
	if !state.Service.IsNull() {
		err := removeRule(ctx, cf, state.TunnelID.ValueString(), hostname, state.Path.ValueString())
		if err != nil {
			fail("ingress rule", err)
			return
		}
	}
	if err := removeAccess(ctx, cf, state.AccessApplicationID.ValueString(), state.AccessPolicyID.ValueString()); err != nil {
		fail("Access application", err)
	}
}

// ImportState accepts the hostname, or "<zone_id>/<dns_record_id>" as the
// official Cloudflare provider uses for records.
func (r *proxyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if zoneID, recordID, ok := strings.Cut(id, "/"); ok {
		if zoneID == "" || recordID == "" || strings.Contains(recordID, "/") {
			resp.Diagnostics.AddError("Invalid Import ID",
				fmt.Sprintf("%q is neither a hostname nor <zone_id>/<dns_record_id>.", req.ID))
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("zone_id"), zoneID)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("dns_record_id"), recordID)...)
		return
	}
	hostname := strings.ToLower(strings.TrimSuffix(id, "."))
	if err := ingress.ValidateHostname(hostname); err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", err.Error()+" Use the hostname, e.g. jellyfin-home.example.com, or <zone_id>/<dns_record_id>.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), hostname)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("hostname"), hostname)...)
}

// apply converges the proxy on the plan and saves the result, also on
// error, so that the next apply repairs what exists instead of creating it
// twice.
func (r *proxyResource) apply(ctx context.Context, req apply.Request) diag.Diagnostics {
	var plan, prior proxyModel
	diags := req.Get(ctx, nil, &plan)
	updating, d := req.GetPrior(ctx, &prior)
	if diags.Append(d...); diags.HasError() {
		return diags
	}
	var state *proxyModel
	if updating {
		state = &prior
	}
	result, d := r.converge(ctx, plan, state)
	diags.Append(d...)
	diags.Append(req.State.Set(ctx, &result)...)
	diags.Append(writeRepairs(ctx, req.Private, repairs{})...)
	return diags
}

// converge converges the three Cloudflare objects on the plan. Access comes
// first and DNS last, so a new hostname never resolves before Access
// guards it. The result holds every id known so far, also on failure.
func (r *proxyResource) converge(ctx context.Context, plan proxyModel, state *proxyModel) (result proxyModel, diags diag.Diagnostics) {
	result = plan
	hostname := plan.Hostname.ValueString()
	action := apply.Creating
	if state != nil {
		action = apply.Updating
	}
	fail := func(object string, err error) {
		diags.Append(diagnostics.APIFailure(action, "Proxy", hostname, fmt.Errorf("%s: %w", object, err)))
	}
	defer nullUnknownIDs(&result)

	cf, d := r.Data.CloudflareClient()
	if diags.Append(d...); diags.HasError() {
		return result, diags
	}
	// Tell the tunnel's write batch that this rule is on its way, so the
	// rules of the resources applied together go out in one PUT.
	ctx, changing := cf.BeginChange(ctx, cloudflare.Change{TunnelID: plan.TunnelID.ValueString()})
	defer changing.Done()
	if result.ZoneID.IsUnknown() {
		zoneID, err := r.Data.ZoneFor(ctx, cf, hostname)
		if err != nil {
			fail("zone", err)
			return result, diags
		}
		result.ZoneID = types.StringValue(zoneID)
	}
	// Likewise for the zone's record creations, which go out in one batch.
	if result.DNSRecordID.IsUnknown() {
		changing.ExpectDNS(cloudflare.DNSCreate, result.ZoneID.ValueString())
	}

	access, d := accessFrom(ctx, plan.Access)
	if diags.Append(d...); diags.HasError() {
		return result, diags
	}
	var prior accessSettings
	if state != nil {
		prior, _ = accessFrom(ctx, state.Access)
	}
	switch {
	case access.Enabled && (result.AccessApplicationID.IsUnknown() || result.AccessPolicyID.IsUnknown() || !equalAccess(access, prior)):
		appID, policyID := "", ""
		if state != nil {
			appID, policyID = state.AccessApplicationID.ValueString(), state.AccessPolicyID.ValueString()
		}
		appID, policyID, err := ensureAccess(ctx, cf, hostname, appID, policyID, access)
		result.AccessPolicyID = tfvalue.StringOrNull(policyID)
		result.AccessApplicationID = tfvalue.StringOrNull(appID)
		if err != nil {
			fail("Access application", err)
			return result, diags
		}
	case !access.Enabled && state != nil:
		if err := removeAccess(ctx, cf, state.AccessApplicationID.ValueString(), state.AccessPolicyID.ValueString()); err != nil {
			result.AccessApplicationID, result.AccessPolicyID = state.AccessApplicationID, state.AccessPolicyID
			fail("Access application", err)
			return result, diags
		}
	}

	var previousPath *string
	if state != nil && !state.Service.IsNull() {
		p := state.Path.ValueString()
		previousPath = &p
	}
	rule, d := plan.rule(ctx)
	if diags.Append(d...); diags.HasError() {
		return result, diags
	}
	err := ensureRule(ctx, cf, plan.TunnelID.ValueString(), rule, previousPath)
	if err != nil {
		fail("ingress rule", err)
		return result, diags
	}

	if result.DNSRecordID.IsUnknown() {
		recordID := ""
		if state != nil {
			recordID = state.DNSRecordID.ValueString()
		}
		id, err := ensureDNS(ctx, cf, result.ZoneID.ValueString(), recordID, hostname, plan.TunnelID.ValueString())
		if err != nil {
			fail("DNS record", err)
			return result, diags
		}
		result.DNSRecordID = types.StringValue(id)
	}
	return result, diags
}

func equalAccess(a, b accessSettings) bool {
	return a.Enabled == b.Enabled && samePolicySettings(a, b)
}

// nullUnknownIDs replaces ids never reached with null: state cannot hold
// unknown values.
func nullUnknownIDs(m *proxyModel) {
	for _, v := range []*types.String{&m.ZoneID, &m.DNSRecordID, &m.AccessApplicationID, &m.AccessPolicyID} {
		if v.IsUnknown() {
			*v = types.StringNull()
		}
	}
}
