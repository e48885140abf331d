package origin

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

// Model is the origin_request object.
type Model struct {
	ConnectTimeout         types.Int64  `tfsdk:"connect_timeout"`
	TLSTimeout             types.Int64  `tfsdk:"tls_timeout"`
	TCPKeepAlive           types.Int64  `tfsdk:"tcp_keep_alive"`
	KeepAliveTimeout       types.Int64  `tfsdk:"keep_alive_timeout"`
	KeepAliveConnections   types.Int64  `tfsdk:"keep_alive_connections"`
	NoHappyEyeballs        types.Bool   `tfsdk:"no_happy_eyeballs"`
	HTTPHostHeader         types.String `tfsdk:"http_host_header"`
	OriginServerName       types.String `tfsdk:"origin_server_name"`
	MatchSNIToHost         types.Bool   `tfsdk:"match_sni_to_host"`
	CAPool                 types.String `tfsdk:"ca_pool"`
	NoTLSVerify            types.Bool   `tfsdk:"no_tls_verify"`
	DisableChunkedEncoding types.Bool   `tfsdk:"disable_chunked_encoding"`
	HTTP2Origin            types.Bool   `tfsdk:"http2_origin"`
	BastionMode            types.Bool   `tfsdk:"bastion_mode"`
	ProxyAddress           types.String `tfsdk:"proxy_address"`
	ProxyPort              types.Int64  `tfsdk:"proxy_port"`
	ProxyType              types.String `tfsdk:"proxy_type"`
	IPRules                types.List   `tfsdk:"ip_rules"`
}

// IPRuleModel is one element of ip_rules.
type IPRuleModel struct {
	Prefix types.String `tfsdk:"prefix"`
	Ports  types.List   `tfsdk:"ports"`
	Allow  types.Bool   `tfsdk:"allow"`
}

// IPRuleAttrTypes is the object type of an ip_rules element.
var IPRuleAttrTypes = map[string]attr.Type{
	"prefix": types.StringType,
	"ports":  types.ListType{ElemType: types.Int64Type},
	"allow":  types.BoolType,
}

// AttrTypes is the object type of origin_request.
var AttrTypes = map[string]attr.Type{
	"connect_timeout":          types.Int64Type,
	"tls_timeout":              types.Int64Type,
	"tcp_keep_alive":           types.Int64Type,
	"keep_alive_timeout":       types.Int64Type,
	"keep_alive_connections":   types.Int64Type,
	"no_happy_eyeballs":        types.BoolType,
	"http_host_header":         types.StringType,
	"origin_server_name":       types.StringType,
	"match_sni_to_host":        types.BoolType,
	"ca_pool":                  types.StringType,
	"no_tls_verify":            types.BoolType,
	"disable_chunked_encoding": types.BoolType,
	"http2_origin":             types.BoolType,
	"bastion_mode":             types.BoolType,
	"proxy_address":            types.StringType,
	"proxy_port":               types.Int64Type,
	"proxy_type":               types.StringType,
	"ip_rules":                 types.ListType{ElemType: types.ObjectType{AttrTypes: IPRuleAttrTypes}},
}

// Null is an unset origin_request.
func Null() types.Object { return types.ObjectNull(AttrTypes) }

