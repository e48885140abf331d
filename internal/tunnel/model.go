package tunnel

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

type tunnelModel struct {
	ID          types.String      `tfsdk:"id"`
	TunnelID    types.String      `tfsdk:"tunnel_id"`
	Name        types.String      `tfsdk:"name"`
	Status      types.String      `tfsdk:"status"`
	ConfigSrc   types.String      `tfsdk:"config_src"`
	CreatedAt   types.String      `tfsdk:"created_at"`
	Connections []connectionModel `tfsdk:"connections"`
}

type connectionModel struct {
	ID            types.String `tfsdk:"id"`
	ConnectorID   types.String `tfsdk:"connector_id"`
	ColoName      types.String `tfsdk:"colo_name"`
	ClientVersion types.String `tfsdk:"client_version"`
	OriginIP      types.String `tfsdk:"origin_ip"`
	OpenedAt      types.String `tfsdk:"opened_at"`
}

func connectionModelFrom(c cloudflare.TunnelConnection) connectionModel {
	return connectionModel{
		ID:            types.StringValue(c.ID),
		ConnectorID:   types.StringValue(c.ConnectorID),
		ColoName:      types.StringValue(c.ColoName),
		ClientVersion: types.StringValue(c.ClientVersion),
		OriginIP:      types.StringValue(c.OriginIP),
		OpenedAt:      tfvalue.Time(c.OpenedAt),
	}
}
