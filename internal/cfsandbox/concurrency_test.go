package cfsandbox

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

func TestConcurrentRecordCreation(t *testing.T) {
	h := newHarness(t)
	const workers, perWorker = 20, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			h := h.in(t)
			for i := range perWorker {
				r := h.do(http.MethodPost, h.zonePath("/dns_records"), map[string]any{
					"type": "A", "name": fmt.Sprintf("w%d-r%d", w, i), "content": "192.0.2.1",
				})
				if r.status != 200 {
					t.Errorf("create: %d %+v", r.status, r.env.Errors)
					return
				}
				h.do(http.MethodGet, h.zonePath("/dns_records?per_page=50"), nil)
			}
		})
	}
	// Racing creators of one CNAME: exactly one wins, the rest get 81053.
	var wins, conflicts atomic.Int32
	for range 10 {
		wg.Go(func() {
			h := h.in(t)
			r := h.do(http.MethodPost, h.zonePath("/dns_records"), map[string]any{
				"type": "CNAME", "name": "race", "content": "x.example.net", "proxied": true,
			})
			switch {
			case r.status == 200:
				wins.Add(1)
			case len(r.env.Errors) == 1 && r.env.Errors[0].Code == 81058:
				conflicts.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != 9 {
		t.Errorf("racing CNAME: %d wins, %d identical-record errors", wins.Load(), conflicts.Load())
	}
	recs := h.s.DNSRecords(h.zone.ID)
	if len(recs) != workers*perWorker+1 {
		t.Fatalf("%d records, want %d", len(recs), workers*perWorker+1)
	}
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r.ID] = true
	}
	if len(ids) != len(recs) {
		t.Error("duplicate record ids")
	}
	if got := h.s.Counts()["POST /zones/{zone_id}/dns_records"]; got != workers*perWorker+10 {
		t.Errorf("counted %d creates", got)
	}
}

// TestManyRequests keeps the common lookups cheap: 500 records, then a
// name lookup for each and full listings.
func TestManyRequests(t *testing.T) {
	h := newHarness(t)
	z := h.s.zones[h.zone.ID]
	for i := range 500 {
		h.s.mu.Lock()
		_, err := z.createRecord(z.records, fields{
			"type": []byte(`"CNAME"`), "name": []byte(fmt.Sprintf(`"app%d"`, i)), "content": []byte(`"t.cfargotunnel.com"`),
		}, h.s.nextSeq(), now())
		h.s.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 500 {
		recs, info := h.listRecords(fmt.Sprintf("type=CNAME&name.exact=app%d.example.com", i))
		if len(recs) != 1 || info.TotalCount != 1 {
			t.Fatalf("lookup %d: %d records", i, len(recs))
		}
	}
	for page := 1; page <= 6; page++ {
		recs, info := h.listRecords(fmt.Sprintf("page=%d", page))
		if info.TotalPages != 5 || (page <= 5 && len(recs) != 100) || (page == 6 && len(recs) != 0) {
			t.Fatalf("page %d: %d records, %+v", page, len(recs), info)
		}
	}
}
