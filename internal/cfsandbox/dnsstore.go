package cfsandbox

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// recordSet is a zone's records, indexed by id and by name.
type recordSet struct {
	byID   map[string]*record
	byName map[string]map[string]*record
}

func newRecordSet() *recordSet {
	return &recordSet{byID: map[string]*record{}, byName: map[string]map[string]*record{}}
}

// clone copies the indexes; the records themselves are immutable and shared.
func (rs *recordSet) clone() *recordSet {
	c := &recordSet{byID: maps.Clone(rs.byID), byName: make(map[string]map[string]*record, len(rs.byName))}
	for name, m := range rs.byName {
		c.byName[name] = maps.Clone(m)
	}
	return c
}

func (rs *recordSet) put(r *record) {
	if old := rs.byID[r.id]; old != nil {
		rs.unindex(old)
	}
	rs.byID[r.id] = r
	if rs.byName[r.name] == nil {
		rs.byName[r.name] = map[string]*record{}
	}
	rs.byName[r.name][r.id] = r
}

func (rs *recordSet) remove(id string) *record {
	r := rs.byID[id]
	if r != nil {
		delete(rs.byID, id)
		rs.unindex(r)
	}
	return r
}

func (rs *recordSet) unindex(r *record) {
	if m := rs.byName[r.name]; m != nil {
		delete(m, r.id)
		if len(m) == 0 {
			delete(rs.byName, r.name)
		}
	}
}

// sorted returns the records in creation order.
func (rs *recordSet) sorted() []*record {
	out := slices.Collect(maps.Values(rs.byID))
	slices.SortFunc(out, func(a, b *record) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// sameContent compares content the way the API does: IP addresses by value,
// host names case-insensitively, everything else exactly.
func sameContent(a, b *record) bool {
	if a.typ == "A" || a.typ == "AAAA" {
		x, err1 := netip.ParseAddr(a.content)
		y, err2 := netip.ParseAddr(b.content)
		if err1 == nil && err2 == nil {
			return x == y
		}
	}
	if hostnameContent[a.typ] {
		if !strings.EqualFold(a.content, b.content) {
			return false
		}
	} else if a.content != b.content {
		return false
	}
	samePriority := (a.priority == nil) == (b.priority == nil) && (a.priority == nil || *a.priority == *b.priority)
	return samePriority && string(a.data) == string(b.data)
}

// conflict checks r against the other records at its name: identical
// records first, then CNAME exclusivity, then NS delegation. Records are
// visited in creation order so that the answer is deterministic.
func (rs *recordSet) conflict(r *record, apex string) error {
	others := slices.SortedFunc(maps.Values(rs.byName[r.name]), func(a, b *record) int { return cmp.Compare(a.seq, b.seq) })
	others = slices.DeleteFunc(others, func(o *record) bool { return o.id == r.id })
	for _, o := range others {
		if o.typ == r.typ && sameContent(o, r) {
			if o.proxied == r.proxied && o.ttl == r.ttl {
				return errDNS(codeIdentical, "An identical record already exists.")
			}
			return errDNS(codeRecordExists, "Record already exists.")
		}
	}
	for _, o := range others {
		switch {
		case r.typ == "CNAME" && (o.typ == "A" || o.typ == "AAAA" || o.typ == "CNAME"):
			return errDNS(codeCNAMEConflict, "An A, AAAA, or CNAME record with that host already exists."+sameNameDoc)
		case (r.typ == "A" || r.typ == "AAAA") && o.typ == "CNAME":
			return errDNS(codeHasCNAME, "A CNAME record with that host already exists."+sameNameDoc)
		case r.name != apex && o.typ == "NS" && r.typ != "NS":
			return errDNS(codeHasNS, "NS records with that host already exist.")
		}
	}
	return nil
}

// Record operations work on a given set, the zone's or a batch's copy.

func (z *zone) createRecord(rs *recordSet, in fields, seq uint64, t time.Time) (*record, error) {
	r, err := z.recordInput(&record{id: newHexID(), created: t, seq: seq}, in, true, t)
	if err != nil {
		return nil, err
	}
	if err := rs.conflict(r, z.name); err != nil {
		return nil, err
	}
	rs.put(r)
	return r, nil
}

func (z *zone) updateRecord(rs *recordSet, id string, in fields, replace bool, t time.Time) (*record, error) {
	old := rs.byID[id]
	if old == nil {
		return nil, errNoRecord()
	}
	r, err := z.recordInput(old, in, replace, t)
	if err != nil {
		return nil, err
	}
	if err := rs.conflict(r, z.name); err != nil {
		return nil, err
	}
	if sameRecord(r, old) {
		// A write that changes nothing leaves modified_on where it was, as
		// the API does: clients compare it to tell a change.
		r.modified = old.modified
	}
	rs.put(r)
	return r, nil
}

// sameRecord reports whether two versions of a record differ in nothing a
// client can set.
func sameRecord(a, b *record) bool {
	samePriority := (a.priority == nil) == (b.priority == nil) && (a.priority == nil || *a.priority == *b.priority)
	return a.typ == b.typ && a.name == b.name && a.content == b.content && a.proxied == b.proxied &&
		a.ttl == b.ttl && a.privateRouting == b.privateRouting && samePriority &&
		string(a.data) == string(b.data) && maps.EqualFunc(a.settings, b.settings, func(x, y json.RawMessage) bool { return string(x) == string(y) }) &&
		equalPtr(a.comment, b.comment) && slices.Equal(a.tags, b.tags)
}

func deleteRecord(rs *recordSet, id string) (*record, error) {
	if r := rs.remove(id); r != nil {
		return r, nil
	}
	return nil, errNoRecord()
}
