package cfsandbox

import (
	"math"
	"net/url"
	"strconv"
)

// pageLimits are an endpoint's per_page default and bounds.
type pageLimits struct{ def, min, max int }

var (
	dnsPages    = pageLimits{def: 100, min: 1, max: 5_000_000}
	zonePages   = pageLimits{def: 20, min: 5, max: 50}
	tunnelPages = pageLimits{def: 20, min: 1, max: 1000}   // default 20 is unconfirmed
	accessPages = pageLimits{def: 1000, min: 1, max: 1000} // unconfirmed: limits are not documented
)

// pageParams reads page (default 1) and per_page. Out-of-range or malformed
// values are clamped or defaulted rather than rejected: the real API may
// answer 400 for some of them (unconfirmed), and clients never rely on that.
func pageParams(q url.Values, lim pageLimits) (page, perPage int) {
	page = queryInt(q, "page", 1)
	if page < 1 {
		page = 1
	}
	perPage = min(max(queryInt(q, "per_page", lim.def), lim.min), lim.max)
	return page, perPage
}

// queryInt accepts integers written as floats too ("2", "2.0"): the v6+ SDKs
// declare page parameters as float64.
func queryInt(q url.Values, key string, def int) int {
	v := q.Get(key)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return def
	}
	return int(f)
}

// paginate returns one page of items and its result_info. A page past the end
// is an empty (non-nil) slice: auto-pagers stop on an empty page.
func paginate[T any](items []T, q url.Values, lim pageLimits) ([]T, *resultInfo) {
	page, perPage := pageParams(q, lim)
	total := len(items)
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	out := make([]T, 0, end-start)
	out = append(out, items[start:end]...)
	return out, &resultInfo{
		Page:       page,
		PerPage:    perPage,
		Count:      len(out),
		TotalCount: total,
		TotalPages: (total + perPage - 1) / perPage,
	}
}

// listReply is the reply for a paginated collection.
func listReply[T any](items []T, q url.Values, lim pageLimits) (reply, error) {
	page, info := paginate(items, q, lim)
	return reply{result: page, info: info}, nil
}
