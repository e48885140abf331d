package cfsandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		code     int
	}{
		{"@", "example.com", 0},
		{"example.com", "example.com", 0},
		{"app", "app.example.com", 0},
		{"App.Example.COM", "app.example.com", 0},
		{"app.example.com.", "app.example.com", 0},
		{"a.b.example.com", "a.b.example.com", 0},
		{"app.other.org", "app.other.org.example.com", 0},
		{"*.example.com", "*.example.com", 0},
		{"_dmarc", "_dmarc.example.com", 0},
		{"bücher", "xn--bcher-kva.example.com", 0},
		{"münchen.example.com", "xn--mnchen-3ya.example.com", 0},
		{"app.other.org.", "", 9000},
		{"", "", 9000},
		{"a..b", "", 9000},
		{"a b", "", 9000},
		{"*", "*.example.com", 0},
		{"*.apps", "*.apps.example.com", 0},
		{"a.*.example.com", "a.*.example.com", 0}, // a literal asterisk, as documented
		{"*.*.example.com", "*.*.example.com", 0},
		{"a*.example.com", "", 9000},
		{"**.example.com", "", 9000},
		{strings.Repeat("x", 64), "", 9000},
		{strings.Repeat("abcdefghi.", 26), "", 9000},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := normalizeName(tc.in, "example.com")
			if tc.code != 0 {
				ae, ok := err.(*apiError)
				if !ok || ae.code != tc.code || ae.status != http.StatusBadRequest {
					t.Fatalf("got %q, %v; want error %d", got, err, tc.code)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestRecordCreateShape(t *testing.T) {
	h := newHarness(t)
	r := h.do(http.MethodPost, h.zonePath("/dns_records"), map[string]any{
		"type": "CNAME", "name": "app", "content": h.tunnel.ID + ".cfargotunnel.com",
		"proxied": true, "ttl": 3600, "comment": "managed", "tags": []string{"owner:homelab"},
		"settings": map[string]any{"flatten_cname": false},
	})
	if r.status != 200 || !r.env.Success {
		t.Fatalf("create: %d %+v", r.status, r.env.Errors)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.env.Result, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "zone_id", "zone_name", "name", "type", "content", "proxiable", "proxied",
		"ttl", "settings", "meta", "comment", "tags", "created_on", "modified_on", "comment_modified_on", "tags_modified_on"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("record lacks %q", k)
		}
	}
	var rec wireRecord
	_ = json.Unmarshal(r.env.Result, &rec)
	if !isHexID(rec.ID) || rec.ZoneID != h.zone.ID || rec.ZoneName != "example.com" || rec.Name != "app.example.com" {
		t.Errorf("identity: %+v", rec)
	}
	if !rec.Proxied || !rec.Proxiable || rec.TTL != 1 {
		t.Errorf("proxied record must have ttl 1 and be proxiable: %+v", rec)
	}
	if rec.Comment == nil || *rec.Comment != "managed" || !slices.Equal(rec.Tags, []string{"owner:homelab"}) {
		t.Errorf("comment/tags: %+v", rec)
	}
	if rec.Settings["flatten_cname"] != false {
		t.Errorf("settings %v", rec.Settings)
	}
	plain := h.createRecord(map[string]any{"type": "TXT", "name": "@", "content": "v=spf1 -all"})
	if plain.Comment != nil || plain.Tags == nil || len(plain.Tags) != 0 || plain.Proxiable || plain.TTL != 1 {
		t.Errorf("defaults: %+v", plain)
	}
	var got wireRecord
	h.ok(http.MethodGet, h.zonePath("/dns_records/"+rec.ID), nil, &got)
	if got.ID != rec.ID || got.Content != rec.Content {
		t.Errorf("GET returned %+v", got)
	}
}

func TestRecordValidation(t *testing.T) {
	h := newHarness(t)
	h.createRecord(map[string]any{"type": "CNAME", "name": "cname", "content": "target.example.net"})
	h.createRecord(map[string]any{"type": "A", "name": "host", "content": "192.0.2.1", "ttl": 300})
	h.createRecord(map[string]any{"type": "NS", "name": "sub", "content": "ns1.example.net"})
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   int
	}{
		{"CNAME over CNAME", map[string]any{"type": "CNAME", "name": "cname", "content": "other.example.net"}, 400, 81053},
		{"CNAME over A", map[string]any{"type": "CNAME", "name": "HOST.example.com", "content": "x.example.net"}, 400, 81053},
		{"A over CNAME", map[string]any{"type": "A", "name": "cname", "content": "192.0.2.9"}, 400, 81054},
		{"AAAA over CNAME", map[string]any{"type": "AAAA", "name": "cname", "content": "2001:db8::1"}, 400, 81054},
		{"identical A", map[string]any{"type": "A", "name": "host", "content": "192.0.2.1", "ttl": 300}, 400, 81058},
		{"identical CNAME", map[string]any{"type": "CNAME", "name": "cname", "content": "TARGET.example.net."}, 400, 81058},
		{"same A other ttl", map[string]any{"type": "A", "name": "host", "content": "192.0.2.1", "ttl": 600}, 400, 81057},
		{"A under NS", map[string]any{"type": "A", "name": "sub", "content": "192.0.2.1"}, 400, 81056},
		{"bad ttl", map[string]any{"type": "A", "name": "x", "content": "192.0.2.1", "ttl": 5}, 400, 9021},
		{"ttl too long", map[string]any{"type": "A", "name": "x", "content": "192.0.2.1", "ttl": 90000}, 400, 9021},
		{"bad A", map[string]any{"type": "A", "name": "x", "content": "2001:db8::1"}, 400, 9005},
		{"bad AAAA", map[string]any{"type": "AAAA", "name": "x", "content": "192.0.2.1"}, 400, 9006},
		{"name outside zone", map[string]any{"type": "A", "name": "x.example.org.", "content": "192.0.2.1"}, 400, 9000},
		{"bad label", map[string]any{"type": "A", "name": "bad name", "content": "192.0.2.1"}, 400, 9000},
		{"no type", map[string]any{"name": "x", "content": "192.0.2.1"}, 400, 1004},
		{"unknown type", map[string]any{"type": "BOGUS", "name": "x", "content": "y"}, 400, 1004},
		{"no content", map[string]any{"type": "TXT", "name": "x"}, 400, 1004},
		{"proxied TXT", map[string]any{"type": "TXT", "name": "x", "content": "y", "proxied": true}, 400, 9004},
		{"ttl not a number", map[string]any{"type": "A", "name": "x", "content": "192.0.2.1", "ttl": "auto"}, 400, 1004},
		{"not an object", "[1,2]", 400, 1004},
		{"malformed", "{", 400, 1004},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			r := h.fail(http.MethodPost, h.zonePath("/dns_records"), tc.body, tc.status, tc.code)
			if tc.code == 81053 && !strings.HasPrefix(r.env.Errors[0].Message, "An A, AAAA, or CNAME record with that host already exists.") {
				t.Errorf("message %q", r.env.Errors[0].Message)
			}
		})
	}
	// Other types may share a CNAME's name only through the documented rules;
	// TXT beside a CNAME is allowed here (permissive).
	h.createRecord(map[string]any{"type": "TXT", "name": "cname", "content": "hello"})
	if n := len(h.s.DNSRecords(h.zone.ID)); n != 4 {
		t.Errorf("%d records after failed creates, want 4", n)
	}
}

