package proxy

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/origin"
	"github.com/homelab-tf/terraform-provider-homelab/internal/privatestate"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

// ValidateConfig warns about origin options cloudflared would ignore with
// this service; the values themselves are checked by the schema.
func (r *proxyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config proxyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	service := ""
	if !config.Service.IsUnknown() {
		service = config.Service.ValueString()
	}
	resp.Diagnostics.Append(origin.Warnings(ctx, path.Root("origin_request"), config.OriginRequest, service)...)
}

// ModifyPlan derives the hostname, tunnel, port and effective Access
// settings from the configuration and the provider's defaults, so that the
// plan shows real values, and rejects what would fail at apply.
func (r *proxyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.Data == nil {
		return // destroy, or the provider is not configured yet
	}
	var config, plan proxyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *proxyModel
	if !req.State.Raw.IsNull() {
		state = &proxyModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	d := r.Data
	if !d.Unknown {
		if _, diags := d.CloudflareClient(); diags.HasError() {
			resp.Diagnostics.Append(diags...)
			return
		}
	}

	// Hostname and name.
	switch {
	case !config.Hostname.IsNull():
		plan.Hostname = config.Hostname
		plan.Name = types.StringUnknown()
		if !config.Hostname.IsUnknown() {
			plan.Name = tfvalue.StringOrNull(d.NameFor(config.Hostname.ValueString()))
		}
	case config.Name.IsUnknown():
		plan.Hostname = types.StringUnknown()
	case !config.Name.IsNull():
		if d.Domain == "" {
			if d.Unknown {
				plan.Hostname = types.StringUnknown()
				break
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Missing Domain",
				fmt.Sprintf("The proxy %q derives its hostname from the provider's domain, which is not set. "+
					"Set domain in the provider block, or set hostname on this proxy instead of name.", config.Name.ValueString()))
			return
		}
		hostname := d.HostnameFor(config.Name.ValueString())
		if err := ingress.ValidateHostname(hostname); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Invalid Derived Hostname", err.Error())
			return
		}
		plan.Hostname = types.StringValue(hostname)
	}
	plan.ID = plan.Hostname

	if !plan.Hostname.IsUnknown() && !plan.Hostname.IsNull() && !d.ClaimHostname(plan.Hostname.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("hostname"), "Duplicate Hostname",
			fmt.Sprintf("The hostname %q is published by more than one homelab_proxy in this configuration. "+
				"Each hostname belongs to exactly one proxy; remove or rename one of them.", plan.Hostname.ValueString()))
	}

	// Tunnel.
	if config.TunnelID.IsNull() {
		if d.Cloudflare.TunnelID == "" && d.Unknown {
			plan.TunnelID = types.StringUnknown()
		} else {
			id, diags := d.TunnelID("")
			for _, diagnostic := range diags {
				resp.Diagnostics.Append(diag.WithPath(path.Root("tunnel_id"), diagnostic))
			}
			plan.TunnelID = types.StringValue(id)
		}
	}

	plan.Port = portOf(config.Service)

	access, known := r.plannedAccess(ctx, config, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	if known {
		plan.Access = access.object()
	} else {
		plan.Access = types.ObjectUnknown(accessAttrTypes)
	}

	// Computed ids: unknown on create, carried over on update unless the
	// last refresh found the object missing or drifted.
	repairs := readRepairs(ctx, req.Private)
	replace := state != nil && (!plan.Hostname.Equal(state.Hostname) || !plan.TunnelID.Equal(state.TunnelID))
	if state == nil || replace {
		plan.ZoneID = types.StringUnknown()
		plan.DNSRecordID = types.StringUnknown()
		plan.AccessApplicationID = types.StringUnknown()
		plan.AccessPolicyID = types.StringUnknown()
		if replace {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("hostname"), path.Root("tunnel_id"))
		}
	} else {
		plan.ZoneID = carry(state.ZoneID, false)
		plan.DNSRecordID = carry(state.DNSRecordID, repairs.DNS)
		plan.AccessApplicationID = carry(state.AccessApplicationID, repairs.Access)
		// Proxies with equal settings share a policy, so new settings
		// may mean another policy.
		prior, _ := accessFrom(ctx, state.Access)
		plan.AccessPolicyID = carry(state.AccessPolicyID, repairs.Access || !known || !samePolicySettings(access, prior))
	}
	if known && !access.Enabled {
		plan.AccessApplicationID = types.StringNull()
		plan.AccessPolicyID = types.StringNull()
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// plannedAccess applies the defaults to the configured access block and
// reports false when some part is not known until apply.
func (r *proxyResource) plannedAccess(ctx context.Context, config proxyModel, resp *resource.ModifyPlanResponse) (accessSettings, bool) {
	a := accessSettings{Enabled: true, SessionDuration: DefaultSessionDuration}
	if config.Access.IsUnknown() {
		return a, false
	}
	emailsSet := false
	if !config.Access.IsNull() {
		attrs := config.Access.Attributes()
		if v, ok := attrs["enabled"].(types.Bool); ok {
			if v.IsUnknown() {
				return a, false
			}
			if !v.IsNull() {
				a.Enabled = v.ValueBool()
			}
		}
		if v, ok := attrs["session_duration"].(types.String); ok {
			if v.IsUnknown() {
				return a, false
			}
			if !v.IsNull() {
				a.SessionDuration = v.ValueString()
			}
		}
		if v, ok := attrs["allowed_emails"].(types.Set); ok && !v.IsNull() {
			if v.IsUnknown() {
				return a, false
			}
			resp.Diagnostics.Append(v.ElementsAs(ctx, &a.Emails, false)...)
			emailsSet = true
		}
	}
	if !emailsSet {
		if r.Data.Unknown && len(r.Data.AllowedEmails) == 0 {
			return a, false
		}
		a.Emails = append([]string(nil), r.Data.AllowedEmails...)
	}
	sort.Strings(a.Emails)
	a.Emails = slices.Compact(a.Emails)
	if a.Enabled && len(a.Emails) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("access").AtName("allowed_emails"), "Access Without Allowed E-mails",
			"Access is enabled for this proxy but no e-mail address may pass it, so nobody could reach the service. "+
				"Set access.allowed_emails on the proxy or access.allowed_emails in the provider block; to publish the "+
				"service without Access, set access = { enabled = false } explicitly.")
	}
	return a, true
}

// samePolicySettings reports whether two access settings call for the same
// shared policy.
func samePolicySettings(a, b accessSettings) bool {
	return a.SessionDuration == b.SessionDuration && slices.Equal(a.Emails, b.Emails)
}

// carry keeps a computed id from state, or plans it as unknown when the
// object has to be recreated or repaired.
func carry(v types.String, repair bool) types.String {
	if repair || v.IsNull() || v.ValueString() == "" {
		return types.StringUnknown()
	}
	return v
}

// repairs marks objects that exist but drifted; Read records them in the
// resource's private state so the plan can schedule the repair.
type repairs struct {
	DNS    bool `json:"dns,omitempty"`
	Access bool `json:"access,omitempty"`
}

const repairsKey = "repairs"

func readRepairs(ctx context.Context, private privatestate.Getter) repairs {
	var out repairs
	privatestate.Read(ctx, private, repairsKey, &out)
	return out
}

func writeRepairs(ctx context.Context, private privatestate.Setter, r repairs) diag.Diagnostics {
	return privatestate.Write(ctx, private, repairsKey, r)
}
