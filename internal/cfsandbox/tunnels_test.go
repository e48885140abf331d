package cfsandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

type wireTunnel struct {
	ID           string  `json:"id"`
	AccountTag   string  `json:"account_tag"`
	Name         string  `json:"name"`
	CreatedAt    string  `json:"created_at"`
	DeletedAt    *string `json:"deleted_at"`
	ConfigSrc    string  `json:"config_src"`
	RemoteConfig bool    `json:"remote_config"`
	Status       string  `json:"status"`
	TunType      string  `json:"tun_type"`
	Connections  []any   `json:"connections"`
}

func TestAddTunnel(t *testing.T) {
	h := newHarness(t)
	if !uuidRE.MatchString(h.tunnel.ID) || h.tunnel.Name != "homelab" {
		t.Fatalf("tunnel %+v", h.tunnel)
	}
	if b, err := base64.StdEncoding.DecodeString(h.tunnel.Secret); err != nil || len(b) != 32 {
		t.Errorf("secret %q: %d bytes, %v", h.tunnel.Secret, len(b), err)
	}
	if _, err := h.s.AddTunnel("homelab"); err == nil {
		t.Error("AddTunnel accepted a taken name")
	}
	var tun wireTunnel
	h.ok(http.MethodGet, h.accountPath("/cfd_tunnel/"+h.tunnel.ID), nil, &tun)
	if tun.ConfigSrc != "cloudflare" || !tun.RemoteConfig || tun.AccountTag != h.s.AccountID() ||
		tun.TunType != "cfd_tunnel" || tun.Status != "inactive" || tun.DeletedAt != nil || tun.Connections == nil {
		t.Errorf("seeded tunnel %+v", tun)
	}
}

func TestTunnelLifecycle(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/cfd_tunnel")
	var created wireTunnel
	h.ok(http.MethodPost, base, map[string]any{"name": "media", "config_src": "cloudflare"}, &created)
	if !uuidRE.MatchString(created.ID) || created.Name != "media" || created.DeletedAt != nil {
		t.Fatalf("created %+v", created)
	}
	r := h.fail(http.MethodPost, base, map[string]any{"name": "media", "config_src": "cloudflare"}, 409, 1013)
	if !strings.Contains(r.env.Errors[0].Message, "already have a tunnel with this name") {
		t.Errorf("message %q", r.env.Errors[0].Message)
	}
	for _, body := range []any{
		map[string]any{},
		map[string]any{"name": ""},
		map[string]any{"name": "x", "config_src": "elsewhere"},
		map[string]any{"name": "x", "tunnel_secret": base64.StdEncoding.EncodeToString([]byte("short"))},
		"{",
	} {
		r := h.do(http.MethodPost, base, body)
		if r.status != 400 || r.env.Success {
			t.Errorf("POST %v: status %d", body, r.status)
		}
	}
	var local wireTunnel
	secret := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", 32)))
	h.ok(http.MethodPost, base, map[string]any{"name": "local-one", "tunnel_secret": secret}, &local)
	if local.ConfigSrc != "local" || local.RemoteConfig {
		t.Errorf("config_src must default to local: %+v", local)
	}

	var renamed wireTunnel
	h.ok(http.MethodPatch, base+"/"+created.ID, map[string]any{"name": "media2"}, &renamed)
	if renamed.Name != "media2" {
		t.Errorf("PATCH: %+v", renamed)
	}
	h.fail(http.MethodPatch, base+"/"+created.ID, map[string]any{"name": "homelab"}, 409, 1013)

	var deleted wireTunnel
	h.ok(http.MethodDelete, base+"/"+created.ID, nil, &deleted)
	if deleted.ID != created.ID || deleted.DeletedAt == nil {
		t.Fatalf("DELETE must return the tunnel with deleted_at: %+v", deleted)
	}
	var got wireTunnel
	h.ok(http.MethodGet, base+"/"+created.ID, nil, &got)
	if got.DeletedAt == nil || *got.DeletedAt != *deleted.DeletedAt {
		t.Errorf("soft-deleted tunnel: %+v", got)
	}
	h.fail(http.MethodDelete, base+"/"+created.ID, nil, 404, 1003)
	h.fail(http.MethodGet, base+"/"+created.ID+"/token", nil, 404, 1003)
	h.fail(http.MethodGet, base+"/f70ff985-a4ef-4643-bbbc-4a0ed4fc8415", nil, 404, 1003)
	// The name is free again once its tunnel is deleted.
	h.ok(http.MethodPost, base, map[string]any{"name": "media2", "config_src": "cloudflare"}, nil)
}

