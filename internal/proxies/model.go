package proxies

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

type proxiesModel struct {
	ID              types.String  `tfsdk:"id"`
	TunnelID        types.String  `tfsdk:"tunnel_id"`
	Proxies         []proxyModel  `tfsdk:"proxies"`
	AllowedTCPPorts []types.Int64 `tfsdk:"allowed_tcp_ports"`
	IngressJSON     types.String  `tfsdk:"ingress_json"`
}

type proxyModel struct {
	Hostname            types.String `tfsdk:"hostname"`
	Service             types.String `tfsdk:"service"`
	Path                types.String `tfsdk:"path"`
	Port                types.Int64  `tfsdk:"port"`
	DNSRecordID         types.String `tfsdk:"dns_record_id"`
	AccessApplicationID types.String `tfsdk:"access_application_id"`
	Protected           types.Bool   `tfsdk:"protected"`
}

// proxyModelFrom converts a joined entry; absent parts are null, not "".
func proxyModelFrom(p Published) proxyModel {
	m := proxyModel{
		Hostname:            types.StringValue(p.Hostname),
		Service:             types.StringValue(p.Service),
		Path:                tfvalue.StringOrNull(p.Path),
		Port:                types.Int64Null(),
		DNSRecordID:         tfvalue.StringOrNull(p.DNSRecordID),
		AccessApplicationID: tfvalue.StringOrNull(p.AccessApplicationID),
		Protected:           types.BoolValue(p.Protected),
	}
	if p.Port > 0 {
		m.Port = types.Int64Value(int64(p.Port))
	}
	return m
}
