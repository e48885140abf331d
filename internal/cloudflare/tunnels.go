package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	cf "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/zero_trust"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

// Tunnel is the part of a cfd_tunnel the provider reads.
type Tunnel struct {
	ID      string
	Name    string
	Status  string
	Deleted bool
	// ConfigSrc is "cloudflare" for a remotely managed tunnel, "local" otherwise.
	ConfigSrc string
	CreatedAt time.Time
}

// GetTunnel reads one tunnel of the account.
func (c *Client) GetTunnel(ctx context.Context, tunnelID string) (Tunnel, error) {
	if err := c.requireAccount(); err != nil {
		return Tunnel{}, err
	}
	t, err := c.sdk.ZeroTrust.Tunnels.Cloudflared.Get(ctx, tunnelID, zero_trust.TunnelCloudflaredGetParams{AccountID: cf.F(c.accountID)})
	if err != nil {
		return Tunnel{}, wrap(err)
	}
	return Tunnel{
		ID:        t.ID,
		Name:      t.Name,
		Status:    string(t.Status),
		Deleted:   !t.DeletedAt.IsZero(),
		ConfigSrc: string(t.ConfigSrc),
		CreatedAt: t.CreatedAt,
	}, nil
}

// TunnelConfig is a tunnel's remote configuration as Cloudflare stores it.
// Document is the whole `config` object, kept as raw JSON so that keys this
// provider does not know (warp-routing, new originRequest options) survive
// a read-modify-write untouched.
type TunnelConfig struct {
	Version  int64
	Document json.RawMessage
	parsed   *parsedDocument // shared by the copies of one fetched document
}

// parsedDocument is a document parsed once, on first use.
type parsedDocument struct {
	once sync.Once
	doc  *ingress.Document
	err  error
}

func fetched(version int64, document json.RawMessage) TunnelConfig {
	return TunnelConfig{Version: version, Document: document, parsed: &parsedDocument{}}
}

// Ingress is Document parsed, once per document this client read or wrote:
// during a refresh every proxy of a tunnel reads the same cached document,
// and parses it once instead of once per proxy. The result is shared and
// must only be read; edit a copy (ingress.Parse) instead.
func (t TunnelConfig) Ingress() (*ingress.Document, error) {
	if t.parsed == nil {
		return ingress.Parse(t.Document)
	}
	t.parsed.once.Do(func() { t.parsed.doc, t.parsed.err = ingress.Parse(t.Document) })
	return t.parsed.doc, t.parsed.err
}

type tunnelConfigEnvelope struct {
	Result struct {
		Version int64           `json:"version"`
		Config  json.RawMessage `json:"config"`
	} `json:"result"`
}

// The configuration calls go through the SDK's generic request path rather
// than its typed service, whose structs drop unknown keys.
func (c *Client) tunnelConfigPath(tunnelID string) string {
	return fmt.Sprintf("accounts/%s/cfd_tunnel/%s/configurations", url.PathEscape(c.accountID), url.PathEscape(tunnelID))
}

// GetTunnelConfig reads a tunnel's remote configuration.
func (c *Client) GetTunnelConfig(ctx context.Context, tunnelID string) (TunnelConfig, error) {
	if err := c.requireAccount(); err != nil {
		return TunnelConfig{}, err
	}
	var env tunnelConfigEnvelope
	if err := c.sdk.Execute(ctx, http.MethodGet, c.tunnelConfigPath(tunnelID), nil, &env); err != nil {
		return TunnelConfig{}, wrap(err)
	}
	return fetched(env.Result.Version, env.Result.Config), nil
}

// PutTunnelConfig replaces a tunnel's remote configuration document.
func (c *Client) PutTunnelConfig(ctx context.Context, tunnelID string, document json.RawMessage) (TunnelConfig, error) {
	if err := c.requireAccount(); err != nil {
		return TunnelConfig{}, err
	}
	body := map[string]json.RawMessage{"config": document}
	var env tunnelConfigEnvelope
	if err := c.sdk.Execute(ctx, http.MethodPut, c.tunnelConfigPath(tunnelID), body, &env); err != nil {
		err = wrap(err)
		c.cache.tunnel(tunnelID).wrote(tunnelDoc, nil, err)
		return TunnelConfig{}, err
	}
	if len(env.Result.Config) == 0 {
		// An answer without the document (older API versions answered
		// with a bare object): what was sent is what is stored.
		env.Result.Config = document
	}
	written := fetched(env.Result.Version, env.Result.Config)
	c.cache.tunnel(tunnelID).wrote(tunnelDoc, &written, nil)
	return written, nil
}
