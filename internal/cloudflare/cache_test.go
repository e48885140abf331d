package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
)

// TestCachedReadsListOnce: reading every record, application and policy of
// 150 proxies costs one paginated listing per kind, however many readers.
func TestCachedReadsListOnce(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	seedCNAMEs(t, sb, 150)
	seeder := sb.client(t, nil)
	ctx := testContext(t)
	var appIDs, policyIDs []string
	for i := range 3 {
		p, err := seeder.CreateAccessPolicy(ctx, AccessPolicy{Name: fmt.Sprintf("p%d", i), Emails: []string{"me@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		a, err := seeder.CreateAccessApp(ctx, AccessApp{Name: fmt.Sprintf("a%d", i), Domain: fmt.Sprintf("a%d.example.com", i), PolicyIDs: []string{p.ID}})
		if err != nil {
			t.Fatal(err)
		}
		appIDs, policyIDs = append(appIDs, a.ID), append(policyIDs, p.ID)
	}
	records := sb.api.DNSRecords(sb.zone.ID)
	sb.api.ResetCounts()

	c := sb.client(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, len(records)+2*len(appIDs)+1)
	for _, r := range records {
		wg.Go(func() {
			got, err := c.CachedDNSRecord(ctx, sb.zone.ID, r.ID)
			if err == nil && got.Name != r.Name {
				err = fmt.Errorf("record %s: name %q, want %q", r.ID, got.Name, r.Name)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	for i := range appIDs {
		wg.Go(func() {
			if a, err := c.CachedAccessApp(ctx, appIDs[i]); err != nil || a.Domain != fmt.Sprintf("a%d.example.com", i) {
				errs <- fmt.Errorf("app %d: %+v, %v", i, a, err)
			}
			if p, err := c.CachedAccessPolicy(ctx, policyIDs[i]); err != nil || p.Name != fmt.Sprintf("p%d", i) {
				errs <- fmt.Errorf("policy %d: %+v, %v", i, p, err)
			}
		})
	}
	wg.Go(func() {
		if _, err := c.CachedTunnelConfig(ctx, sb.tunnel.ID); err != nil {
			errs <- err
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := map[string]int{keyListRecords: 2, keyListApps: 1, keyListPolicies: 1, keyGetConfig: 1}
	for key, n := range want {
		if got := sb.count(key); got != n {
			t.Errorf("%s: %d requests, want %d", key, got, n)
		}
	}
	if got := sb.api.Total(); got != 5 {
		t.Errorf("%d requests in all (%v), want 5", got, sb.api.Counts())
	}
	if _, err := c.CachedDNSRecord(ctx, sb.zone.ID, "0123456789abcdef0123456789abcdef"); !IsNotFound(err) {
		t.Errorf("missing record: err = %v, want not found", err)
	}
}

// TestCachedReadsFollowOwnWrites: a read after our own write sees it, with
// no new listing; a write by another process is not seen until the next
// process (client).
func TestCachedReadsFollowOwnWrites(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	ctx := testContext(t)
	c := sb.client(t, nil)
	if recs, err := c.CachedDNSRecords(ctx, sb.zone.ID, DNSFilter{}); err != nil || len(recs) != 0 {
		t.Fatalf("empty zone: %v, %v", recs, err)
	}
	rec, err := c.CreateCNAME(ctx, sb.zone.ID, CNAME{Name: "a.example.com", Target: "t.cfargotunnel.com"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.CachedDNSRecords(ctx, sb.zone.ID, DNSFilter{Name: "A.example.com"})
	if err != nil || len(got) != 1 || got[0].ID != rec.ID {
		t.Errorf("after create: %v, %v; want the new record", got, err)
	}
	if _, err := c.UpdateCNAME(ctx, sb.zone.ID, rec.ID, CNAME{Name: "a.example.com", Target: "u.cfargotunnel.com"}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.CachedDNSRecord(ctx, sb.zone.ID, rec.ID); err != nil || r.Content != "u.cfargotunnel.com" {
		t.Errorf("after update: %+v, %v; want content u.cfargotunnel.com", r, err)
	}
	policy, err := c.CreateAccessPolicy(ctx, AccessPolicy{Name: "p", Emails: []string{"b@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.CachedAccessPolicy(ctx, policy.ID); err != nil || p.Name != "p" {
		t.Errorf("after policy create: %+v, %v", p, err)
	}
	if err := c.DeleteAccessPolicy(ctx, policy.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CachedAccessPolicy(ctx, policy.ID); !IsNotFound(err) {
		t.Errorf("after policy delete: err = %v, want not found", err)
	}
	if err := c.DeleteDNSRecord(ctx, sb.zone.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CachedDNSRecord(ctx, sb.zone.ID, rec.ID); !IsNotFound(err) {
		t.Errorf("after delete: err = %v, want not found", err)
	}
	if n := sb.count(keyListRecords); n != 1 {
		t.Errorf("%d DNS listings, want 1: writes update the listing", n)
	}

	// Out of band (another client stands for another process).
	other := sb.client(t, nil)
	oob := createRecord(t, other, sb.zone.ID, "b.example.com")
	if _, err := c.CachedDNSRecord(ctx, sb.zone.ID, oob.ID); !IsNotFound(err) {
		t.Errorf("out-of-band record seen within the process: err = %v (the rule is: per process)", err)
	}
	if _, err := sb.client(t, nil).CachedDNSRecord(ctx, sb.zone.ID, oob.ID); err != nil {
		t.Errorf("a new process does not see the out-of-band record: %v", err)
	}
}

// TestCachedReadsRelistAfterUnknownOutcome: a write that ends without an
// answer from the API drops the listing, so the next read asks again.
func TestCachedReadsRelistAfterUnknownOutcome(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	ctx := testContext(t)
	c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = 0 })
	if _, err := c.CachedAccessApps(ctx); err != nil {
		t.Fatal(err)
	}
	sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 1})
	if _, err := c.CreateAccessApp(ctx, AccessApp{Name: "x", Domain: "x.example.com"}); err == nil {
		t.Fatal("CreateAccessApp succeeded through a 503")
	}
	// A 4xx is a definite answer and keeps the listing.
	if _, err := c.UpdateAccessApp(ctx, AccessApp{ID: "00000000-0000-0000-0000-000000000000", Name: "y", Domain: "y.example.com"}); !IsNotFound(err) {
		t.Fatalf("update of a missing app: %v", err)
	}
	sb.api.ResetCounts()
	if _, err := c.CachedAccessApps(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CachedAccessApps(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sb.count(keyListApps); n != 1 {
		t.Errorf("%d listings after a failed create, want 1", n)
	}
}

// TestCollectionWriteDuringListing: a write answered while a listing is in
// flight is replayed on top of it, whatever the listing saw.
func TestCollectionWriteDuringListing(t *testing.T) {
	t.Parallel()
	var c collection[DNSRecord]
	started, release := make(chan struct{}), make(chan struct{})
	list := func(context.Context) ([]DNSRecord, error) { //nolint:unparam // a listing's signature
		close(started)
		<-release
		// The listing was served before the writes below: it has the
		// deleted record and not the new one.
		return []DNSRecord{{ID: "old", Name: "old"}, {ID: "gone", Name: "gone"}}, nil
	}
	done := make(chan map[string]DNSRecord)
	go func() {
		items, err := snapshot(&c, list, recordID)
		if err != nil {
			t.Error(err)
		}
		done <- items
	}()
	<-started
	c.put("new", DNSRecord{ID: "new", Name: "new"})
	c.remove("gone")
	close(release)
	items := <-done
	if _, ok := items["new"]; !ok {
		t.Errorf("items %v lack the record written during the listing", items)
	}
	if _, ok := items["gone"]; ok {
		t.Errorf("items %v still have the record deleted during the listing", items)
	}
	if len(items) != 2 {
		t.Errorf("items = %v, want old and new", items)
	}
}

// TestCollectionListingFailureNotKept: a failed listing is not cached.
func TestCollectionListingFailureNotKept(t *testing.T) {
	t.Parallel()
	var c collection[AccessApp]
	calls := 0
	boom := errors.New("boom")
	list := func(context.Context) ([]AccessApp, error) {
		calls++
		if calls == 1 {
			return nil, boom
		}
		return []AccessApp{{ID: "a"}}, nil
	}
	if _, err := snapshot(&c, list, appID); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	items, err := snapshot(&c, list, appID)
	if err != nil || len(items) != 1 || calls != 2 {
		t.Errorf("second get = %v, %v after %d listings; want one app after 2", items, err, calls)
	}
}

// snapshot is a copy of the collection's items, listed when needed.
func snapshot[T any](c *collection[T], list func(context.Context) ([]T, error), id func(T) string) (map[string]T, error) {
	var out map[string]T
	err := c.read(context.Background(), list, id, func(items map[string]T) { out = maps.Clone(items) })
	return out, err
}
