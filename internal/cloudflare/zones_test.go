package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
)

// TestZoneIDLookedUpOnce: the first lookup lists the account's zones, every
// later one (any case, trailing dot, other or missing names) is answered
// from the cache.
func TestZoneIDLookedUpOnce(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	org := sb.api.AddZone("example.org")
	c := sb.client(t, nil)
	ctx := testContext(t)

	tests := []struct {
		name    string
		wantID  string
		wantErr bool
	}{
		{name: "example.com", wantID: sb.zone.ID},
		{name: "example.com", wantID: sb.zone.ID},
		{name: "Example.COM.", wantID: sb.zone.ID},
		{name: "example.org", wantID: org.ID},
		{name: "missing.net", wantErr: true},
		{name: "www.example.com", wantErr: true}, // ZoneID wants the exact zone name
	}
	for i, tt := range tests {
		id, err := zoneID(ctx, c, tt.name)
		if tt.wantErr {
			var zerr *ZoneNotFoundError
			if !errors.As(err, &zerr) {
				t.Errorf("zoneID(%q) = %q, %v; want ZoneNotFoundError", tt.name, id, err)
			}
		} else if err != nil || id != tt.wantID {
			t.Errorf("zoneID(%q) = %q, %v; want %q", tt.name, id, err, tt.wantID)
		}
		if n := sb.count(keyZones); n != 1 {
			t.Errorf("after lookup %d: sandbox counted %d zone lists, want 1", i+1, n)
		}
	}

	// Another client has its own cache.
	other := sb.client(t, nil)
	if _, err := zoneID(ctx, other, "example.com"); err != nil {
		t.Fatal(err)
	}
	if n := sb.count(keyZones); n != 2 {
		t.Errorf("sandbox counted %d zone lists, want 2", n)
	}
}

// TestZoneListPagination: every zone of the account is found, across pages
// of 50, stopping at the first short page.
func TestZoneListPagination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zones     int // besides example.com
		wantPages int
	}{
		{zones: 0, wantPages: 1},
		{zones: 49, wantPages: 2}, // 50 zones fill the first page
		{zones: 120, wantPages: 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d zones", tt.zones+1), func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			ids := map[string]string{"example.com": sb.zone.ID}
			for i := range tt.zones {
				z := sb.api.AddZone(fmt.Sprintf("zone%03d.test", i))
				ids[z.Name] = z.ID
			}
			c := sb.client(t, nil)
			ctx := testContext(t)
			for name, want := range ids {
				if got, err := zoneID(ctx, c, name); err != nil || got != want {
					t.Fatalf("zoneID(%q) = %q, %v; want %q", name, got, err, want)
				}
			}
			if n := sb.count(keyZones); n != tt.wantPages {
				t.Errorf("sandbox counted %d zone list requests, want %d", n, tt.wantPages)
			}
		})
	}
}

// TestZoneIDIsScopedToAccount: with an account configured the listing is
// filtered on it, so another account's id finds nothing.
func TestZoneIDIsScopedToAccount(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	tests := []struct {
		name    string
		account string
		wantErr bool
	}{
		{name: "own account", account: sb.api.AccountID()},
		{name: "no account", account: ""},
		{name: "other account", account: "ffffffffffffffffffffffffffffffff", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sb.client(t, func(cfg *Config) { cfg.AccountID = tt.account })
			id, err := zoneID(testContext(t), c, "example.com")
			var zerr *ZoneNotFoundError
			switch {
			case tt.wantErr && !errors.As(err, &zerr):
				t.Errorf("ZoneID = %q, %v; want ZoneNotFoundError", id, err)
			case !tt.wantErr && (err != nil || id != sb.zone.ID):
				t.Errorf("ZoneID = %q, %v; want %q", id, err, sb.zone.ID)
			}
		})
	}
}

// TestZoneLookupFailureNotCached: a failed listing is reported as the API
// error (not "no such zone") and the next caller tries again.
func TestZoneLookupFailureNotCached(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = 0 })
	ctx := testContext(t)

	sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 1})
	_, _, err := c.ZoneForHostname(ctx, "a.example.com")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("ZoneForHostname through a 503: %v, want the 503 APIError", err)
	}
	id, name, err := c.ZoneForHostname(ctx, "a.example.com")
	if err != nil || id != sb.zone.ID || name != "example.com" {
		t.Errorf("second ZoneForHostname = %q, %q, %v; want example.com", id, name, err)
	}
	if _, err := zoneID(ctx, c, "example.com"); err != nil {
		t.Fatal(err)
	}
	if n := sb.count(keyZones); n != 2 {
		t.Errorf("sandbox counted %d zone lists, want 2 (failed, then cached)", n)
	}

	bad := sb.client(t, func(cfg *Config) { cfg.APIToken = "wrong" })
	if _, err := zoneID(ctx, bad, "example.com"); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		t.Errorf("ZoneID with a bad token: %v, want the 403", err)
	}
}

