package cloudflare

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// ingressDoc is the part of a tunnel configuration the tests edit.
type ingressDoc struct {
	Ingress []map[string]any `json:"ingress"`
}

// addRule returns a mutate function that inserts a rule for host before the
// catch-all, adding a catch-all when there is none, and keeps every other
// top-level key.
func addRule(host string) func(json.RawMessage) (json.RawMessage, bool, error) {
	return func(doc json.RawMessage) (json.RawMessage, bool, error) {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(doc, &top); err != nil {
			return nil, false, err
		}
		var rules []map[string]any
		if raw, ok := top["ingress"]; ok {
			if err := json.Unmarshal(raw, &rules); err != nil {
				return nil, false, err
			}
		}
		if len(rules) == 0 {
			rules = []map[string]any{{"service": "http_status:404"}}
		}
		rule := map[string]any{"hostname": host, "service": "http://localhost:8080"}
		rules = slices.Insert(rules, len(rules)-1, rule)
		raw, err := json.Marshal(rules)
		if err != nil {
			return nil, false, err
		}
		top["ingress"] = raw
		out, err := json.Marshal(top)
		return out, true, err
	}
}

func TestGetTunnel(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	got, err := c.GetTunnel(testContext(t), sb.tunnel.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CreatedAt.IsZero() {
		t.Errorf("GetTunnel = %+v, want a creation time", got)
	}
	got.CreatedAt = time.Time{}
	want := Tunnel{ID: sb.tunnel.ID, Name: "homelab", Status: "inactive", ConfigSrc: "cloudflare"}
	if got != want {
		t.Errorf("GetTunnel = %+v, want %+v", got, want)
	}
}

// TestAccountRequired: account-scoped calls fail up front, without a
// request, when no account id is configured.
func TestAccountRequired(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, func(cfg *Config) { cfg.AccountID = "" })
	ctx := testContext(t)
	calls := map[string]func() error{
		"GetTunnel":          func() error { _, err := c.GetTunnel(ctx, sb.tunnel.ID); return err },
		"GetTunnelConfig":    func() error { _, err := c.GetTunnelConfig(ctx, sb.tunnel.ID); return err },
		"CreateTunnel":       func() error { _, err := c.CreateTunnel(ctx, "x"); return err },
		"FindTunnel":         func() error { _, _, err := c.FindTunnel(ctx, "x"); return err },
		"RenameTunnel":       func() error { _, err := c.RenameTunnel(ctx, sb.tunnel.ID, "x"); return err },
		"RotateTunnelSecret": func() error { _, err := c.RotateTunnelSecret(ctx, sb.tunnel.ID); return err },
		"DeleteTunnel":       func() error { return c.DeleteTunnel(ctx, sb.tunnel.ID) },
		"PutTunnelConfig":    func() error { _, err := c.PutTunnelConfig(ctx, sb.tunnel.ID, json.RawMessage(`{}`)); return err },
		"UpdateTunnelConfig": func() error { _, err := c.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule("x.example.com")); return err },
		"GetAccessPolicy":    func() error { _, err := c.GetAccessPolicy(ctx, "p"); return err },
		"ListAccessPolicies": func() error { _, err := c.ListAccessPolicies(ctx); return err },
		"CreateAccessPolicy": func() error { _, err := c.CreateAccessPolicy(ctx, AccessPolicy{Name: "p"}); return err },
		"UpdateAccessPolicy": func() error { _, err := c.UpdateAccessPolicy(ctx, AccessPolicy{ID: "p"}); return err },
		"DeleteAccessPolicy": func() error { return c.DeleteAccessPolicy(ctx, "p") },
		"CachedAccessApp":    func() error { _, err := c.CachedAccessApp(ctx, "a"); return err },
		"ListAccessApps":     func() error { _, err := c.ListAccessApps(ctx); return err },
		"CreateAccessApp":    func() error { _, err := c.CreateAccessApp(ctx, AccessApp{Name: "a"}); return err },
		"UpdateAccessApp":    func() error { _, err := c.UpdateAccessApp(ctx, AccessApp{ID: "a"}); return err },
		"DeleteAccessApp":    func() error { return c.DeleteAccessApp(ctx, "a") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, errMissingAccount) {
				t.Errorf("err = %v, want errMissingAccount", err)
			}
		})
	}
	if n := sb.api.Total(); n != 0 {
		t.Errorf("sandbox counted %d requests, want 0", n)
	}
}