// ToWire reads a planned or stored origin_request, which is fully known at
// apply; null gives nil.
func ToWire(ctx context.Context, obj types.Object) (*ingress.OriginRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	if obj.IsNull() || obj.IsUnknown() {
		return nil, diags
	}
	var m Model
	diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	if diags.HasError() {
		return nil, diags
	}
	o := &ingress.OriginRequest{
		ConnectTimeout:         m.ConnectTimeout.ValueInt64Pointer(),
		TLSTimeout:             m.TLSTimeout.ValueInt64Pointer(),
		TCPKeepAlive:           m.TCPKeepAlive.ValueInt64Pointer(),
		NoHappyEyeballs:        m.NoHappyEyeballs.ValueBoolPointer(),
		KeepAliveConnections:   m.KeepAliveConnections.ValueInt64Pointer(),
		KeepAliveTimeout:       m.KeepAliveTimeout.ValueInt64Pointer(),
		HTTPHostHeader:         m.HTTPHostHeader.ValueStringPointer(),
		OriginServerName:       m.OriginServerName.ValueStringPointer(),
		MatchSNIToHost:         m.MatchSNIToHost.ValueBoolPointer(),
		CAPool:                 m.CAPool.ValueStringPointer(),
		NoTLSVerify:            m.NoTLSVerify.ValueBoolPointer(),
		DisableChunkedEncoding: m.DisableChunkedEncoding.ValueBoolPointer(),
		BastionMode:            m.BastionMode.ValueBoolPointer(),
		ProxyAddress:           m.ProxyAddress.ValueStringPointer(),
		ProxyPort:              m.ProxyPort.ValueInt64Pointer(),
		ProxyType:              m.ProxyType.ValueStringPointer(),
		HTTP2Origin:            m.HTTP2Origin.ValueBoolPointer(),
	}
	if !m.IPRules.IsNull() && !m.IPRules.IsUnknown() {
		var rules []IPRuleModel
		diags.Append(m.IPRules.ElementsAs(ctx, &rules, false)...)
		wire := make([]ingress.IPRule, 0, len(rules))
		for _, r := range rules {
			w := ingress.IPRule{Prefix: r.Prefix.ValueString(), Allow: r.Allow.ValueBool()}
			if !r.Ports.IsNull() && !r.Ports.IsUnknown() {
				ports := []int64{}
				diags.Append(r.Ports.ElementsAs(ctx, &ports, false)...)
				w.Ports = &ports
			}
			wire = append(wire, w)
		}
		o.IPRules = &wire
	}
	return o, diags
}

// FromWire maps live options to origin_request. Options without a managed
// key read as null unless keep is set (the configuration has the
// attribute), so that `origin_request = {}` and no attribute both plan
// nothing after a refresh.
func FromWire(o *ingress.OriginRequest, keep bool) types.Object {
	if o.SameManaged(nil) && !keep {
		return Null()
	}
	if o == nil {
		o = &ingress.OriginRequest{}
	}
	rules := types.ListNull(types.ObjectType{AttrTypes: IPRuleAttrTypes})
	if o.IPRules != nil {
		elems := make([]attr.Value, 0, len(*o.IPRules))
		for _, r := range *o.IPRules {
			ports := types.ListNull(types.Int64Type)
			if r.Ports != nil {
				values := make([]attr.Value, len(*r.Ports))
				for i, p := range *r.Ports {
					values[i] = types.Int64Value(p)
				}
				ports = types.ListValueMust(types.Int64Type, values)
			}
			elems = append(elems, types.ObjectValueMust(IPRuleAttrTypes, map[string]attr.Value{
				"prefix": types.StringValue(r.Prefix),
				"ports":  ports,
				"allow":  types.BoolValue(r.Allow),
			}))
		}
		rules = types.ListValueMust(types.ObjectType{AttrTypes: IPRuleAttrTypes}, elems)
	}
	return types.ObjectValueMust(AttrTypes, map[string]attr.Value{
		"connect_timeout":          types.Int64PointerValue(o.ConnectTimeout),
		"tls_timeout":              types.Int64PointerValue(o.TLSTimeout),
		"tcp_keep_alive":           types.Int64PointerValue(o.TCPKeepAlive),
		"keep_alive_timeout":       types.Int64PointerValue(o.KeepAliveTimeout),
		"keep_alive_connections":   types.Int64PointerValue(o.KeepAliveConnections),
		"no_happy_eyeballs":        types.BoolPointerValue(o.NoHappyEyeballs),
		"http_host_header":         types.StringPointerValue(o.HTTPHostHeader),
		"origin_server_name":       types.StringPointerValue(o.OriginServerName),
		"match_sni_to_host":        types.BoolPointerValue(o.MatchSNIToHost),
		"ca_pool":                  types.StringPointerValue(o.CAPool),
		"no_tls_verify":            types.BoolPointerValue(o.NoTLSVerify),
		"disable_chunked_encoding": types.BoolPointerValue(o.DisableChunkedEncoding),
		"http2_origin":             types.BoolPointerValue(o.HTTP2Origin),
		"bastion_mode":             types.BoolPointerValue(o.BastionMode),
		"proxy_address":            types.StringPointerValue(o.ProxyAddress),
		"proxy_port":               types.Int64PointerValue(o.ProxyPort),
		"proxy_type":               types.StringPointerValue(o.ProxyType),
		"ip_rules":                 rules,
	})
}
