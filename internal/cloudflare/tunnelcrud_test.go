package cloudflare

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func tokenSecret(t *testing.T, c *Client, tunnelID string) string {
	t.Helper()
	token, err := c.TunnelToken(testContext(t), tunnelID)
	if err != nil {
		t.Fatalf("TunnelToken: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		t.Fatal("the token is not base64")
	}
	var parts struct{ S string }
	if err := json.Unmarshal(raw, &parts); err != nil || parts.S == "" {
		t.Fatal("the token carries no secret")
	}
	return parts.S
}

func TestTunnelLifecycle(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	var posted map[string]any
	sb.setObserve(func(r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/cfd_tunnel") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			_ = json.Unmarshal(body, &posted)
		}
	})
	c := sb.client(t, nil)
	ctx := testContext(t)

	created, err := c.CreateTunnel(ctx, "lab")
	if err != nil {
		t.Fatalf("CreateTunnel: %v", err)
	}
	if created.Name != "lab" || created.ConfigSrc != "cloudflare" || created.Status != "inactive" || created.Deleted || created.CreatedAt.IsZero() {
		t.Errorf("created %+v", created)
	}
	if _, sent := posted["tunnel_secret"]; sent || posted["config_src"] != "cloudflare" {
		t.Errorf("create sent %v; want config_src cloudflare and no secret", posted)
	}
	if _, err := c.CreateTunnel(ctx, "lab"); !errors.Is(err, ErrTunnelNameTaken) {
		t.Errorf("second create: %v, want ErrTunnelNameTaken", err)
	}

	found, ok, err := c.FindTunnel(ctx, "lab")
	if err != nil || !ok || found.ID != created.ID {
		t.Errorf("FindTunnel = %+v %v %v, want %s", found, ok, err, created.ID)
	}
	if _, ok, err := c.FindTunnel(ctx, "la"); err != nil || ok {
		t.Errorf("FindTunnel of a prefix = %v %v, want none", ok, err)
	}

	renamed, err := c.RenameTunnel(ctx, created.ID, "lab2")
	if err != nil || renamed.Name != "lab2" {
		t.Fatalf("RenameTunnel = %+v, %v", renamed, err)
	}
	if _, err := c.RenameTunnel(ctx, created.ID, "homelab"); !errors.Is(err, ErrTunnelNameTaken) {
		t.Errorf("rename onto a taken name: %v, want ErrTunnelNameTaken", err)
	}

	before := tokenSecret(t, c, created.ID)
	if _, err := c.RotateTunnelSecret(ctx, created.ID); err != nil {
		t.Fatalf("RotateTunnelSecret: %v", err)
	}
	after := tokenSecret(t, c, created.ID)
	if after == before {
		t.Error("the secret did not change")
	}
	if b, err := base64.StdEncoding.DecodeString(after); err != nil || len(b) != 32 {
		t.Errorf("new secret: %d bytes, %v; want 32", len(b), err)
	}

	// A connected cloudflared does not block the delete.
	if _, err := sb.api.Connect(created.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteTunnel(ctx, created.ID); err != nil {
		t.Fatalf("DeleteTunnel with a live connection: %v", err)
	}
	gone, err := c.GetTunnel(ctx, created.ID)
	if err != nil || !gone.Deleted {
		t.Errorf("after delete: %+v, %v; want a soft-deleted tunnel", gone, err)
	}
	if _, ok, _ := c.FindTunnel(ctx, "lab2"); ok {
		t.Error("FindTunnel found a deleted tunnel")
	}
	if err := c.DeleteTunnel(ctx, created.ID); err != nil {
		t.Errorf("deleting a deleted tunnel: %v, want success", err)
	}
	if _, err := c.RenameTunnel(ctx, "00000000-0000-4000-8000-000000000000", "x"); !IsNotFound(err) {
		t.Errorf("rename of an unknown tunnel: %v, want not found", err)
	}
}

func TestIsTunnelHasConnections(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	if _, err := sb.api.Connect(sb.tunnel.ID); err != nil {
		t.Fatal(err)
	}
	err := wrap(c.sdk.Execute(testContext(t), http.MethodDelete, c.tunnelPath(sb.tunnel.ID), nil, nil))
	if !IsTunnelHasConnections(err) {
		t.Errorf("plain DELETE of a connected tunnel: %v, want the has-connections error", err)
	}
	if IsTunnelHasConnections(errors.New("other")) || IsTunnelHasConnections(nil) {
		t.Error("IsTunnelHasConnections matched another error")
	}
}
