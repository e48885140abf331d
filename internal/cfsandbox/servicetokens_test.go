package cfsandbox

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

type wireToken struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	ClientID     string  `json:"client_id"`
	ClientSecret *string `json:"client_secret"`
	Duration     string  `json:"duration"`
	Enabled      bool    `json:"enabled"`
	ExpiresAt    string  `json:"expires_at"`
}

var clientIDRE = regexp.MustCompile(`^[0-9a-f]{32}\.access$`)

func TestServiceTokens(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/access/service_tokens")

	var created wireToken
	r := h.ok(http.MethodPost, base, map[string]any{"name": "ha-ios", "duration": "720h"}, &created)
	if !uuidRE.MatchString(created.ID) || !clientIDRE.MatchString(created.ClientID) || created.Duration != "720h" || !created.Enabled {
		t.Fatalf("create %+v", created)
	}
	if created.ClientSecret == nil || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(*created.ClientSecret) {
		t.Fatalf("create must answer the client secret: %s", r.env.Result)
	}
	secret := *created.ClientSecret
	if held := h.s.ServiceTokens(); len(held) != 1 || held[0].ClientSecret != secret || held[0].Version != 1 {
		t.Fatalf("held %+v", held)
	}

	// Only create and rotate answer the secret.
	noSecret := func(r response) {
		t.Helper()
		if strings.Contains(string(r.env.Result), "client_secret") || strings.Contains(string(r.env.Result), secret) {
			t.Errorf("answer holds the secret: %s", r.env.Result)
		}
	}
	var got wireToken
	r = h.ok(http.MethodGet, base+"/"+created.ID, nil, &got)
	noSecret(r)
	exp, err := time.Parse(time.RFC3339, got.ExpiresAt)
	if err != nil || time.Until(exp) < 719*time.Hour || time.Until(exp) > 721*time.Hour {
		t.Errorf("expires_at %q, want in 720h", got.ExpiresAt)
	}
	var list []wireToken
	r = h.ok(http.MethodGet, base, nil, &list)
	noSecret(r)
	if len(list) != 1 || list[0].ID != created.ID || r.env.ResultInfo == nil {
		t.Errorf("list %+v", list)
	}

	// Refresh moves the expiry to now + duration.
	h.s.SetServiceTokenExpiry(created.ID, time.Now().Add(time.Hour))
	var refreshed wireToken
	noSecret(h.ok(http.MethodPost, base+"/"+created.ID+"/refresh", nil, &refreshed))
	if exp, _ := time.Parse(time.RFC3339, refreshed.ExpiresAt); time.Until(exp) < 719*time.Hour {
		t.Errorf("refresh left expires_at at %s", refreshed.ExpiresAt)
	}

	// Rotate answers a new secret; the client id stays.
	var rotated wireToken
	h.ok(http.MethodPost, base+"/"+created.ID+"/rotate", map[string]any{}, &rotated)
	if rotated.ClientSecret == nil || *rotated.ClientSecret == secret || rotated.ClientID != created.ClientID {
		t.Fatalf("rotate %+v", rotated)
	}
	if held := h.s.ServiceTokens()[0]; held.ClientSecret != *rotated.ClientSecret || held.Version != 2 {
		t.Errorf("held after rotate %+v", held)
	}

	// PUT renames; a higher client_secret_version rotates without answering the secret.
	var put wireToken
	secret = *rotated.ClientSecret
	noSecret(h.ok(http.MethodPut, base+"/"+created.ID, map[string]any{"name": "renamed", "client_secret_version": 3}, &put))
	if put.Name != "renamed" || h.s.ServiceTokens()[0].ClientSecret == secret {
		t.Errorf("PUT %+v", put)
	}

	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   any
		status int
		code   int
	}{
		{"no name", http.MethodPost, base, map[string]any{"duration": "1h"}, 400, codeAccessInvalid},
		{"blank name", http.MethodPost, base, map[string]any{"name": " "}, 400, codeAccessInvalid},
		{"bad duration", http.MethodPost, base, map[string]any{"name": "x", "duration": "a year"}, 400, codeAccessInvalid},
		{"negative duration", http.MethodPost, base, map[string]any{"name": "x", "duration": "-1h"}, 400, codeAccessInvalid},
		{"lower version", http.MethodPut, base + "/" + created.ID, map[string]any{"client_secret_version": 1}, 400, codeAccessInvalid},
		{"unknown get", http.MethodGet, base + "/f70ff985-a4ef-4643-bbbc-4a0ed4fc8415", nil, 404, codeAccessNotFound},
		{"unknown rotate", http.MethodPost, base + "/f70ff985-a4ef-4643-bbbc-4a0ed4fc8415/rotate", nil, 404, codeAccessNotFound},
		{"unknown refresh", http.MethodPost, base + "/f70ff985-a4ef-4643-bbbc-4a0ed4fc8415/refresh", nil, 404, codeAccessNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.in(t).fail(tc.method, tc.path, tc.body, tc.status, tc.code)
		})
	}

	var forever wireToken
	h.ok(http.MethodPost, base, map[string]any{"name": "forever", "duration": "forever"}, &forever)
	h.ok(http.MethodGet, base+"/"+forever.ID, nil, &forever)
	if !strings.HasPrefix(forever.ExpiresAt, "9999-") {
		t.Errorf("forever expires_at %s", forever.ExpiresAt)
	}
	var def wireToken
	h.ok(http.MethodPost, base, map[string]any{"name": "default"}, &def)
	if def.Duration != "8760h" {
		t.Errorf("default duration %q", def.Duration)
	}

	var deleted wireToken
	noSecret(h.ok(http.MethodDelete, base+"/"+created.ID, nil, &deleted))
	if deleted.ID != created.ID {
		t.Errorf("DELETE %+v", deleted)
	}
	h.fail(http.MethodGet, base+"/"+created.ID, nil, 404, codeAccessNotFound)
	h.fail(http.MethodDelete, base+"/"+created.ID, nil, 404, codeAccessNotFound)
}

// TestServiceTokenSecretOnlyOnCreateAndRotate walks every endpoint and
// checks which answers carry a client_secret member.
func TestServiceTokenSecretOnlyOnCreateAndRotate(t *testing.T) {
	h := newHarness(t)
	base := h.accountPath("/access/service_tokens")
	var tok wireToken
	h.ok(http.MethodPost, base, map[string]any{"name": "x"}, &tok)
	for _, tc := range []struct {
		method, path string
		secret       bool
	}{
		{http.MethodGet, base, false},
		{http.MethodGet, base + "/" + tok.ID, false},
		{http.MethodPut, base + "/" + tok.ID, false},
		{http.MethodPost, base + "/" + tok.ID + "/refresh", false},
		{http.MethodPost, base + "/" + tok.ID + "/rotate", true},
		{http.MethodPost, base, true},
		{http.MethodDelete, base + "/" + tok.ID, false},
	} {
		var body any
		if tc.method != http.MethodGet && tc.method != http.MethodDelete {
			body = map[string]any{"name": "x"}
		}
		r := h.ok(tc.method, tc.path, body, nil)
		var m any
		_ = json.Unmarshal(r.env.Result, &m)
		if obj, ok := m.(map[string]any); ok {
			if _, has := obj["client_secret"]; has != tc.secret {
				t.Errorf("%s %s: client_secret present %v, want %v", tc.method, tc.path, has, tc.secret)
			}
		} else if strings.Contains(string(r.env.Result), "client_secret") {
			t.Errorf("%s %s: a list answered a secret", tc.method, tc.path)
		}
	}
}
