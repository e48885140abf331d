package proxies

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
)

var _ datasource.DataSourceWithConfigure = (*proxiesDataSource)(nil)

// NewDataSource is the homelab_proxies data source.
func NewDataSource() datasource.DataSource { return &proxiesDataSource{} }

type proxiesDataSource struct {
	providerdata.DataSourceBase
}

func (d *proxiesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_proxies"
}

func (d *proxiesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config proxiesModel
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

	rules, published, err := d.read(ctx, cf, tunnelID)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Reading", "Proxies of Tunnel", tunnelID, err))
		return
	}
	ingressJSON, err := IngressJSON(rules)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Reading", "Proxies of Tunnel", tunnelID, err))
		return
	}

	state := proxiesModel{
		ID:              types.StringValue(tunnelID),
		TunnelID:        config.TunnelID,
		Proxies:         make([]proxyModel, 0, len(published)),
		AllowedTCPPorts: []types.Int64{},
		IngressJSON:     types.StringValue(ingressJSON),
	}
	for _, p := range published {
		state.Proxies = append(state.Proxies, proxyModelFrom(p))
	}
	for _, port := range AllowedTCPPorts(published) {
		state.AllowedTCPPorts = append(state.AllowedTCPPorts, types.Int64Value(int64(port)))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// read costs one configuration GET, one CNAME list per zone the hostnames
// belong to, and one Access application list, however many hostnames the
// tunnel publishes; nothing at all when the proxies refreshed in the same
// run already listed them.
func (d *proxiesDataSource) read(ctx context.Context, cf *cloudflare.Client, tunnelID string) ([]ingress.Rule, []Published, error) {
	cfg, err := cf.CachedTunnelConfig(ctx, tunnelID)
	if err != nil {
		return nil, nil, err
	}
	doc, err := ingress.Parse(cfg.Document)
	if err != nil {
		return nil, nil, err
	}
	listed := Join(tunnelID, doc.Rules, nil, nil)

	zones := map[string]bool{}
	for _, hostname := range Hostnames(listed) {
		zoneID, err := d.Data.ZoneFor(ctx, cf, hostname)
		var notInAccount *cloudflare.ZoneNotFoundError
		if errors.As(err, &notInAccount) {
			continue // a hand-written rule for a zone elsewhere: it has no record here to join
		}
		if err != nil {
			return nil, nil, err
		}
		zones[zoneID] = true
	}
	var records []cloudflare.DNSRecord
	for zoneID := range zones {
		zoneRecords, err := cf.CachedDNSRecords(ctx, zoneID, cloudflare.DNSFilter{Type: "CNAME"})
		if err != nil {
			return nil, nil, err
		}
		records = append(records, zoneRecords...)
	}
	var apps []cloudflare.AccessApp
	if len(listed) > 0 {
		if apps, err = cf.CachedAccessApps(ctx); err != nil {
			return nil, nil, err
		}
	}
	return doc.Rules, Join(tunnelID, doc.Rules, records, apps), nil
}
