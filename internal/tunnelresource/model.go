package tunnelresource

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

// tunnelModel is homelab_tunnel's configuration and state.
type tunnelModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	SecretVersion types.Int64  `tfsdk:"secret_version"`
	OriginRequest types.Object `tfsdk:"origin_request"`
	CNAME         types.String `tfsdk:"cname"`
	Status        types.String `tfsdk:"status"`
	CreatedAt     types.String `tfsdk:"created_at"`
}

// withTunnel is m with what the API says of the tunnel; secret_version is
// the configuration's own.
func (m tunnelModel) withTunnel(t cloudflare.Tunnel) tunnelModel {
	m.ID = types.StringValue(t.ID)
	m.Name = types.StringValue(t.Name)
	m.CNAME = types.StringValue(cloudflare.TunnelCNAME(t.ID))
	m.Status = types.StringValue(t.Status)
	m.CreatedAt = tfvalue.Time(t.CreatedAt)
	return m
}

// rotates reports whether an update from prior to plan sends a new secret:
// only a change from one recorded secret_version to another does. Setting
// one where the state has none (after an import) records it, so an import
// never rotates, and removing it rotates nothing either.
func rotates(prior, plan types.Int64) bool {
	return !prior.IsNull() && !plan.IsNull() && !plan.IsUnknown() && !prior.Equal(plan)
}

// tunnelIDPattern is the shape of tunnel ids (UUIDs); an import id of
// another shape is a name.
var tunnelIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isTunnelID(s string) bool { return tunnelIDPattern.MatchString(s) }
