package cloudflare

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
)

// TestRequestHeaders: every request, retries included, carries our
// User-Agent and bearer token and nothing of the legacy key/e-mail scheme,
// even when the SDK's CLOUDFLARE_* variables are set; only the SDK's
// CLOUDFLARE_CUSTOM_HEADERS for API gateways still applies. Not parallel:
// it sets environment variables.
func TestRequestHeaders(t *testing.T) {
	t.Setenv("CLOUDFLARE_EMAIL", "someone@example.com")
	t.Setenv("CLOUDFLARE_API_KEY", "legacy-global-api-key")
	t.Setenv("CLOUDFLARE_API_USER_SERVICE_KEY", "v1.0-service-key")
	t.Setenv("CLOUDFLARE_API_TOKEN", "env-token-that-must-not-be-used")
	t.Setenv("CLOUDFLARE_BASE_URL", "http://127.0.0.1:1/client/v4")
	t.Setenv("CLOUDFLARE_CUSTOM_HEADERS", "X-Gateway-Tag: homelab")

	sb := newSandbox(t)
	var mu sync.Mutex
	var seen []http.Header
	var paths []string
	sb.setObserve(func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Header.Clone())
		paths = append(paths, r.Method+" "+r.URL.Path)
	})
	c := sb.client(t, nil)
	ctx := testContext(t)

	// One call of each kind: typed SDK services, generic Execute, with and
	// without a body, and one retried after a 503.
	rec := createRecord(t, c, sb.zone.ID, "h")
	if _, err := c.UpdateCNAME(ctx, sb.zone.ID, rec.ID, CNAME{Name: "h", Target: "u.example.net"}); err != nil {
		t.Fatal(err)
	}
	if _, err := zoneID(ctx, c, "example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetTunnel(ctx, sb.tunnel.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetTunnelConfig(ctx, sb.tunnel.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAccessPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 1})
	if _, err := getDNSRecord(ctx, c, sb.zone.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteDNSRecord(ctx, sb.zone.ID, rec.ID); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 9 {
		t.Fatalf("the sandbox saw %d requests, want 9: %v", len(seen), paths)
	}
	for i, h := range seen {
		if got := h.Get("User-Agent"); got != testUserAgent {
			t.Errorf("%s: User-Agent %q, want %q", paths[i], got, testUserAgent)
		}
		if got := h.Values("Authorization"); len(got) != 1 || got[0] != "Bearer "+sb.api.Token() {
			t.Errorf("%s: Authorization %q, want the configured bearer token", paths[i], got)
		}
		if got := h.Get("X-Gateway-Tag"); got != "homelab" {
			t.Errorf("%s: X-Gateway-Tag %q, want the one from CLOUDFLARE_CUSTOM_HEADERS", paths[i], got)
		}
		for _, name := range []string{"X-Auth-Email", "X-Auth-Key", "X-Auth-User-Service-Key"} {
			if v, ok := h[http.CanonicalHeaderKey(name)]; ok {
				t.Errorf("%s: carries %s: %q", paths[i], name, v)
			}
		}
	}
}

// TestRequestLogging: every attempt is logged with method, path, status and
// attempt number, retries are announced, and the token is masked even when
// it appears in a logged value.
func TestRequestLogging(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(testContext(t), &buf)

	sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 1})
	// An id equal to the token puts the token in the logged path.
	_, err := getDNSRecord(ctx, c, sb.zone.ID, sb.api.Token())
	if !IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}

	if strings.Contains(buf.String(), sb.api.Token()) {
		t.Errorf("the log shows the token:\n%s", buf.String())
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var requests, retries []map[string]any
	for _, e := range entries {
		switch e["@message"] {
		case "Cloudflare API request":
			requests = append(requests, e)
		case "Retrying Cloudflare API request":
			retries = append(retries, e)
		}
	}
	if len(requests) != 2 || len(retries) != 1 {
		t.Fatalf("%d request and %d retry entries, want 2 and 1: %v", len(requests), len(retries), entries)
	}
	for i, want := range []struct {
		status  float64
		attempt float64
	}{{503, 1}, {404, 2}} {
		e := requests[i]
		if e["method"] != "GET" || e["status"] != want.status || e["attempt"] != want.attempt {
			t.Errorf("entry %d: method %v status %v attempt %v, want GET %v %v", i, e["method"], e["status"], e["attempt"], want.status, want.attempt)
		}
		path, _ := e["path"].(string)
		if !strings.HasPrefix(path, "/client/v4/zones/"+sb.zone.ID+"/dns_records/") {
			t.Errorf("entry %d: path %q", i, path)
		}
		if !strings.Contains(path, "***") {
			t.Errorf("entry %d: path %q does not show the masked token", i, path)
		}
	}
	if retries[0]["@level"] != "info" {
		t.Errorf("retry logged at %v, want info", retries[0]["@level"])
	}
	if d, ok := retries[0]["delay_ms"].(float64); !ok || d < 0 {
		t.Errorf("retry entry delay_ms %v", retries[0]["delay_ms"])
	}
}
