package cloudflare

import (
	"context"
	"time"

	cf "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/zero_trust"
)

// TunnelConnection is one connection of a cloudflared connector to
// Cloudflare's edge.
type TunnelConnection struct {
	ID            string
	ConnectorID   string
	ColoName      string
	ClientVersion string
	OriginIP      string
	OpenedAt      time.Time
}

// TunnelToken returns the token `cloudflared tunnel run --token` needs. It
// is a credential: callers keep it out of logs and diagnostics, and the
// transport never logs bodies.
func (c *Client) TunnelToken(ctx context.Context, tunnelID string) (string, error) {
	if err := c.requireAccount(); err != nil {
		return "", err
	}
	token, err := c.sdk.ZeroTrust.Tunnels.Cloudflared.Token.Get(ctx, tunnelID,
		zero_trust.TunnelCloudflaredTokenGetParams{AccountID: cf.F(c.accountID)})
	if err != nil {
		return "", wrap(err)
	}
	if token == nil {
		return "", nil
	}
	return *token, nil
}

// TunnelConnections lists the live connections of every connector of a
// tunnel, from the dedicated endpoint (the tunnel object's own
// `connections` field is deprecated and empty).
func (c *Client) TunnelConnections(ctx context.Context, tunnelID string) ([]TunnelConnection, error) {
	if err := c.requireAccount(); err != nil {
		return nil, err
	}
	page, err := c.sdk.ZeroTrust.Tunnels.Cloudflared.Connections.Get(ctx, tunnelID,
		zero_trust.TunnelCloudflaredConnectionGetParams{AccountID: cf.F(c.accountID)})
	if err != nil {
		return nil, wrap(err)
	}
	var out []TunnelConnection
	for _, connector := range page.Result {
		for _, conn := range connector.Conns {
			out = append(out, TunnelConnection{
				ID:            conn.ID,
				ConnectorID:   connector.ID,
				ColoName:      conn.ColoName,
				ClientVersion: conn.ClientVersion,
				OriginIP:      conn.OriginIP,
				OpenedAt:      conn.OpenedAt,
			})
		}
	}
	return out, nil
}
