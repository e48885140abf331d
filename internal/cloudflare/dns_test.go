package cloudflare

import (
	"fmt"
	"slices"
	"testing"
)

// TestListDNSRecordsPagination: every record comes back, and the client
// stops at the first short page or the last page the API announced,
// instead of fetching an empty one.
func TestListDNSRecordsPagination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		records   int
		wantPages int
	}{
		{records: 0, wantPages: 1},
		{records: 100, wantPages: 1}, // the full page is announced as the last
		{records: 250, wantPages: 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d records", tt.records), func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			c := sb.client(t, nil)
			ctx := testContext(t)
			seedCNAMEs(t, sb, tt.records)
			want := make([]string, 0, tt.records)
			for _, r := range sb.api.DNSRecords(sb.zone.ID) {
				want = append(want, r.ID)
			}

			got, err := c.ListDNSRecords(ctx, sb.zone.ID, DNSFilter{})
			if err != nil {
				t.Fatalf("ListDNSRecords: %v", err)
			}
			if len(got) != tt.records {
				t.Fatalf("got %d records, want %d", len(got), tt.records)
			}
			ids := make([]string, len(got))
			for i, r := range got {
				ids[i] = r.ID
				if r.ZoneID != sb.zone.ID || r.Type != "CNAME" || !r.Proxied || r.Content != "tunnel.example.net" {
					t.Fatalf("record %d: %+v", i, r)
				}
			}
			slices.Sort(ids)
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Error("the listing does not hold exactly the created records (duplicates or gaps across pages)")
			}
			if n := sb.count(keyListRecords); n != tt.wantPages {
				t.Errorf("sandbox counted %d list requests, want %d", n, tt.wantPages)
			}
			if n := sb.api.Total(); n != tt.wantPages {
				t.Errorf("sandbox counted %d requests in all, want %d", n, tt.wantPages)
			}
		})
	}
}

func TestListDNSRecordsFilter(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	ctx := testContext(t)
	for _, n := range []string{"a", "b", "c"} {
		createRecord(t, c, sb.zone.ID, n)
	}
	tests := []struct {
		name   string
		filter DNSFilter
		want   []string
	}{
		{name: "by name", filter: DNSFilter{Name: "b.example.com"}, want: []string{"b.example.com"}},
		{name: "by name, any case", filter: DNSFilter{Name: "B.Example.COM"}, want: []string{"b.example.com"}},
		{name: "by type", filter: DNSFilter{Type: "CNAME"}, want: []string{"a.example.com", "b.example.com", "c.example.com"}},
		{name: "by name and other type", filter: DNSFilter{Name: "a.example.com", Type: "A"}},
		{name: "unknown name", filter: DNSFilter{Name: "zzz.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.ListDNSRecords(ctx, sb.zone.ID, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range got {
				names = append(names, r.Name)
			}
			slices.Sort(names)
			if !slices.Equal(names, tt.want) {
				t.Errorf("names %v, want %v", names, tt.want)
			}
		})
	}
}

// TestDNSRecordRoundTrip: create, read, update, delete, and deleting again.
func TestDNSRecordRoundTrip(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	ctx := testContext(t)

	created, err := c.CreateCNAME(ctx, sb.zone.ID, CNAME{Name: "App.Example.com", Target: "abc.cfargotunnel.com", Comment: "homelab"})
	if err != nil {
		t.Fatal(err)
	}
	want := DNSRecord{ID: created.ID, ZoneID: sb.zone.ID, Name: "app.example.com", Type: "CNAME", Content: "abc.cfargotunnel.com", Proxied: true, Comment: "homelab"}
	if created != want || created.ID == "" {
		t.Errorf("created %+v, want %+v", created, want)
	}
	got, err := getDNSRecord(ctx, c, sb.zone.ID, created.ID)
	if err != nil || got != want {
		t.Errorf("getDNSRecord = %+v, %v; want %+v", got, err, want)
	}

	updated, err := c.UpdateCNAME(ctx, sb.zone.ID, created.ID, CNAME{Name: "app", Target: "def.cfargotunnel.com"})
	if err != nil {
		t.Fatal(err)
	}
	want.Content, want.Comment = "def.cfargotunnel.com", ""
	if updated != want {
		t.Errorf("updated %+v, want %+v", updated, want)
	}
	if recs := sb.api.DNSRecords(sb.zone.ID); len(recs) != 1 || recs[0].Content != "def.cfargotunnel.com" || recs[0].Comment != nil {
		t.Errorf("sandbox holds %+v after the update", recs)
	}

	if err := c.DeleteDNSRecord(ctx, sb.zone.ID, created.ID); err != nil {
		t.Fatalf("DeleteDNSRecord: %v", err)
	}
	if recs := sb.api.DNSRecords(sb.zone.ID); len(recs) != 0 {
		t.Errorf("sandbox still holds %+v", recs)
	}
	if _, err := getDNSRecord(ctx, c, sb.zone.ID, created.ID); !IsNotFound(err) {
		t.Errorf("getDNSRecord after delete: %v, want not found", err)
	}
}

// TestDeleteMissingIsNotAnError: deleting something already gone succeeds
// with one request and no retry.
func TestDeleteMissingIsNotAnError(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	tests := []struct {
		name string
		del  func() error
		key  string
	}{
		{
			name: "DNS record",
			del: func() error {
				return c.DeleteDNSRecord(testContext(t), sb.zone.ID, "0123456789abcdef0123456789abcdef")
			},
			key: keyDelRecord,
		},
		{
			name: "Access app",
			del:  func() error { return c.DeleteAccessApp(testContext(t), "00000000-0000-4000-8000-000000000001") },
			key:  keyDelApp,
		},
		{
			name: "Access policy",
			del:  func() error { return c.DeleteAccessPolicy(testContext(t), "00000000-0000-4000-8000-000000000002") },
			key:  keyDelPolicy,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb.api.ResetCounts()
			if err := tt.del(); err != nil {
				t.Errorf("delete of a missing object: %v, want nil", err)
			}
			if n := sb.count(tt.key); n != 1 || sb.api.Total() != 1 {
				t.Errorf("counts %v, want exactly one %s", sb.api.Counts(), tt.key)
			}
		})
	}

	// Other failures of a delete are not swallowed.
	bad := sb.client(t, func(cfg *Config) { cfg.APIToken = "wrong" })
	if err := bad.DeleteDNSRecord(testContext(t), sb.zone.ID, "0123456789abcdef0123456789abcdef"); err == nil {
		t.Error("a 403 on delete was swallowed")
	}
	if err := bad.DeleteAccessApp(testContext(t), "00000000-0000-4000-8000-000000000001"); err == nil {
		t.Error("a 403 on DeleteAccessApp was swallowed")
	}
	if err := bad.DeleteAccessPolicy(testContext(t), "00000000-0000-4000-8000-000000000002"); err == nil {
		t.Error("a 403 on DeleteAccessPolicy was swallowed")
	}
}
