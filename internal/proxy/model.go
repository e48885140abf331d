package proxy

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/origin"
)

type proxyModel struct {
	ID                  types.String `tfsdk:"id"`
	Name                types.String `tfsdk:"name"`
	Hostname            types.String `tfsdk:"hostname"`
	Service             types.String `tfsdk:"service"`
	Path                types.String `tfsdk:"path"`
	TunnelID            types.String `tfsdk:"tunnel_id"`
	OriginRequest       types.Object `tfsdk:"origin_request"`
	Access              types.Object `tfsdk:"access"`
	ZoneID              types.String `tfsdk:"zone_id"`
	DNSRecordID         types.String `tfsdk:"dns_record_id"`
	AccessApplicationID types.String `tfsdk:"access_application_id"`
	AccessPolicyID      types.String `tfsdk:"access_policy_id"`
	Port                types.Int64  `tfsdk:"port"`
}

var accessAttrTypes = map[string]attr.Type{
	"enabled":          types.BoolType,
	"allowed_emails":   types.SetType{ElemType: types.StringType},
	"session_duration": types.StringType,
}

// accessSettings is the effective Access configuration of a proxy.
type accessSettings struct {
	Enabled         bool
	Emails          []string
	SessionDuration string
}

func (a accessSettings) object() types.Object {
	emails := make([]attr.Value, 0, len(a.Emails))
	for _, e := range a.Emails {
		emails = append(emails, types.StringValue(e))
	}
	return types.ObjectValueMust(accessAttrTypes, map[string]attr.Value{
		"enabled":          types.BoolValue(a.Enabled),
		"allowed_emails":   types.SetValueMust(types.StringType, emails),
		"session_duration": types.StringValue(a.SessionDuration),
	})
}

// accessFrom reads a planned or stored access object, which is fully known
// once ModifyPlan has run.
func accessFrom(ctx context.Context, obj types.Object) (accessSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	if obj.IsNull() || obj.IsUnknown() {
		return accessSettings{Enabled: false}, diags
	}
	var m struct {
		Enabled         types.Bool   `tfsdk:"enabled"`
		AllowedEmails   types.Set    `tfsdk:"allowed_emails"`
		SessionDuration types.String `tfsdk:"session_duration"`
	}
	diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true})...)
	a := accessSettings{Enabled: m.Enabled.ValueBool(), SessionDuration: m.SessionDuration.ValueString()}
	if !m.AllowedEmails.IsNull() && !m.AllowedEmails.IsUnknown() {
		diags.Append(m.AllowedEmails.ElementsAs(ctx, &a.Emails, false)...)
	}
	sort.Strings(a.Emails)
	return a, diags
}

// rule is the ingress rule a planned proxy wants.
func (m *proxyModel) rule(ctx context.Context) (ingress.Rule, diag.Diagnostics) {
	options, diags := origin.ToWire(ctx, m.OriginRequest)
	return ingress.Rule{
		Hostname:      m.Hostname.ValueString(),
		Path:          m.Path.ValueString(),
		Service:       m.Service.ValueString(),
		OriginRequest: options,
	}, diags
}

// portOf is the computed port of a service: null when it has none.
func portOf(service types.String) types.Int64 {
	if service.IsUnknown() {
		return types.Int64Unknown()
	}
	port, err := ingress.ParseService(service.ValueString())
	if service.IsNull() || err != nil || port == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(int64(port))
}
