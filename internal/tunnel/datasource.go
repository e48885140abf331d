package tunnel

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

var _ datasource.DataSourceWithConfigure = (*tunnelDataSource)(nil)

// NewDataSource is the homelab_tunnel data source.
func NewDataSource() datasource.DataSource { return &tunnelDataSource{} }

type tunnelDataSource struct {
	providerdata.DataSourceBase
}

func (d *tunnelDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tunnel"
}

func (d *tunnelDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config tunnelModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tunnelID, diags := d.Data.TunnelID(config.TunnelID.ValueString())
	resp.Diagnostics.Append(diags...)
	cf, diags := d.Data.CloudflareClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	t, err := cf.GetTunnel(ctx, tunnelID)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Reading", "Tunnel", tunnelID, err))
		return
	}
	if t.Deleted {
		resp.Diagnostics.Append(diagnostics.Failure("Reading", "Tunnel", tunnelID,
			"The tunnel "+t.Name+" was deleted. Create a tunnel, or set tunnel_id to a live one."))
		return
	}
	conns, err := cf.TunnelConnections(ctx, tunnelID)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Reading", "Connections of Tunnel", tunnelID, err))
		return
	}

	state := tunnelModel{
		ID:          types.StringValue(t.ID),
		TunnelID:    config.TunnelID,
		Name:        types.StringValue(t.Name),
		Status:      types.StringValue(t.Status),
		ConfigSrc:   types.StringValue(t.ConfigSrc),
		CreatedAt:   tfvalue.Time(t.CreatedAt),
		Connections: make([]connectionModel, 0, len(conns)),
	}
	for _, c := range conns {
		state.Connections = append(state.Connections, connectionModelFrom(c))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
