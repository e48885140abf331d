package cloudflare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	cf "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/dns"
	"github.com/cloudflare/cloudflare-go/v7/option"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
)

// Counter keys of the sandbox, "METHOD /route/template".
const (
	keyZones        = "GET /zones"
	keyListRecords  = "GET /zones/{zone_id}/dns_records"
	keyCreateRecord = "POST /zones/{zone_id}/dns_records"
	keyBatchRecords = "POST /zones/{zone_id}/dns_records/batch"
	keyGetRecord    = "GET /zones/{zone_id}/dns_records/{dns_record_id}"
	keyPutRecord    = "PUT /zones/{zone_id}/dns_records/{dns_record_id}"
	keyDelRecord    = "DELETE /zones/{zone_id}/dns_records/{dns_record_id}"
	keyGetTunnel    = "GET /accounts/{account_id}/cfd_tunnel/{tunnel_id}"
	keyGetConfig    = "GET /accounts/{account_id}/cfd_tunnel/{tunnel_id}/configurations"
	keyPutConfig    = "PUT /accounts/{account_id}/cfd_tunnel/{tunnel_id}/configurations"
	keyListPolicies = "GET /accounts/{account_id}/access/policies"
	keyListApps     = "GET /accounts/{account_id}/access/apps"
	keyDelPolicy    = "DELETE /accounts/{account_id}/access/policies/{policy_id}"
	keyDelApp       = "DELETE /accounts/{account_id}/access/apps/{app_id}"
)

const testUserAgent = "terraform-provider-homelab/1.2.3-test"

// sandbox is a cfsandbox server behind httptest with one zone and one
// tunnel. Every request is also handed to the optional observe hook before
// the sandbox answers it.
type sandbox struct {
	api    *cfsandbox.Server
	srv    *httptest.Server
	zone   cfsandbox.Zone
	tunnel cfsandbox.Tunnel

	mu      sync.Mutex
	observe func(*http.Request)
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	sb := &sandbox{api: cfsandbox.New(cfsandbox.Options{})}
	sb.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sb.mu.Lock()
		observe := sb.observe
		sb.mu.Unlock()
		if observe != nil {
			observe(r)
		}
		sb.api.ServeHTTP(w, r)
	}))
	t.Cleanup(sb.srv.Close)
	sb.zone = sb.api.AddZone("example.com")
	tun, err := sb.api.AddTunnel("homelab")
	if err != nil {
		t.Fatal(err)
	}
	sb.tunnel = tun
	return sb
}

func (sb *sandbox) setObserve(f func(*http.Request)) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	sb.observe = f
}

func (sb *sandbox) baseURL() string { return sb.srv.URL + cfsandbox.APIPrefix }

// config is a fast configuration for the sandbox: generous pacing, three
// retries and a 10ms back-off base.
func (sb *sandbox) config() Config {
	return Config{
		APIToken:          sb.api.Token(),
		AccountID:         sb.api.AccountID(),
		BaseURL:           sb.baseURL(),
		RequestsPerSecond: 1000,
		MaxRetries:        3,
		UserAgent:         testUserAgent,
		RetryBaseDelay:    10 * time.Millisecond,
	}
}

// client builds a Client from sb.config() after mod.
func (sb *sandbox) client(t *testing.T, mod func(*Config)) *Client {
	t.Helper()
	cfg := sb.config()
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// count returns the sandbox's request count for one endpoint key.
func (sb *sandbox) count(key string) int { return sb.api.Counts()[key] }

// testContext is a context that ends with the test, with a safety deadline
// so a hung call fails the test instead of the whole run.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// createRecord makes a CNAME through the client and fails the test on error.
func createRecord(t *testing.T, c *Client, zoneID, name string) DNSRecord {
	t.Helper()
	rec, err := c.CreateCNAME(testContext(t), zoneID, CNAME{Name: name, Target: "tunnel.example.net"})
	if err != nil {
		t.Fatalf("CreateCNAME(%s): %v", name, err)
	}
	return rec
}

// seedCNAMEs creates n proxied CNAMEs r000, r001, ... in the sandbox zone
// with batch requests straight to the sandbox's HTTP API (at most
// dnsBatchLimit records each), which is much faster than n client calls
// under the race detector. It resets the sandbox's counters afterwards.
func seedCNAMEs(t *testing.T, sb *sandbox, n int) {
	t.Helper()
	for first := 0; first < n; first += dnsBatchLimit {
		posts := make([]map[string]any, min(dnsBatchLimit, n-first))
		for i := range posts {
			posts[i] = map[string]any{"type": "CNAME", "name": fmt.Sprintf("r%03d", first+i), "content": "tunnel.example.net", "proxied": true, "ttl": 1}
		}
		postBatch(t, sb, map[string]any{"posts": posts})
	}
	if got := len(sb.api.DNSRecords(sb.zone.ID)); got != n {
		t.Fatalf("seeded %d records, want %d", got, n)
	}
	sb.api.ResetCounts()
}

func postBatch(t *testing.T, sb *sandbox, batch map[string]any) {
	t.Helper()
	body, err := json.Marshal(batch)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, sb.baseURL()+"/zones/"+sb.zone.ID+"/dns_records/batch", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+sb.api.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		t.Fatalf("seeding: HTTP %d %s", resp.StatusCode, data)
	}
}

// getDNSRecord reads one record by id with the SDK's typed service, through
// the client's request path (pacing, retries, error decoding) and its
// record decoding. The client itself reads records from the zone's listing
// (CachedDNSRecord); the tests use this for a live read of one record.
func getDNSRecord(ctx context.Context, c *Client, zoneID, id string) (DNSRecord, error) {
	var env recordEnvelope
	if _, err := c.sdk.DNS.Records.Get(ctx, id, dns.RecordGetParams{ZoneID: cf.F(zoneID)}, option.WithResponseBodyInto(&env)); err != nil {
		return DNSRecord{}, wrap(err)
	}
	return env.Result.record(zoneID), nil
}

// zoneID looks a zone up by its exact name in the client's one listing of
// the account's zones, the listing ZoneForHostname reads.
func zoneID(ctx context.Context, c *Client, name string) (string, error) {
	zs, err := c.accountZones(ctx)
	if err != nil {
		return "", err
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if id, ok := zs.byName[name]; ok {
		return id, nil
	}
	return "", &ZoneNotFoundError{Name: name}
}

// isConflict reports a conflict: HTTP 409, or the 400s Cloudflare uses for
// "a record with that name already exists".
func isConflict(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.StatusCode == http.StatusConflict ||
		apiErr.HasCode(81053) || apiErr.HasCode(81054) || apiErr.HasCode(81057) || apiErr.HasCode(81058)
}

// isRateLimited reports a 429 that outlived the retries.
func isRateLimited(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests
}
