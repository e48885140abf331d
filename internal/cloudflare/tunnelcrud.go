package cloudflare

// The tunnel's own lifecycle (homelab_tunnel). Facts of the API these calls
// follow (Cloudflare API v4, "Cloudflare Tunnel" endpoints, and what real
// clients report):
//
//   - POST /accounts/{a}/cfd_tunnel {"name", "config_src": "cloudflare"}
//     makes a remotely managed tunnel; without "tunnel_secret" Cloudflare
//     generates the secret, so the provider never holds it.
//   - A second live tunnel of one name is refused: 409, code 1013 "You
//     already have a tunnel with this name".
//   - DELETE is a soft delete: the tunnel stays readable with deleted_at
//     set, and listable unless the list asks is_deleted=false.
//   - PATCH /accounts/{a}/cfd_tunnel/{t} takes "name" and "tunnel_secret"
//     (base64 of at least 32 bytes).
//   - DELETE of a tunnel with connected connectors fails (code 1022,
//     "Cannot delete tunnel because it has active connections",
//     terraform-provider-cloudflare #5255) unless
//     DELETE /accounts/{a}/cfd_tunnel/{t}/connections removes them first.
//   - GET .../token answers the token as a plain string: base64 of the JSON
//     {"a": account tag, "t": tunnel id, "s": base64 secret} (cloudflared's
//     connection.TunnelToken).

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Tunnel error codes Cloudflare answers.
const (
	codeTunnelNameTaken      = 1013
	codeTunnelHasConnections = 1022
)

// ErrTunnelNameTaken is a create or rename refused because a live tunnel of
// the account already has the name.
var ErrTunnelNameTaken = errors.New("a live tunnel of the account already has this name")

// IsTunnelHasConnections reports a tunnel delete refused because connectors
// are still connected.
func IsTunnelHasConnections(err error) bool {
	apiErr, ok := errors.AsType[*APIError](err)
	return ok && apiErr.HasCode(codeTunnelHasConnections)
}

// tunnelWire is the part of the API's tunnel object the provider reads.
type tunnelWire struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Status    string     `json:"status"`
	ConfigSrc string     `json:"config_src"`
	CreatedAt time.Time  `json:"created_at"`
	DeletedAt *time.Time `json:"deleted_at"`
}

func (w tunnelWire) tunnel() Tunnel {
	return Tunnel{
		ID: w.ID, Name: w.Name, Status: w.Status, ConfigSrc: w.ConfigSrc, CreatedAt: w.CreatedAt,
		Deleted: w.DeletedAt != nil && !w.DeletedAt.IsZero(),
	}
}

type tunnelEnvelope struct {
	Result tunnelWire `json:"result"`
}

func (c *Client) tunnelsPath() string {
	return fmt.Sprintf("accounts/%s/cfd_tunnel", url.PathEscape(c.accountID))
}

func (c *Client) tunnelPath(tunnelID string) string {
	return c.tunnelsPath() + "/" + url.PathEscape(tunnelID)
}

// nameTaken turns the API's refusal of a taken name into ErrTunnelNameTaken,
// keeping the API's error.
func nameTaken(err error) error {
	if apiErr, ok := errors.AsType[*APIError](err); ok && (apiErr.StatusCode == http.StatusConflict || apiErr.HasCode(codeTunnelNameTaken)) {
		return fmt.Errorf("%w: %w", ErrTunnelNameTaken, err)
	}
	return err
}

// CreateTunnel makes a remotely managed tunnel; Cloudflare generates its
// secret. A taken name is ErrTunnelNameTaken.
func (c *Client) CreateTunnel(ctx context.Context, name string) (Tunnel, error) {
	if err := c.requireAccount(); err != nil {
		return Tunnel{}, err
	}
	body := map[string]string{"name": name, "config_src": "cloudflare"}
	var env tunnelEnvelope
	if err := c.sdk.Execute(ctx, http.MethodPost, c.tunnelsPath(), body, &env); err != nil {
		return Tunnel{}, nameTaken(wrap(err))
	}
	return env.Result.tunnel(), nil
}

// FindTunnel returns the account's live tunnel of this name; ok is false
// when there is none. Names are unique among live tunnels.
func (c *Client) FindTunnel(ctx context.Context, name string) (t Tunnel, ok bool, err error) {
	if err := c.requireAccount(); err != nil {
		return Tunnel{}, false, err
	}
	path := c.tunnelsPath() + "?is_deleted=false&name=" + url.QueryEscape(name)
	err = listAll(ctx, c, path, 50, func(page []tunnelWire) {
		for _, w := range page {
			if w.Name == name && !ok {
				t, ok = w.tunnel(), true
			}
		}
	})
	return t, ok, err
}

// RenameTunnel changes a live tunnel's name. A taken name is
// ErrTunnelNameTaken.
func (c *Client) RenameTunnel(ctx context.Context, tunnelID, name string) (Tunnel, error) {
	return c.patchTunnel(ctx, tunnelID, map[string]string{"name": name})
}

// RotateTunnelSecret gives a tunnel a new secret: 32 bytes from crypto/rand,
// sent once and never kept, so only a token fetched afterwards carries it.
// Connectors running with the old token keep their connections until they
// reconnect.
func (c *Client) RotateTunnelSecret(ctx context.Context, tunnelID string) (Tunnel, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return Tunnel{}, err
	}
	return c.patchTunnel(ctx, tunnelID, map[string]string{"tunnel_secret": base64.StdEncoding.EncodeToString(secret)})
}

func (c *Client) patchTunnel(ctx context.Context, tunnelID string, body map[string]string) (Tunnel, error) {
	if err := c.requireAccount(); err != nil {
		return Tunnel{}, err
	}
	var env tunnelEnvelope
	if err := c.sdk.Execute(ctx, http.MethodPatch, c.tunnelPath(tunnelID), body, &env); err != nil {
		return Tunnel{}, nameTaken(wrap(err))
	}
	return env.Result.tunnel(), nil
}

// DeleteTunnel removes a tunnel's connections (so a running cloudflared
// does not block it), then the tunnel. A tunnel already gone is success.
func (c *Client) DeleteTunnel(ctx context.Context, tunnelID string) error {
	if err := c.requireAccount(); err != nil {
		return err
	}
	err := c.sdk.Execute(ctx, http.MethodDelete, c.tunnelPath(tunnelID)+"/connections", nil, nil)
	if err = wrap(err); err != nil {
		if IsNotFound(err) {
			return nil
		}
		return err
	}
	err = wrap(c.sdk.Execute(ctx, http.MethodDelete, c.tunnelPath(tunnelID), nil, nil))
	if IsNotFound(err) {
		return nil
	}
	return err
}

// TunnelCNAME is the hostname a tunnel's DNS records point at.
func TunnelCNAME(tunnelID string) string { return tunnelID + ".cfargotunnel.com" }