func TestRecordUpdateDelete(t *testing.T) {
	h := newHarness(t)
	rec := h.createRecord(map[string]any{"type": "A", "name": "web", "content": "192.0.2.1", "ttl": 300, "comment": "c1"})
	other := h.createRecord(map[string]any{"type": "CNAME", "name": "alias", "content": "web.example.com"})
	path := h.zonePath("/dns_records/" + rec.ID)

	var patched wireRecord
	h.ok(http.MethodPatch, path, map[string]any{"content": "192.0.2.2"}, &patched)
	if patched.Content != "192.0.2.2" || patched.TTL != 300 || patched.Comment == nil || *patched.Comment != "c1" || patched.Name != "web.example.com" {
		t.Errorf("PATCH must keep absent members: %+v", patched)
	}
	if patched.CreatedOn != rec.CreatedOn || patched.Modified == rec.Modified {
		t.Errorf("timestamps: created %s→%s modified %s→%s", rec.CreatedOn, patched.CreatedOn, rec.Modified, patched.Modified)
	}
	var same wireRecord
	h.ok(http.MethodPatch, path, map[string]any{"content": "192.0.2.2", "ttl": 300}, &same)
	if same.Modified != patched.Modified {
		t.Errorf("a PATCH that changes nothing moved modified_on %s→%s", patched.Modified, same.Modified)
	}
	h.ok(http.MethodPatch, path, map[string]any{"comment": nil, "proxied": true}, &patched)
	if patched.Comment != nil || !patched.Proxied || patched.TTL != 1 {
		t.Errorf("PATCH comment null / proxied: %+v", patched)
	}

	var put wireRecord
	h.ok(http.MethodPut, path, map[string]any{"type": "A", "name": "web", "content": "192.0.2.3"}, &put)
	if put.Content != "192.0.2.3" || put.Proxied || put.TTL != 1 || put.ID != rec.ID {
		t.Errorf("PUT must replace: %+v", put)
	}
	// Updating into a conflict, and a record keeping its own name, are checked.
	h.fail(http.MethodPatch, path, map[string]any{"name": "alias"}, 400, 81054)
	h.ok(http.MethodPut, path, map[string]any{"type": "A", "name": "web", "content": "192.0.2.3"}, nil)

	var del struct{ ID string }
	h.ok(http.MethodDelete, path, nil, &del)
	if del.ID != rec.ID {
		t.Errorf("DELETE result %+v", del)
	}
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		h.fail(m, path, map[string]any{"type": "A", "name": "web", "content": "192.0.2.3"}, 404, 81044)
	}
	if recs := h.s.DNSRecords(h.zone.ID); len(recs) != 1 || recs[0].ID != other.ID {
		t.Errorf("left %+v", recs)
	}
}