// TestZoneLookupShared: concurrent first lookups share one listing.
func TestZoneLookupShared(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	// Latency keeps the first listing in flight while the others arrive.
	sb.api.SetFaults(cfsandbox.Faults{Latency: 200 * time.Millisecond})
	c := sb.client(t, nil)
	ctx := testContext(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if id, err := zoneID(ctx, c, "example.com"); err != nil || id != sb.zone.ID {
				t.Errorf("ZoneID = %q, %v", id, err)
			}
		})
	}
	wg.Wait()
	// Callers arriving during the 200ms listing join it; later ones find
	// the cache filled.
	if n := sb.count(keyZones); n != 1 {
		t.Errorf("sandbox counted %d zone lists, want 1", n)
	}
}

// TestZoneLookupOutlivesStartingCaller: the shared zone listing is not
// tied to the context of the caller that started it. That caller gets its
// own deadline error; a caller that joined the listing with a live context
// gets the zones.
func TestZoneLookupOutlivesStartingCaller(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	sb.api.SetFaults(cfsandbox.Faults{Latency: 300 * time.Millisecond})
	arrived := make(chan struct{}, 1)
	sb.setObserve(func(r *http.Request) {
		if r.URL.Path == cfsandbox.APIPrefix+"/zones" {
			select {
			case arrived <- struct{}{}:
			default:
			}
		}
	})
	c := sb.client(t, nil)

	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	first := make(chan error, 1)
	go func() {
		_, err := zoneID(short, c, "example.com")
		first <- err
	}()
	select {
	case <-arrived: // the listing is in flight, held by the latency
	case <-time.After(10 * time.Second):
		t.Fatal("the zone listing never reached the sandbox")
	}
	id, err := zoneID(testContext(t), c, "example.com")
	if err != nil || id != sb.zone.ID {
		t.Errorf("ZoneID with a live context = %q, %v; want %q", id, err, sb.zone.ID)
	}
	if err := <-first; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the starting caller got %v, want its own context.DeadlineExceeded", err)
	}
	if n := sb.count(keyZones); n != 1 {
		t.Errorf("sandbox counted %d zone lists, want 1", n)
	}
}

func TestZoneForHostname(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	sub := sb.api.AddZone("sub.example.com")
	tests := []struct {
		host     string
		wantName string
		wantID   string
		wantErr  bool
	}{
		{host: "a.b.example.com", wantName: "example.com", wantID: sb.zone.ID},
		{host: "example.com", wantName: "example.com", wantID: sb.zone.ID},
		{host: "WWW.Example.Com", wantName: "example.com", wantID: sb.zone.ID},
		{host: "www.example.com.", wantName: "example.com", wantID: sb.zone.ID},
		{host: "*.example.com", wantName: "example.com", wantID: sb.zone.ID},
		{host: "x.sub.example.com", wantName: "sub.example.com", wantID: sub.ID},
		{host: "sub.example.com", wantName: "sub.example.com", wantID: sub.ID},
		{host: "*.sub.example.com", wantName: "sub.example.com", wantID: sub.ID},
		{host: "notsub.example.com", wantName: "example.com", wantID: sb.zone.ID},
		{host: "host.example.net", wantErr: true},
		{host: "myexample.com", wantErr: true},
		{host: "com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			c := sb.client(t, nil)
			sb.api.ResetCounts()
			id, name, err := c.ZoneForHostname(testContext(t), tt.host)
			if tt.wantErr {
				var zerr *ZoneNotFoundError
				if !errors.As(err, &zerr) {
					t.Errorf("ZoneForHostname = %q, %q, %v; want ZoneNotFoundError", id, name, err)
				}
			} else if err != nil || id != tt.wantID || name != tt.wantName {
				t.Errorf("ZoneForHostname = %q, %q, %v; want %q, %q", id, name, err, tt.wantID, tt.wantName)
			}
			if n := sb.count(keyZones); n != 1 {
				t.Errorf("sandbox counted %d zone lists, want 1", n)
			}
		})
	}
}
