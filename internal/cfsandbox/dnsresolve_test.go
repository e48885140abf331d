package cfsandbox

import (
	"net/url"
	"strings"
	"testing"
)

// TestWildcardRecords follows Cloudflare's documented wildcard rules over
// the wire: a proxied wildcard CNAME next to specific records of the same
// domain, stored and filtered under its literal name, answering for every
// name below its parent that does not exist, and for nothing else.
func TestWildcardRecords(t *testing.T) {
	h := newHarness(t)
	target := h.tunnel.ID + ".cfargotunnel.com"
	wild := h.createRecord(map[string]any{"type": "CNAME", "name": "*.apps", "content": target, "proxied": true})
	if wild.Name != "*.apps.example.com" || !wild.Proxied {
		t.Fatalf("wildcard record = %+v", wild)
	}
	// Specific names of the same domain are other names: no CNAME conflict.
	grafana := h.createRecord(map[string]any{"type": "CNAME", "name": "grafana.apps.example.com", "content": target, "proxied": true})
	txt := h.createRecord(map[string]any{"type": "TXT", "name": "txt.apps.example.com", "content": "hello"})
	apex := h.createRecord(map[string]any{"type": "A", "name": "apps.example.com", "content": "192.0.2.1"})
	// A second CNAME at the wildcard's own name conflicts like any other.
	r := h.do("POST", h.zonePath("/dns_records"), map[string]any{"type": "CNAME", "name": "*.apps.example.com", "content": "other.example.net"})
	if r.status != 400 || len(r.env.Errors) != 1 || r.env.Errors[0].Code != codeCNAMEConflict {
		t.Errorf("second CNAME at the wildcard: %d %+v, want 400/81053", r.status, r.env.Errors)
	}
	// Filters compare the literal name: "*" is no pattern in a filter.
	recs, _ := h.listRecords("name.exact=" + url.QueryEscape("*.apps.example.com"))
	if len(recs) != 1 || recs[0].ID != wild.ID {
		t.Errorf("name.exact filter = %+v, want the wildcard record only", recs)
	}
	recs, _ = h.listRecords("name=" + url.QueryEscape("*.example.com"))
	if len(recs) != 0 {
		t.Errorf("name=*.example.com matched %+v, want nothing", recs)
	}

	for _, tc := range []struct {
		query, typ, want string // want: the answering record's id, "" for none
	}{
		{"jellyfin.apps.example.com", "A", wild.ID},       // covered; a CNAME answers any type
		{"a.b.c.apps.example.com", "AAAA", wild.ID},       // at any depth
		{"JELLYFIN.apps.example.com.", "CNAME", wild.ID},  // names compare case-insensitively
		{"grafana.apps.example.com", "A", grafana.ID},     // a specific record takes precedence
		{"x.grafana.apps.example.com", "A", ""},           // so do the names below it
		{"txt.apps.example.com", "A", ""},                 // an existing name of another type is not covered
		{"apps.example.com", "A", apex.ID},                // the parent is never covered
		{"apps.example.com", "CNAME", ""},                 // (its A record answers only A)
		{"*.apps.example.com", "TXT", wild.ID},            // the wildcard's own name is an ordinary name
		{"other.example.com", "A", ""},                    // outside the wildcard's domain
		{"jellyfin.apps.example.org", "A", ""},            // outside the zone
		{"txt.apps.example.com", "TXT", txt.ID},           // the TXT record itself
		{"deep.x.grafana.apps.example.com", "CNAME", ""},  // below an existing name, at any depth
		{"jellyfin.apps.example.com", "MX", wild.ID},      // (CNAME for every type)
		{"sub.jellyfin.apps.example.com", "TXT", wild.ID}, // no name in between exists
		{"a.txt.apps.example.com", "TXT", ""},             // txt exists, so its children need *.txt
		{"literal.*.apps.example.com", "CNAME", ""},       // below the wildcard's own name: that would need *.*.apps
		{"xapps.example.com", "A", ""},                    // a look-alike name, not below apps
		{"jellyfin.apps.example.com", "TXT", wild.ID},     // (once more, another type)
	} {
		got := h.s.Resolve(h.zone.ID, tc.query, tc.typ)
		ids := []string{}
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		want := []string{}
		if tc.want != "" {
			want = []string{tc.want}
		}
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("Resolve(%s, %s) = %v, want %v", tc.query, tc.typ, ids, want)
		}
	}

	// Below a wildcard of its own, a deeper name is answered by the nearer wildcard.
	deep := h.createRecord(map[string]any{"type": "CNAME", "name": "*.eu.apps", "content": "eu.example.net"})
	if got := h.s.Resolve(h.zone.ID, "db.eu.apps.example.com", "A"); len(got) != 1 || got[0].ID != deep.ID {
		t.Errorf("Resolve(db.eu.apps) = %+v, want the *.eu.apps record", got)
	}
	if got := h.s.Resolve(h.zone.ID, "eu.apps.example.com", "A"); len(got) != 0 {
		t.Errorf("eu.apps exists now (an empty non-terminal) and is not covered; got %+v", got)
	}
	h.ok("DELETE", h.zonePath("/dns_records/"+wild.ID), nil, nil)
	if got := h.s.Resolve(h.zone.ID, "jellyfin.apps.example.com", "A"); len(got) != 0 {
		t.Errorf("after deleting the wildcard: %+v", got)
	}
}