func TestRecordListFilters(t *testing.T) {
	h := newHarness(t)
	h.createRecord(map[string]any{"type": "CNAME", "name": "app", "content": "t.cfargotunnel.com", "proxied": true, "comment": "Homelab proxy", "tags": []string{"owner:homelab", "env:prod"}})
	h.createRecord(map[string]any{"type": "A", "name": "nas", "content": "192.0.2.10", "tags": []string{"owner:me"}})
	h.createRecord(map[string]any{"type": "TXT", "name": "nas", "content": "Hello World"})
	h.createRecord(map[string]any{"type": "AAAA", "name": "@", "content": "2001:db8::1", "proxied": true})
	for _, tc := range []struct {
		query string
		want  []string // "TYPE name"
	}{
		{"", []string{"CNAME app.example.com", "A nas.example.com", "TXT nas.example.com", "AAAA example.com"}},
		{"type=A", []string{"A nas.example.com"}},
		{"type=cname", []string{"CNAME app.example.com"}},
		{"name=nas.example.com", []string{"A nas.example.com", "TXT nas.example.com"}},
		{"name.exact=NAS.Example.com", []string{"A nas.example.com", "TXT nas.example.com"}},
		{"name.exact=nas.example.com&type=TXT", []string{"TXT nas.example.com"}},
		{"name.exact=%40", []string{"AAAA example.com"}},
		{"name.exact=nas", nil},
		{"name.startswith=na", []string{"A nas.example.com", "TXT nas.example.com"}},
		{"name.contains=PP", []string{"CNAME app.example.com"}},
		{"content=192.0.2.10", []string{"A nas.example.com"}},
		{"content.exact=hello%20world", []string{"TXT nas.example.com"}},
		{"content.contains=cfargotunnel", []string{"CNAME app.example.com"}},
		{"proxied=true", []string{"CNAME app.example.com", "AAAA example.com"}},
		{"proxied=false", []string{"A nas.example.com", "TXT nas.example.com"}},
		{"comment=homelab%20proxy", []string{"CNAME app.example.com"}},
		{"comment.present=", []string{"CNAME app.example.com"}},
		{"comment.absent=", []string{"A nas.example.com", "TXT nas.example.com", "AAAA example.com"}},
		{"tag=owner:homelab", []string{"CNAME app.example.com"}},
		{"tag.exact=owner:me", []string{"A nas.example.com"}},
		{"tag.present=owner", []string{"CNAME app.example.com", "A nas.example.com"}},
		{"tag.absent=owner", []string{"TXT nas.example.com", "AAAA example.com"}},
		{"tag.exact=owner:me&tag.exact=env:prod&tag_match=any", []string{"CNAME app.example.com", "A nas.example.com"}},
		{"tag.exact=owner:homelab&tag.exact=env:prod", []string{"CNAME app.example.com"}},
		{"type=A&match=any&name=app.example.com", []string{"CNAME app.example.com", "A nas.example.com"}},
		{"order=name&direction=desc", []string{"A nas.example.com", "TXT nas.example.com", "AAAA example.com", "CNAME app.example.com"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h := h.in(t)
			recs, info := h.listRecords(tc.query)
			var got []string
			for _, r := range recs {
				got = append(got, r.Type+" "+r.Name)
			}
			if strings.Contains(tc.query, "order=") {
				// Only the name order is defined; ties keep a stable order.
				got = namesOnly(got)
				tc.want = namesOnly(tc.want)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if info.TotalCount != len(tc.want) || info.Count != len(tc.want) || info.PerPage != 100 || info.Page != 1 {
				t.Errorf("result_info %+v", info)
			}
		})
	}
}

func namesOnly(recs []string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r[strings.Index(r, " ")+1:]
	}
	return out
}