func TestTunnelListFilters(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/cfd_tunnel")
	var gone wireTunnel
	h.ok(http.MethodPost, base, map[string]any{"name": "old-site", "config_src": "cloudflare"}, &gone)
	h.ok(http.MethodDelete, base+"/"+gone.ID, nil, nil)
	h.ok(http.MethodPost, base, map[string]any{"name": "old-lab", "config_src": "cloudflare"}, nil)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"homelab", "old-site", "old-lab"}},
		{"is_deleted=false", []string{"homelab", "old-lab"}},
		{"is_deleted=true", []string{"old-site"}},
		{"name=homelab", []string{"homelab"}},
		{"name=old-site&is_deleted=false", nil},
		{"uuid=" + gone.ID, []string{"old-site"}},
		{"include_prefix=old", []string{"old-site", "old-lab"}},
		{"exclude_prefix=old", []string{"homelab"}},
		{"status=inactive&is_deleted=false", []string{"homelab", "old-lab"}},
		{"status=healthy", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h := h.in(t)
			var tuns []wireTunnel
			r := h.ok(http.MethodGet, base+"?"+tc.query, nil, &tuns)
			var names []string
			for _, tun := range tuns {
				names = append(names, tun.Name)
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("got %v, want %v", names, tc.want)
			}
			if r.env.ResultInfo == nil || r.env.ResultInfo.TotalCount != len(tc.want) {
				t.Errorf("result_info %+v", r.env.ResultInfo)
			}
		})
	}
	r := h.ok(http.MethodGet, base+"?per_page=5000", nil, nil)
	if r.env.ResultInfo.PerPage != 1000 {
		t.Errorf("per_page %d, want the 1000 cap", r.env.ResultInfo.PerPage)
	}
}

func TestTunnelToken(t *testing.T) {
	h := newHarness(t)
	var token string
	h.ok(http.MethodGet, h.accountPath("/cfd_tunnel/"+h.tunnel.ID+"/token"), nil, &token)
	data, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token %q is not standard base64: %v", token, err)
	}
	var claims map[string]string
	if err := json.Unmarshal(data, &claims); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": h.s.AccountID(), "t": h.tunnel.ID, "s": h.tunnel.Secret}
	if len(claims) != 3 || claims["a"] != want["a"] || claims["t"] != want["t"] || claims["s"] != want["s"] {
		t.Errorf("claims %v, want %v", claims, want)
	}
}

func TestTunnelConfiguration(t *testing.T) {
	h := newHarness(t)
	path := h.accountPath("/cfd_tunnel/" + h.tunnel.ID + "/configurations")
	type wireConfig struct {
		AccountID string          `json:"account_id"`
		TunnelID  string          `json:"tunnel_id"`
		Version   int             `json:"version"`
		Source    string          `json:"source"`
		CreatedAt string          `json:"created_at"`
		Config    json.RawMessage `json:"config"`
	}
	var cfg wireConfig
	h.ok(http.MethodGet, path, nil, &cfg)
	if cfg.Version != 0 || string(cfg.Config) != `{"ingress":[]}` || cfg.TunnelID != h.tunnel.ID || cfg.AccountID != h.s.AccountID() {
		t.Fatalf("unconfigured: %+v", cfg)
	}

	// Unknown keys and every originRequest key are kept verbatim.
	doc := `{"ingress":[{"hostname":"app.example.com","service":"http://10.0.0.5:8080","originRequest":{"noTLSVerify":true,"connectTimeout":30,"httpHostHeader":"app.internal","access":{"required":true,"teamName":"myteam","audTag":["aud1"]},"futureKey":{"x":[1,2]}}},{"hostname":"app.example.com","path":"^/api","service":"http://10.0.0.6:9000"},{"service":"http_status:404"}],"originRequest":{"connectTimeout":10},"warp-routing":{"enabled":false}}`
	for want := 1; want <= 3; want++ {
		h.ok(http.MethodPut, path, `{"config": `+doc+`}`, &cfg)
		if cfg.Version != want || cfg.Source != "cloudflare" {
			t.Fatalf("PUT %d: version %d, source %q", want, cfg.Version, cfg.Source)
		}
	}
	if string(cfg.Config) != doc {
		t.Errorf("PUT result config changed:\n got %s\nwant %s", cfg.Config, doc)
	}
	h.ok(http.MethodGet, path, nil, &cfg)
	if string(cfg.Config) != doc || cfg.Version != 3 {
		t.Errorf("GET config changed or version %d:\n got %s\nwant %s", cfg.Version, cfg.Config, doc)
	}
	if stored, version, ok := h.s.TunnelConfig(h.tunnel.ID); !ok || version != 3 || string(stored) != doc {
		t.Errorf("TunnelConfig: %s %d %v", stored, version, ok)
	}

	rule := func(host, path, svc string) map[string]any {
		r := map[string]any{"service": svc}
		if host != "" {
			r["hostname"] = host
		}
		if path != "" {
			r["path"] = path
		}
		return r
	}
	catchAll := rule("", "", "http_status:404")
	for _, tc := range []struct {
		name  string
		rules []any
		code  int
	}{
		{"empty ingress", []any{}, 1055},
		{"last rule has hostname", []any{rule("a.example.com", "", "http://x:1")}, 1056},
		{"last rule has path", []any{rule("a.example.com", "", "http://x:1"), rule("", "^/x", "http://x:1")}, 1056},
		{"middle rule without hostname", []any{rule("", "^/x", "http://x:1"), catchAll}, 1056},
		{"catch-all before last", []any{rule("*", "", "http://x:1"), catchAll}, 1056},
		{"bad scheme", []any{rule("a.example.com", "", "ftp://x"), catchAll}, 1055},
		{"no scheme", []any{rule("a.example.com", "", "localhost:8080"), catchAll}, 1055},
		{"no service", []any{rule("a.example.com", "", ""), catchAll}, 1055},
		{"bad status", []any{rule("", "", "http_status:abc")}, 1055},
		{"http without host", []any{rule("a.example.com", "", "http://"), catchAll}, 1055},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			h.fail(http.MethodPut, path, map[string]any{"config": map[string]any{"ingress": tc.rules}}, 400, tc.code)
		})
	}
	h.fail(http.MethodPut, path, map[string]any{}, 400, 1055)
	if _, version, _ := h.s.TunnelConfig(h.tunnel.ID); version != 3 {
		t.Errorf("failed PUTs changed the version to %d", version)
	}

	for _, svc := range []string{"https://10.0.0.1", "unix:/run/app.sock", "unix+tls:/run/app.sock", "tcp://db:5432",
		"ssh://host:22", "rdp://host:3389", "smb://files:445", "hello_world", "bastion", "http_status:503"} {
		body := map[string]any{"config": map[string]any{"ingress": []any{rule("a.example.com", "", svc), catchAll}}}
		if r := h.do(http.MethodPut, path, body); r.status != 200 {
			t.Errorf("service %q refused: %+v", svc, r.env.Errors)
		}
	}
	h.fail(http.MethodGet, h.accountPath("/cfd_tunnel/f70ff985-a4ef-4643-bbbc-4a0ed4fc8415/configurations"), nil, 404, 1003)
}

