package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare/gather"
)

const tunnelTarget = "tunnel.example.net"

// concurrently runs call(0..n-1), each from its own goroutine, as
// resources applied together do: all begin their change first (announcing
// change's DNS write, if any), call with the change's context, and end the
// change when their call returns.
func concurrently(ctx context.Context, c *Client, n int, change Change, call func(ctx context.Context, i int)) {
	ctxs := make([]context.Context, n)
	changes := make([]*ChangeHandle, n)
	for i := range n {
		ctxs[i], changes[i] = c.BeginChange(ctx, change)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer changes[i].Done()
			call(ctxs[i], i)
		})
	}
	wg.Wait()
}

// createConcurrently creates a CNAME per name with concurrently.
func createConcurrently(ctx context.Context, c *Client, zoneID string, names []string, announce bool) ([]DNSRecord, []error) {
	recs := make([]DNSRecord, len(names))
	errs := make([]error, len(names))
	change := Change{}
	if announce {
		change = Change{ZoneID: zoneID, DNS: DNSCreate}
	}
	concurrently(ctx, c, len(names), change, func(ctx context.Context, i int) {
		recs[i], errs[i] = c.CreateCNAME(ctx, zoneID, CNAME{Name: names[i], Target: tunnelTarget})
	})
	return recs, errs
}

func hostNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("h%03d.example.com", i)
	}
	return names
}

// TestCreateCNAMEBatch: concurrent creates go out in as few batch requests
// as the limit allows, and a lone create with the plain endpoint, after the
// settle time when announced and at the latest after the window. Each
// caller gets its own record, and the zone's cached listing holds them all
// without listing again.
func TestCreateCNAMEBatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		records  int
		announce bool
		window   time.Duration
		minBatch int // batch requests
		maxBatch int
		singles  int // single creates
		within   time.Duration
	}{
		// Announced callers need not wait out the 5 s window.
		{name: "alone, announced", records: 1, announce: true, window: gather.MaxWindow, singles: 1, within: gather.Settle + time.Second},
		{name: "alone, unannounced", records: 1, window: gather.MinWindow, singles: 1, within: gather.MinWindow + time.Second},
		{name: "announced", records: 12, announce: true, window: gather.MaxWindow, minBatch: 1, maxBatch: 1, within: 2 * time.Second},
		// Beyond the limit, the rest goes out in a further batch.
		{name: "over the limit", records: dnsBatchLimit + 50, window: gather.MinWindow, minBatch: 2, maxBatch: 3, within: 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			c := sb.client(t, nil)
			c.gatherWindow = tt.window
			ctx := testContext(t)
			if _, err := c.CachedDNSRecords(ctx, sb.zone.ID, DNSFilter{}); err != nil {
				t.Fatal(err)
			}
			names := hostNames(tt.records)
			start := time.Now()
			recs, errs := createConcurrently(ctx, c, sb.zone.ID, names, tt.announce)
			if took := time.Since(start); took > tt.within {
				t.Errorf("the creates took %s, want at most %s", took, tt.within)
			}
			ids := map[string]bool{}
			for i, rec := range recs {
				if errs[i] != nil {
					t.Fatalf("create %s: %v", names[i], errs[i])
				}
				if rec.Name != names[i] || rec.Type != "CNAME" || rec.Content != tunnelTarget || !rec.Proxied || rec.ZoneID != sb.zone.ID || rec.ID == "" {
					t.Errorf("caller %d got %+v, want its own record %s", i, rec, names[i])
				}
				ids[rec.ID] = true
			}
			if len(ids) != tt.records || len(sb.api.DNSRecords(sb.zone.ID)) != tt.records {
				t.Errorf("%d distinct ids, %d records in the zone; want %d", len(ids), len(sb.api.DNSRecords(sb.zone.ID)), tt.records)
			}
			if n := sb.count(keyBatchRecords); n < tt.minBatch || n > tt.maxBatch || sb.count(keyCreateRecord) != tt.singles {
				t.Errorf("counts %v, want %d..%d batch requests and %d single creates", sb.api.Counts(), tt.minBatch, tt.maxBatch, tt.singles)
			}
			cached, err := c.CachedDNSRecords(ctx, sb.zone.ID, DNSFilter{})
			if err != nil || len(cached) != tt.records || sb.count(keyListRecords) != 1 {
				t.Errorf("cached listing: %d records, %v, %d listings; want %d records from the first listing", len(cached), err, sb.count(keyListRecords), tt.records)
			}
		})
	}
}

// TestCreateCNAMERejectedBatch: a batch the API rejects (one name is taken
// by an A record) is retried one record at a time: only that caller fails,
// with its own error, and the others are created.
func TestCreateCNAMERejectedBatch(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	postBatch(t, sb, map[string]any{"posts": []any{map[string]any{"type": "A", "name": "h002", "content": "192.0.2.1"}}})
	sb.api.ResetCounts()
	c := sb.client(t, nil)
	names := hostNames(5)
	recs, errs := createConcurrently(testContext(t), c, sb.zone.ID, names, true)
	for i, err := range errs {
		if i == 2 {
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !apiErr.HasCode(81053) {
				t.Errorf("create of the taken name: %v, want a 400 with code 81053", err)
			}
			continue
		}
		if err != nil || recs[i].Name != names[i] {
			t.Errorf("create %s: %+v, %v", names[i], recs[i], err)
		}
	}
	if n := len(sb.api.DNSRecords(sb.zone.ID)); n != 5 {
		t.Errorf("%d records in the zone, want the A record and 4 CNAMEs", n)
	}
	if b, p := sb.count(keyBatchRecords), sb.count(keyCreateRecord); b != 1 || p != 5 {
		t.Errorf("%d batch requests and %d single creates, want 1 rejected batch and 5 single creates", b, p)
	}
}