func TestRecordPagination(t *testing.T) {
	h := newHarness(t)
	const n = 250
	for i := range n {
		h.createRecord(map[string]any{"type": "A", "name": fmt.Sprintf("h%03d", i), "content": "192.0.2.1"})
	}
	for _, tc := range []struct {
		query                  string
		page, perPage, count   int
		totalPages, firstIndex int
	}{
		{"", 1, 100, 100, 3, 0},
		{"page=2", 2, 100, 100, 3, 100},
		{"page=3", 3, 100, 50, 3, 200},
		{"page=4", 4, 100, 0, 3, -1},
		{"page=99&per_page=10", 99, 10, 0, 25, -1},
		{"per_page=1000", 1, 1000, 250, 1, 0},
		{"page=2.0&per_page=7", 2, 7, 7, 36, 7},
	} {
		t.Run(tc.query, func(t *testing.T) {
			h := h.in(t)
			var recs []wireRecord
			r := h.ok(http.MethodGet, h.zonePath("/dns_records?"+tc.query), nil, &recs)
			if string(r.env.Result) == "null" || recs == nil {
				t.Fatal("result must be a list, [] past the end")
			}
			want := resultInfo{Page: tc.page, PerPage: tc.perPage, Count: tc.count, TotalCount: n, TotalPages: tc.totalPages}
			if *r.env.ResultInfo != want {
				t.Errorf("result_info %+v, want %+v", *r.env.ResultInfo, want)
			}
			if len(recs) != tc.count {
				t.Fatalf("%d records", len(recs))
			}
			if tc.firstIndex >= 0 && recs[0].Name != fmt.Sprintf("h%03d.example.com", tc.firstIndex) {
				t.Errorf("first record %s", recs[0].Name)
			}
		})
	}
	// Walking pages until an empty one (the v6+ auto-pager) sees every record once.
	seen := map[string]bool{}
	for page := 1; ; page++ {
		recs, _ := h.listRecords(fmt.Sprintf("page=%d&per_page=40", page))
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			if seen[r.ID] {
				t.Fatalf("record %s on two pages", r.ID)
			}
			seen[r.ID] = true
		}
	}
	if len(seen) != n {
		t.Errorf("walked %d records, want %d", len(seen), n)
	}
}