// TestUpdateTunnelConfigKeepsUnknownKeys: the document is handed to mutate
// and written back as raw JSON, so keys the provider does not model survive.
func TestUpdateTunnelConfigKeepsUnknownKeys(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	ctx := testContext(t)
	initial := json.RawMessage(`{"ingress":[{"hostname":"old.example.com","service":"http://old:80","originRequest":{"noTLSVerify":true,"futureOption":[1,2]}},{"service":"http_status:404"}],"warp-routing":{"enabled":true},"originRequest":{"connectTimeout":30},"x-future-key":{"nested":["a",null,3.5]}}`)
	put, err := c.PutTunnelConfig(ctx, sb.tunnel.ID, initial)
	if err != nil {
		t.Fatalf("PutTunnelConfig: %v", err)
	}
	if put.Version != 1 {
		t.Errorf("version after the first PUT = %d, want 1", put.Version)
	}

	var seen json.RawMessage
	mutate := addRule("new.example.com")
	got, err := c.UpdateTunnelConfig(ctx, sb.tunnel.ID, func(doc json.RawMessage) (json.RawMessage, bool, error) {
		seen = doc
		return mutate(doc)
	})
	if err != nil {
		t.Fatalf("UpdateTunnelConfig: %v", err)
	}
	if got.Version != 2 {
		t.Errorf("version = %d, want 2", got.Version)
	}
	if !jsonEqual(t, seen, initial) {
		t.Errorf("mutate saw %s, want the stored document %s", seen, initial)
	}

	stored, version, ok := sb.api.TunnelConfig(sb.tunnel.ID)
	if !ok || version != 2 {
		t.Fatalf("sandbox tunnel config version %d ok %v", version, ok)
	}
	var before, after map[string]json.RawMessage
	_ = json.Unmarshal(initial, &before)
	if err := json.Unmarshal(stored, &after); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"warp-routing", "originRequest", "x-future-key"} {
		if !jsonEqual(t, after[key], before[key]) {
			t.Errorf("key %q: stored %s, want %s", key, after[key], before[key])
		}
	}
	var doc ingressDoc
	if err := json.Unmarshal(stored, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Ingress) != 3 || doc.Ingress[1]["hostname"] != "new.example.com" {
		t.Errorf("ingress %v", doc.Ingress)
	}
	if nested, _ := json.Marshal(doc.Ingress[0]["originRequest"]); !jsonEqual(t, nested, json.RawMessage(`{"noTLSVerify":true,"futureOption":[1,2]}`)) {
		t.Errorf("the first rule's originRequest became %s", nested)
	}
	if !jsonEqual(t, got.Document, stored) {
		t.Errorf("returned document %s, stored %s", got.Document, stored)
	}
}