// TestCreateCNAMEUnknownOutcome: a batch that fails for good (503 beyond
// the retries) fails every caller in it and drops the zone's cached
// listing, so that the next read lists the zone again.
func TestCreateCNAMEUnknownOutcome(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = 0 })
	ctx := testContext(t)
	if _, err := c.CachedDNSRecords(ctx, sb.zone.ID, DNSFilter{}); err != nil {
		t.Fatal(err)
	}
	sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 1})
	_, errs := createConcurrently(ctx, c, sb.zone.ID, hostNames(3), true)
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Errorf("caller %d: %v, want the 503", i, err)
		}
	}
	if n := sb.count(keyBatchRecords); n != 1 {
		t.Errorf("%d batch requests, want 1", n)
	}
	sb.api.ResetCounts()
	if _, err := c.CachedDNSRecords(ctx, sb.zone.ID, DNSFilter{}); err != nil {
		t.Fatal(err)
	}
	if n := sb.count(keyListRecords); n != 1 {
		t.Errorf("%d listings after the failed batch, want 1 (the cached listing was dropped)", n)
	}
}

// TestCreateCNAMECancelled: a caller that gives up before the batch goes
// out gets its context's error and no record; the others are created in
// one batch that does not wait for it.
func TestCreateCNAMECancelled(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	c.gatherWindow = gather.MaxWindow
	ctx := testContext(t)
	goneCtx, goneChange := c.BeginChange(ctx, Change{ZoneID: sb.zone.ID, DNS: DNSCreate})
	gone, cancel := context.WithCancel(goneCtx)
	done := make(chan error, 1)
	go func() {
		defer goneChange.Done()
		_, err := c.CreateCNAME(gone, sb.zone.ID, CNAME{Name: "gone.example.com", Target: tunnelTarget})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v, want context.Canceled", err)
	}
	start := time.Now()
	recs, errs := createConcurrently(ctx, c, sb.zone.ID, hostNames(2), true)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the other creates took %s, want them not to wait out the window", took)
	}
	for i, err := range errs {
		if err != nil || recs[i].ID == "" {
			t.Errorf("caller %d: %+v, %v", i, recs[i], err)
		}
	}
	for _, r := range sb.api.DNSRecords(sb.zone.ID) {
		if r.Name == "gone.example.com" {
			t.Error("the cancelled caller's record was created")
		}
	}
	if n := sb.count(keyBatchRecords); n != 1 {
		t.Errorf("%d batch requests, want 1 for the two remaining callers", n)
	}
}

// TestDeleteDNSRecordBatch: concurrent announced deletes go out in one
// batch request. A record already gone fails the batch but not its caller:
// the batch is sent again one delete at a time. A batch that fails for good
// fails every caller and drops the zone's cached listing.
func TestDeleteDNSRecordBatch(t *testing.T) {
	t.Parallel()
	const records = 6
	tests := []struct {
		name         string
		goneFirst    bool // one record is deleted behind the client's back
		fail5xx      bool
		wantErr      bool
		wantBatches  int
		wantSingles  int
		wantLeft     int // records left in the zone
		wantListings int // to read the zone afterwards
	}{
		{name: "all present", wantBatches: 1},
		{name: "one already gone", goneFirst: true, wantBatches: 1, wantSingles: records},
		{name: "unknown outcome", fail5xx: true, wantErr: true, wantBatches: 1, wantLeft: records, wantListings: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			seedCNAMEs(t, sb, records)
			c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = 0 })
			ctx := testContext(t)
			if _, err := c.CachedDNSRecords(ctx, sb.zone.ID, DNSFilter{}); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range sb.api.DNSRecords(sb.zone.ID) {
				ids = append(ids, r.ID)
			}
			if tt.goneFirst {
				postBatch(t, sb, map[string]any{"deletes": []any{map[string]any{"id": ids[0]}}})
			}
			if tt.fail5xx {
				sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 1})
			}
			sb.api.ResetCounts()
			errs := make([]error, records)
			concurrently(ctx, c, records, Change{ZoneID: sb.zone.ID, DNS: DNSDelete}, func(ctx context.Context, i int) {
				errs[i] = c.DeleteDNSRecord(ctx, sb.zone.ID, ids[i])
			})
			for i, err := range errs {
				if (err != nil) != tt.wantErr {
					t.Errorf("delete %d: %v, want an error: %v", i, err, tt.wantErr)
				}
			}
			if b, d := sb.count(keyBatchRecords), sb.count(keyDelRecord); b != tt.wantBatches || d != tt.wantSingles {
				t.Errorf("%d batch requests and %d single deletes, want %d and %d", b, d, tt.wantBatches, tt.wantSingles)
			}
			if n := len(sb.api.DNSRecords(sb.zone.ID)); n != tt.wantLeft {
				t.Errorf("%d records left in the zone, want %d", n, tt.wantLeft)
			}
			sb.api.ResetCounts()
			cached, err := c.CachedDNSRecords(ctx, sb.zone.ID, DNSFilter{})
			if err != nil || len(cached) != tt.wantLeft {
				t.Errorf("cached listing: %d records, %v; want %d", len(cached), err, tt.wantLeft)
			}
			if n := sb.count(keyListRecords); n != tt.wantListings {
				t.Errorf("%d listings after the deletes, want %d", n, tt.wantListings)
			}
		})
	}
}
