package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v7/dns"
)

// Coalesced DNS record creations.
//
// CreateCNAME queues the record on its zone's gatherer (gather.go), which
// waits for the callers that announced one (ExpectDNSCreate) or a bounded
// window, so that the records of resources applied together go out in one
// POST /zones/{zone_id}/dns_records/batch. The API applies a batch all or
// nothing and answers with the first error, so a rejected batch is sent
// again one record at a time and only the record at fault fails, with its
// own error. A batch whose outcome is unknown fails every caller in it and
// drops the zone's cached listing, so the next apply adopts what was
// created.

// dnsBatchLimit is the most operations one batch may carry on every plan:
// 200 on Free, 3,500 on Pro and above (Cloudflare's "Batch record changes",
// developers.cloudflare.com/dns/manage-dns-records/how-to/batch-record-changes/).
const dnsBatchLimit = 200

type dnsCreateCall = batchCall[CNAME, DNSRecord]

func (c *Client) dnsCreateBatch(zoneID string) *gatherer[CNAME, DNSRecord] {
	return c.dnsCreates.get(zoneID, func() *gatherer[CNAME, DNSRecord] {
		return newGatherer(c.gatherWindow, dnsBatchLimit, func(ctx context.Context, batch []*dnsCreateCall) { c.createRecords(ctx, zoneID, batch) })
	})
}

// ExpectDNSCreate announces that the caller is on its way to a CreateCNAME
// in this zone, so a batch waits for it instead of going out without it.
// release must be called when the caller's create has returned or will not
// happen; calling it again does nothing.
func (c *Client) ExpectDNSCreate(zoneID string) (release func()) {
	return c.dnsCreateBatch(zoneID).expect()
}

type dnsBatchBody struct {
	Posts []dns.CNAMERecordParam `json:"posts"`
}

type dnsBatchResult struct {
	Posts []dns.RecordResponse `json:"posts"`
}

// createRecords creates a batch of records with one request.
func (c *Client) createRecords(ctx context.Context, zoneID string, batch []*dnsCreateCall) {
	if len(batch) == 1 {
		batch[0].finish(c.createCNAME(ctx, zoneID, batch[0].in))
		return
	}
	body := dnsBatchBody{Posts: make([]dns.CNAMERecordParam, len(batch))}
	for i, call := range batch {
		body.Posts[i] = call.in.param()
	}
	var env envelope[dnsBatchResult]
	err := wrap(c.sdk.Execute(ctx, http.MethodPost, zoneRecordsPath(zoneID)+"/batch", body, &env))
	if err == nil && len(env.Result.Posts) != len(batch) {
		// Not an API error: afterWrite drops the listing.
		err = fmt.Errorf("the DNS batch answered %d records for %d creations", len(env.Result.Posts), len(batch))
	}
	switch {
	case err == nil:
		for i, call := range batch {
			call.finish(c.recordWritten(zoneID, &env.Result.Posts[i], nil))
		}
	case rejected(err):
		// Nothing was created; find the record at fault.
		for _, call := range batch {
			call.finish(c.createCNAME(ctx, zoneID, call.in))
		}
	default:
		afterWrite(c.cache.zone(zoneID), err)
		for _, call := range batch {
			call.finish(DNSRecord{}, err)
		}
	}
}

// createCNAME creates one record with the plain endpoint.
func (c *Client) createCNAME(ctx context.Context, zoneID string, r CNAME) (DNSRecord, error) {
	var env envelope[dns.RecordResponse]
	err := c.sdk.Execute(ctx, http.MethodPost, zoneRecordsPath(zoneID), r.param(), &env)
	return c.recordWritten(zoneID, &env.Result, err)
}

func zoneRecordsPath(zoneID string) string { return "zones/" + url.PathEscape(zoneID) + "/dns_records" }