func TestRecordBatch(t *testing.T) {
	h := newHarness(t)
	old := h.createRecord(map[string]any{"type": "A", "name": "old", "content": "192.0.2.1"})
	keep := h.createRecord(map[string]any{"type": "A", "name": "keep", "content": "192.0.2.2", "ttl": 300})
	repl := h.createRecord(map[string]any{"type": "TXT", "name": "repl", "content": "v1"})
	batch := func(body map[string]any) response {
		return h.do(http.MethodPost, h.zonePath("/dns_records/batch"), body)
	}

	var res struct{ Deletes, Patches, Puts, Posts []wireRecord }
	r := batch(map[string]any{
		"deletes": []any{map[string]any{"id": old.ID}},
		"patches": []any{map[string]any{"id": keep.ID, "content": "192.0.2.3"}},
		"puts":    []any{map[string]any{"id": repl.ID, "type": "TXT", "name": "repl", "content": "v2"}},
		// The delete runs first, so a CNAME may take the deleted A's name.
		"posts": []any{map[string]any{"type": "CNAME", "name": "old", "content": "x.example.net"}},
	})
	if r.status != 200 {
		t.Fatalf("batch: %d %+v", r.status, r.env.Errors)
	}
	_ = json.Unmarshal(r.env.Result, &res)
	if len(res.Deletes) != 1 || res.Deletes[0].ID != old.ID ||
		len(res.Patches) != 1 || res.Patches[0].Content != "192.0.2.3" || res.Patches[0].TTL != 300 ||
		len(res.Puts) != 1 || res.Puts[0].Content != "v2" ||
		len(res.Posts) != 1 || res.Posts[0].Name != "old.example.com" || res.Posts[0].Type != "CNAME" {
		t.Fatalf("result %+v", res)
	}

	before := h.s.DNSRecords(h.zone.ID)
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		code   int
	}{
		{"unknown delete", map[string]any{
			"posts":   []any{map[string]any{"type": "A", "name": "new", "content": "192.0.2.9"}},
			"deletes": []any{map[string]any{"id": old.ID}},
		}, 404, 81044},
		{"conflicting post", map[string]any{
			"patches": []any{map[string]any{"id": keep.ID, "content": "192.0.2.4"}},
			"posts":   []any{map[string]any{"type": "A", "name": "old", "content": "192.0.2.9"}},
		}, 400, 81054},
		{"put without id", map[string]any{"puts": []any{map[string]any{"type": "A", "name": "x", "content": "192.0.2.9"}}}, 400, 1004},
		{"patch of record deleted in the batch", map[string]any{
			"deletes": []any{map[string]any{"id": keep.ID}},
			"patches": []any{map[string]any{"id": keep.ID, "content": "192.0.2.4"}},
		}, 404, 81044},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			expectError(t, batch(tc.body), tc.status, tc.code)
			after := h.s.DNSRecords(h.zone.ID)
			if len(after) != len(before) {
				t.Fatalf("a failed batch changed the zone: %d → %d records", len(before), len(after))
			}
			for i := range after {
				if after[i].ID != before[i].ID || after[i].Content != before[i].Content {
					t.Fatalf("a failed batch changed %s", after[i].Name)
				}
			}
		})
	}
}

// TestRecordBatchLimit: a batch of the Free plan's 200 operations goes
// through; one more, in any group, is rejected and changes nothing.
func TestRecordBatchLimit(t *testing.T) {
	h := newHarness(t)
	old := h.createRecord(map[string]any{"type": "A", "name": "old", "content": "192.0.2.1"})
	posts := func(n int, prefix string) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"type": "A", "name": fmt.Sprintf("%s%03d", prefix, i), "content": "192.0.2.2"}
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		body     map[string]any
		rejected bool
		records  int // in the zone afterwards
	}{
		{"one over, with a delete", map[string]any{"deletes": []any{map[string]any{"id": old.ID}}, "posts": posts(batchLimit, "a")}, true, 1},
		{"one over, posts only", map[string]any{"posts": posts(batchLimit+1, "b")}, true, 1},
		{"at the limit", map[string]any{"posts": posts(batchLimit, "c")}, false, 1 + batchLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			r := h.do(http.MethodPost, h.zonePath("/dns_records/batch"), tc.body)
			if tc.rejected {
				expectError(t, r, http.StatusBadRequest, codeDNSValidation)
			} else if r.status != http.StatusOK {
				t.Fatalf("batch at the limit: %d %+v", r.status, r.env.Errors)
			}
			if n := len(h.s.DNSRecords(h.zone.ID)); n != tc.records {
				t.Errorf("%d records in the zone, want %d", n, tc.records)
			}
		})
	}
}

func TestDNSRecordsInspectionIsACopy(t *testing.T) {
	h := newHarness(t)
	h.createRecord(map[string]any{"type": "A", "name": "a", "content": "192.0.2.1", "tags": []string{"x:y"}})
	recs := h.s.DNSRecords(h.zone.ID)
	recs[0].Tags[0] = "changed"
	recs[0].Settings["ipv4_only"] = json.RawMessage("true")
	again := h.s.DNSRecords(h.zone.ID)
	if again[0].Tags[0] != "x:y" || string(again[0].Settings["ipv4_only"]) != "false" {
		t.Errorf("inspection shares state: %+v", again[0])
	}
	if h.s.DNSRecords("nope") != nil {
		t.Error("unknown zone should give nil")
	}
}
