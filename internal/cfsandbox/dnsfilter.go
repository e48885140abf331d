package cfsandbox

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

type recordPred func(*record) bool

// recordFilter builds the list filter from the query: type, name (legacy
// exact) and name.exact/contains/startswith/endswith, content likewise,
// proxied, comment and tag with their operators. String filters are
// case-insensitive. match=any ORs the filters (default all); tag_match
// combines the tag filters among themselves before that.
func recordFilter(q url.Values, zoneName string) recordPred {
	var preds []recordPred
	if v := q.Get("type"); v != "" {
		preds = append(preds, func(r *record) bool { return strings.EqualFold(r.typ, v) })
	}
	if v := q.Get("proxied"); v != "" {
		want := v == "true"
		preds = append(preds, func(r *record) bool { return r.proxied == want })
	}
	name := func(r *record) (string, bool) { return r.name, true }
	content := func(r *record) (string, bool) { return r.content, true }
	comment := func(r *record) (string, bool) { return deref(r.comment), r.comment != nil }
	preds = append(preds, textPreds(q, "name", name, func(v string) string { return filterName(v, zoneName) })...)
	preds = append(preds, textPreds(q, "content", content, strings.ToLower)...)
	preds = append(preds, textPreds(q, "comment", comment, strings.ToLower)...)
	if tp := tagPreds(q); len(tp) > 0 {
		preds = append(preds, combine(tp, q.Get("tag_match") == "any"))
	}
	return combine(preds, q.Get("match") == "any")
}

func combine(preds []recordPred, any bool) recordPred {
	return func(r *record) bool {
		if len(preds) == 0 {
			return true
		}
		for _, p := range preds {
			if p(r) == any {
				return any
			}
		}
		return !any
	}
}

// textPreds handles <field>, <field>.exact, .contains, .startswith,
// .endswith, and for optional fields .present and .absent.
func textPreds(q url.Values, field string, get func(*record) (string, bool), norm func(string) string) []recordPred {
	var preds []recordPred
	ops := map[string]func(have, want string) bool{
		"":            func(h, w string) bool { return h == w },
		".exact":      func(h, w string) bool { return h == w },
		".contains":   strings.Contains,
		".startswith": strings.HasPrefix,
		".endswith":   strings.HasSuffix,
	}
	for suffix, op := range ops {
		for _, v := range q[field+suffix] {
			want := norm(v)
			preds = append(preds, func(r *record) bool {
				have, _ := get(r)
				return op(strings.ToLower(have), want)
			})
		}
	}
	if q.Has(field + ".present") {
		preds = append(preds, func(r *record) bool { _, ok := get(r); return ok })
	}
	if q.Has(field + ".absent") {
		preds = append(preds, func(r *record) bool { _, ok := get(r); return !ok })
	}
	return preds
}

// tagPreds handles tag filters. Tags are "name:value"; tag.present and
// tag.absent take a tag name, tag.exact a "name:value" pair, and the
// substring operators "name:part". A legacy tag= is tag.exact when it holds
// a colon and tag.present otherwise.
func tagPreds(q url.Values) []recordPred {
	ops := map[string]func(value, want string, wantHasValue bool) bool{
		"tag":            func(v, w string, hv bool) bool { return !hv || v == w },
		"tag.exact":      func(v, w string, _ bool) bool { return v == w },
		"tag.present":    func(string, string, bool) bool { return true },
		"tag.absent":     func(string, string, bool) bool { return true },
		"tag.contains":   func(v, w string, _ bool) bool { return strings.Contains(v, w) },
		"tag.startswith": func(v, w string, _ bool) bool { return strings.HasPrefix(v, w) },
		"tag.endswith":   func(v, w string, _ bool) bool { return strings.HasSuffix(v, w) },
	}
	var preds []recordPred
	for key, op := range ops {
		for _, v := range q[key] {
			wantName, wantValue, hasValue := strings.Cut(strings.ToLower(v), ":")
			negate := key == "tag.absent"
			preds = append(preds, func(r *record) bool {
				found := slices.ContainsFunc(r.tags, func(t string) bool {
					n, val, _ := strings.Cut(strings.ToLower(t), ":")
					return n == wantName && op(val, wantValue, hasValue)
				})
				return found != negate
			})
		}
	}
	return preds
}

// sortRecords applies order (type, name, content, ttl, proxied) and
// direction; without order, records keep creation order, which keeps pages
// stable while a client walks them.
func sortRecords(recs []*record, order, direction string) {
	key := map[string]func(a, b *record) int{
		"type":    func(a, b *record) int { return strings.Compare(a.typ, b.typ) },
		"name":    func(a, b *record) int { return strings.Compare(a.name, b.name) },
		"content": func(a, b *record) int { return strings.Compare(a.content, b.content) },
		"ttl":     func(a, b *record) int { return cmp.Compare(a.ttl, b.ttl) },
		"proxied": func(a, b *record) int { return cmp.Compare(boolInt(a.proxied), boolInt(b.proxied)) },
	}[order]
	slices.SortStableFunc(recs, func(a, b *record) int {
		c := 0
		if key != nil {
			c = key(a, b)
		}
		if c == 0 {
			c = cmp.Compare(a.seq, b.seq)
		}
		if direction == "desc" {
			c = -c
		}
		return c
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