// TestTunnelConnections: a connected cloudflared shows in the connections
// list and the status, blocks a plain DELETE (400, 1022) until the
// connections are cleaned up, and the tunnel is then "down" and deletable.
func TestTunnelConnections(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/cfd_tunnel/" + h.tunnel.ID)
	type wireConnector struct {
		ID    string `json:"id"`
		Conns []struct {
			ID       string `json:"id"`
			ClientID string `json:"client_id"`
			ColoName string `json:"colo_name"`
			OpenedAt string `json:"opened_at"`
		} `json:"conns"`
	}
	var list []wireConnector
	h.ok(http.MethodGet, base+"/connections", nil, &list)
	if len(list) != 0 {
		t.Fatalf("a new tunnel has connectors: %+v", list)
	}
	conn, err := h.s.Connect(h.tunnel.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.ok(http.MethodGet, base+"/connections", nil, &list)
	if len(list) != 1 || list[0].ID != conn.ConnectorID || len(list[0].Conns) != 2 ||
		list[0].Conns[0].ClientID != conn.ConnectorID || list[0].Conns[0].ID != conn.ConnIDs[0] || list[0].Conns[0].OpenedAt == "" {
		t.Fatalf("connections %+v, want connector %+v", list, conn)
	}
	var tun struct {
		Status        string  `json:"status"`
		ConnsActiveAt *string `json:"conns_active_at"`
	}
	h.ok(http.MethodGet, base, nil, &tun)
	if tun.Status != "healthy" || tun.ConnsActiveAt == nil {
		t.Errorf("connected tunnel: %+v", tun)
	}
	r := h.fail(http.MethodDelete, base, nil, 400, 1022)
	if !strings.Contains(r.env.Errors[0].Message, "active connections") {
		t.Errorf("message %q", r.env.Errors[0].Message)
	}

	// client_id removes only that connector.
	other, _ := h.s.Connect(h.tunnel.ID)
	h.ok(http.MethodDelete, base+"/connections?client_id="+other.ConnectorID, nil, nil)
	if n := h.s.Connectors(h.tunnel.ID); n != 1 {
		t.Errorf("after removing one connector: %d left, want 1", n)
	}
	h.ok(http.MethodDelete, base+"/connections", nil, nil)
	h.ok(http.MethodGet, base+"/connections", nil, &list)
	h.ok(http.MethodGet, base, nil, &tun)
	if len(list) != 0 || tun.Status != "down" {
		t.Errorf("after cleanup: %d connectors, status %q; want none, down", len(list), tun.Status)
	}
	h.ok(http.MethodDelete, base, nil, nil)
	if _, err := h.s.Connect(h.tunnel.ID); err == nil {
		t.Error("Connect accepted a deleted tunnel")
	}
}

// TestConnectOnToken: with the option, fetching a token connects a
// cloudflared once.
func TestConnectOnToken(t *testing.T) {
	s := New(Options{ConnectOnToken: true})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	tun, err := s.AddTunnel("homelab")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, s: s, base: ts.URL + APIPrefix, tunnel: tun}
	for range 2 {
		h.ok(http.MethodGet, h.accountPath("/cfd_tunnel/"+tun.ID+"/token"), nil, nil)
	}
	if n := s.Connectors(tun.ID); n != 1 {
		t.Errorf("%d connectors after two token fetches, want 1", n)
	}
}