// TestUpdateTunnelConfigSkipsWrite: no change or an error means no PUT.
func TestUpdateTunnelConfigSkipsWrite(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	boom := errors.New("boom")
	tests := []struct {
		name    string
		mutate  func(json.RawMessage) (json.RawMessage, bool, error)
		wantErr error
	}{
		{name: "unchanged", mutate: func(d json.RawMessage) (json.RawMessage, bool, error) { return d, false, nil }},
		{name: "error", mutate: func(json.RawMessage) (json.RawMessage, bool, error) { return nil, true, boom }, wantErr: boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A new client: a client that read the document a moment ago
			// reuses it without a GET.
			c := sb.client(t, nil)
			sb.api.ResetCounts()
			got, err := c.UpdateTunnelConfig(testContext(t), sb.tunnel.ID, tt.mutate)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if got.Version != 0 || !jsonEqual(t, got.Document, json.RawMessage(`{"ingress":[]}`)) {
				t.Errorf("returned %d %s, want the current (empty) configuration", got.Version, got.Document)
			}
			if n := sb.count(keyPutConfig); n != 0 {
				t.Errorf("sandbox counted %d PUTs, want 0", n)
			}
			if n := sb.count(keyGetConfig); n != 1 {
				t.Errorf("sandbox counted %d GETs, want 1", n)
			}
		})
	}

	// A rejected document is a typed API error.
	c := sb.client(t, nil)
	_, err := c.UpdateTunnelConfig(testContext(t), sb.tunnel.ID, func(json.RawMessage) (json.RawMessage, bool, error) {
		return json.RawMessage(`{"ingress":[{"hostname":"x.example.com","service":"http://x:1"}]}`), true, nil
	})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !apiErr.HasCode(1056) {
		t.Errorf("err = %v, want a 400 with code 1056", err)
	}
}

// TestUpdateTunnelConfigConcurrent: concurrent read-modify-writes of one
// tunnel are merged into few PUTs, and no rule is lost.
func TestUpdateTunnelConfigConcurrent(t *testing.T) {
	t.Parallel()
	const writers = 20
	sb := newSandbox(t)
	other, err := sb.api.AddTunnel("other")
	if err != nil {
		t.Fatal(err)
	}
	c := sb.client(t, nil)
	ctx := testContext(t)

	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for i := range writers {
		for _, tunnelID := range []string{sb.tunnel.ID, other.ID} {
			wg.Go(func() {
				if _, err := c.UpdateTunnelConfig(ctx, tunnelID, addRule(fmt.Sprintf("h%02d.example.com", i))); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("UpdateTunnelConfig: %v", err)
	}

	for _, tunnelID := range []string{sb.tunnel.ID, other.ID} {
		stored, version, _ := sb.api.TunnelConfig(tunnelID)
		var doc ingressDoc
		if err := json.Unmarshal(stored, &doc); err != nil {
			t.Fatal(err)
		}
		// Each PUT bumps the version; the writers were coalesced.
		if version < 1 || version > writers/2 {
			t.Errorf("tunnel %s: version %d, want 1..%d (one PUT per batch)", tunnelID, version, writers/2)
		}
		if len(doc.Ingress) != writers+1 {
			t.Fatalf("tunnel %s: %d ingress rules, want %d (lost updates): %v", tunnelID, len(doc.Ingress), writers+1, doc.Ingress)
		}
		var hosts []string
		for _, r := range doc.Ingress[:writers] {
			hosts = append(hosts, r["hostname"].(string))
		}
		slices.Sort(hosts)
		for i, h := range hosts {
			if want := fmt.Sprintf("h%02d.example.com", i); h != want {
				t.Errorf("tunnel %s: rule %d is %q, want %q", tunnelID, i, h, want)
			}
		}
		if last := doc.Ingress[writers]; last["service"] != "http_status:404" || last["hostname"] != nil {
			t.Errorf("tunnel %s: last rule %v is not the catch-all", tunnelID, last)
		}
	}
	if n := sb.count(keyPutConfig); n < 2 || n > writers {
		t.Errorf("sandbox counted %d PUTs, want 2..%d (coalesced, %d writers per tunnel)", n, writers, writers)
	}
	if n := sb.count(keyGetConfig); n != 2 {
		t.Errorf("sandbox counted %d GETs, want 2 (one per tunnel, then the written document is reused)", n)
	}
}

func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Errorf("invalid JSON %s: %v", a, err)
		return false
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Errorf("invalid JSON %s: %v", b, err)
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}
