package cfsandbox

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// Wildcard records, as Cloudflare documents them
// (developers.cloudflare.com/dns/manage-dns-records/reference/wildcard-dns-records,
// after RFC 4592):
//   - a record named "*" or "*.<name>" is a wildcard; only a leftmost "*"
//     label is one: in "a.*.example.com" or the second label of
//     "*.*.example.com" the asterisk is a literal character;
//   - a wildcard answers for every name below its parent, at any depth,
//     but never for the parent itself (the zone apex for "*");
//   - a name that exists, with records of its own or with records below it,
//     is not covered: a specific record takes precedence, and so do the
//     names below it (they would need a wildcard of their own);
//   - a wildcard answers only for its own type (a CNAME for every type, as
//     any CNAME does); wildcard records may be proxied on every plan.
// Records are stored and listed under their literal names ("*.apps.example.com"),
// and name filters compare literally; Resolve shows which record a DNS query
// would be answered from, for tests.

// Resolve returns the records that answer a DNS query for name and type in
// the zone: the records at the name itself, or those of the wildcard that
// covers it, as the API shows them (named as stored, so a wildcard answer
// has the wildcard's name). A CNAME answers any type. Nil when nothing
// answers or the zone is unknown.
func (s *Server) Resolve(zoneID, name, typ string) []DNSRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	z := s.zones[zoneID]
	if z == nil {
		return nil
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if ascii, err := toASCII(name); err == nil {
		name = ascii
	}
	if name != z.name && !strings.HasSuffix(name, "."+z.name) {
		return nil
	}
	var out []DNSRecord
	for _, r := range z.records.resolve(name, z.name, strings.ToUpper(typ)) {
		out = append(out, r.export(z))
	}
	return out
}

// resolve is Resolve on a record set.
func (rs *recordSet) resolve(name, apex, typ string) []*record {
	answer := func(owner string) []*record {
		recs := slices.SortedFunc(maps.Values(rs.byName[owner]), func(a, b *record) int { return cmp.Compare(a.seq, b.seq) })
		return slices.DeleteFunc(recs, func(r *record) bool { return r.typ != typ && r.typ != "CNAME" })
	}
	if rs.exists(name) {
		return answer(name)
	}
	// The closest encloser is the nearest existing ancestor; the apex
	// always exists. Only its wildcard can answer.
	for parent := name; parent != apex; {
		parent = parent[strings.IndexByte(parent, '.')+1:]
		if parent == apex || rs.exists(parent) {
			return answer("*." + parent)
		}
	}
	return nil
}

// exists reports a name with records, or with records below it (an empty
// non-terminal).
func (rs *recordSet) exists(name string) bool {
	if len(rs.byName[name]) > 0 {
		return true
	}
	suffix := "." + name
	for owner := range rs.byName {
		if strings.HasSuffix(owner, suffix) {
			return true
		}
	}
	return false
}
