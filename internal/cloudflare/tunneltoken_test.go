package cloudflare

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTunnelToken(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client(t, nil)

	token, err := c.TunnelToken(testContext(t), sb.tunnel.ID)
	if err != nil {
		t.Fatalf("TunnelToken: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token is not standard base64: %v", err)
	}
	var fields struct{ A, T, S string }
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatalf("token is not JSON inside: %v", err)
	}
	if fields.A != sb.api.AccountID() || fields.T != sb.tunnel.ID || fields.S != sb.tunnel.Secret {
		t.Errorf("token carries account %q tunnel %q; want %q %q and the tunnel's secret", fields.A, fields.T, sb.api.AccountID(), sb.tunnel.ID)
	}

	_, err = c.TunnelToken(testContext(t), "00000000-0000-4000-8000-000000000000")
	if !IsNotFound(err) {
		t.Errorf("token of an unknown tunnel: got %v, want a not-found error", err)
	}
}

// The local API has no connectors, so the connection list is checked
// against a response in the documented shape.
func TestTunnelConnections(t *testing.T) {
	opened := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/accounts/acc/cfd_tunnel/tun/connections") {
			http.Error(w, `{"success":false,"errors":[{"code":7000,"message":"No route for that URI"}]}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"success": true, "errors": []any{}, "messages": []any{},
			"result": []any{
				map[string]any{"id": "connector-1", "version": "2026.11.0", "arch": "linux_amd64", "conns": []any{
					map[string]any{"id": "conn-a", "client_id": "connector-1", "client_version": "2026.11.0", "colo_name": "ams01", "origin_ip": "192.0.2.10", "opened_at": opened.Format(time.RFC3339)},
					map[string]any{"id": "conn-b", "client_id": "connector-1", "client_version": "2026.11.0", "colo_name": "fra08", "origin_ip": "192.0.2.10", "opened_at": opened.Format(time.RFC3339)},
				}},
			},
		})
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{APIToken: "t", AccountID: "acc", BaseURL: srv.URL, RequestsPerSecond: 100, UserAgent: testUserAgent})
	if err != nil {
		t.Fatal(err)
	}

	conns, err := c.TunnelConnections(testContext(t), "tun")
	if err != nil {
		t.Fatalf("TunnelConnections: %v", err)
	}
	want := []TunnelConnection{
		{ID: "conn-a", ConnectorID: "connector-1", ColoName: "ams01", ClientVersion: "2026.11.0", OriginIP: "192.0.2.10", OpenedAt: opened},
		{ID: "conn-b", ConnectorID: "connector-1", ColoName: "fra08", ClientVersion: "2026.11.0", OriginIP: "192.0.2.10", OpenedAt: opened},
	}
	if len(conns) != len(want) {
		t.Fatalf("got %d connections, want %d: %+v", len(conns), len(want), conns)
	}
	for i := range want {
		if conns[i] != want[i] {
			t.Errorf("connection %d = %+v, want %+v", i, conns[i], want[i])
		}
	}
}
