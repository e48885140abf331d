package cfsandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
)

func (s *Server) listRecords(c *call) (reply, error) {
	z, err := s.zone(c)
	if err != nil {
		return reply{}, err
	}
	keep := recordFilter(c.query, z.name)
	var recs []*record
	for _, r := range z.records.candidates(c.query, z.name) {
		if keep(r) {
			recs = append(recs, r)
		}
	}
	sortRecords(recs, c.query.Get("order"), c.query.Get("direction"))
	page, info := paginate(recs, c.query, dnsPages)
	out := make([]DNSRecord, len(page))
	for i, r := range page {
		out[i] = r.export(z)
	}
	return reply{result: out, info: info}, nil
}

// candidates narrows a listing through the name index when the query asks
// for one exact name, the common "does this hostname exist" lookup.
func (rs *recordSet) candidates(q url.Values, zoneName string) []*record {
	if q["match"] == nil || q["match"][0] != "any" {
		for _, key := range []string{"name.exact", "name"} {
			if v := q[key]; len(v) > 0 {
				return slices.Collect(maps.Values(rs.byName[filterName(v[0], zoneName)]))
			}
		}
	}
	return slices.Collect(maps.Values(rs.byID))
}

func (s *Server) createRecord(c *call) (reply, error) {
	z, err := s.zone(c)
	if err != nil {
		return reply{}, err
	}
	in, err := parseRecordFields(c.body)
	if err != nil {
		return reply{}, err
	}
	r, err := z.createRecord(z.records, in, s.nextSeq(), c.now)
	if err != nil {
		return reply{}, err
	}
	return ok(r.export(z))
}

func (s *Server) getRecord(c *call) (reply, error) {
	z, err := s.zone(c)
	if err != nil {
		return reply{}, err
	}
	r := z.records.byID[c.params["dns_record_id"]]
	if r == nil {
		return reply{}, errNoRecord()
	}
	return ok(r.export(z))
}

func (s *Server) putRecord(c *call) (reply, error)   { return s.updateRecord(c, true) }
func (s *Server) patchRecord(c *call) (reply, error) { return s.updateRecord(c, false) }

func (s *Server) updateRecord(c *call, replace bool) (reply, error) {
	z, err := s.zone(c)
	if err != nil {
		return reply{}, err
	}
	in, err := parseRecordFields(c.body)
	if err != nil {
		return reply{}, err
	}
	r, err := z.updateRecord(z.records, c.params["dns_record_id"], in, replace, c.now)
	if err != nil {
		return reply{}, err
	}
	return ok(r.export(z))
}

func (s *Server) deleteRecord(c *call) (reply, error) {
	z, err := s.zone(c)
	if err != nil {
		return reply{}, err
	}
	r, err := deleteRecord(z.records, c.params["dns_record_id"])
	if err != nil {
		return reply{}, err
	}
	return ok(map[string]string{"id": r.id})
}

// batchResult is the batch endpoint's result: the records each group touched.
type batchResult struct {
	Deletes []DNSRecord `json:"deletes"`
	Patches []DNSRecord `json:"patches"`
	Puts    []DNSRecord `json:"puts"`
	Posts   []DNSRecord `json:"posts"`
}

// batchLimit is the most operations one batch may carry on the Free plan
// that the sandbox's zones report (Pro and above: 3,500), per Cloudflare's
// "Batch record changes" page,
// developers.cloudflare.com/dns/manage-dns-records/how-to/batch-record-changes/.
const batchLimit = 200

// batchRecords applies deletes, patches, puts and posts, in that order, to a
// copy of the zone's records and keeps the copy only if all succeed. The
// first failure is answered as the single operation would have been, as the
// same page documents ("no changes are applied and the API returns the
// first error it encountered"). The error for a batch over the limit is
// unconfirmed: a validation error here.
func (s *Server) batchRecords(c *call) (reply, error) {
	z, err := s.zone(c)
	if err != nil {
		return reply{}, err
	}
	var body struct {
		Deletes []fields `json:"deletes"`
		Patches []fields `json:"patches"`
		Puts    []fields `json:"puts"`
		Posts   []fields `json:"posts"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return reply{}, errDNS(codeDNSValidation, "Malformed JSON in request body")
	}
	if n := len(body.Deletes) + len(body.Patches) + len(body.Puts) + len(body.Posts); n > batchLimit {
		return reply{}, errDNS(codeDNSValidation, fmt.Sprintf("DNS Validation Error: a batch may hold at most %d operations on this plan, got %d.", batchLimit, n))
	}
	rs := z.records.clone()
	res := batchResult{Deletes: []DNSRecord{}, Patches: []DNSRecord{}, Puts: []DNSRecord{}, Posts: []DNSRecord{}}
	for i, in := range body.Deletes {
		id, err := batchID(in, "deletes", i)
		if err != nil {
			return reply{}, err
		}
		r, err := deleteRecord(rs, id)
		if err != nil {
			return reply{}, err
		}
		res.Deletes = append(res.Deletes, r.export(z))
	}
	for _, group := range []struct {
		name    string
		items   []fields
		replace bool
		out     *[]DNSRecord
	}{{"patches", body.Patches, false, &res.Patches}, {"puts", body.Puts, true, &res.Puts}} {
		for i, in := range group.items {
			id, err := batchID(in, group.name, i)
			if err != nil {
				return reply{}, err
			}
			r, err := z.updateRecord(rs, id, in, group.replace, c.now)
			if err != nil {
				return reply{}, err
			}
			*group.out = append(*group.out, r.export(z))
		}
	}
	for _, in := range body.Posts {
		r, err := z.createRecord(rs, in, s.nextSeq(), c.now)
		if err != nil {
			return reply{}, err
		}
		res.Posts = append(res.Posts, r.export(z))
	}
	z.records = rs
	return ok(res)
}

func batchID(in fields, group string, i int) (string, error) {
	var id string
	if err := json.Unmarshal(in["id"], &id); err != nil || id == "" {
		return "", newError(http.StatusBadRequest, codeDNSValidation, fmt.Sprintf("DNS Validation Error: %s[%d] needs an id.", group, i))
	}
	return id, nil
}
