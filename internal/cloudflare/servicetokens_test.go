package cloudflare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestServiceTokenLifecycle(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client(t, nil)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(testContext(t), &logs)

	tok, secret, err := c.CreateServiceToken(ctx, "ha-ios", "720h")
	if err != nil {
		t.Fatal(err)
	}
	held := sb.api.ServiceTokens()
	if len(held) != 1 || secret.Reveal() != held[0].ClientSecret || tok.ClientID != held[0].ClientID || tok.ID != held[0].ID {
		t.Fatalf("created %+v, held %+v", tok, held)
	}
	if !tok.ExpiresAt.Equal(held[0].ExpiresAt) || tok.Duration != "720h" {
		t.Errorf("expiry %s, want %s", tok.ExpiresAt, held[0].ExpiresAt)
	}
	first := secret.Reveal()

	got, err := c.GetServiceToken(ctx, tok.ID)
	if err != nil || got != tok {
		t.Errorf("Get = %+v, %v; want %+v", got, err, tok)
	}

	sb.api.SetServiceTokenExpiry(tok.ID, time.Now().Add(time.Hour))
	refreshed, err := c.RefreshServiceToken(ctx, tok.ID)
	if err != nil || time.Until(refreshed.ExpiresAt) < 719*time.Hour {
		t.Errorf("Refresh = %+v, %v", refreshed, err)
	}

	rotated, secret2, err := c.RotateServiceToken(ctx, tok.ID)
	if err != nil || secret2.Reveal() == first || secret2.Reveal() != sb.api.ServiceTokens()[0].ClientSecret || rotated.ClientID != tok.ClientID {
		t.Fatalf("Rotate = %+v, %v", rotated, err)
	}
	if rotated.ExpiresAt.IsZero() {
		t.Error("rotate must give the expiry")
	}

	updated, err := c.UpdateServiceToken(ctx, tok.ID, "renamed", "48h")
	if err != nil || updated.Name != "renamed" || updated.Duration != "48h" {
		t.Errorf("Update = %+v, %v", updated, err)
	}
	if err := c.DeleteServiceToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteServiceToken(ctx, tok.ID); err != nil {
		t.Errorf("deleting a deleted token: %v", err)
	}
	if _, err := c.GetServiceToken(ctx, tok.ID); !IsNotFound(err) {
		t.Errorf("Get after delete: %v", err)
	}
	if _, _, err := c.CreateServiceToken(ctx, "x", "a while"); err == nil || strings.Contains(err.Error(), first) {
		t.Errorf("bad duration: %v", err)
	}

	// Neither secret reaches the logs, at any level.
	if logs.Len() == 0 {
		t.Fatal("no request was logged")
	}
	for _, s := range []string{first, secret2.Reveal()} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("a client secret is in the logs")
		}
	}
}

func TestSecretDoesNotPrint(t *testing.T) {
	s := Secret{value: "0123456789abcdef"}
	data, err := json.Marshal(map[string]any{"s": s})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %+v %#v", s, s, s, s), string(data), fmt.Sprintf("%v", struct{ S Secret }{s})} {
		if strings.Contains(out, s.Reveal()) {
			t.Errorf("%q shows the secret", out)
		}
	}
	if s.Reveal() != "0123456789abcdef" {
		t.Error("Reveal")
	}
}
