package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v7/dns"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare/gather"
)

// Coalesced DNS record writes.
//
// CreateCNAME and DeleteDNSRecord queue the operation on its zone's
// gatherer (package gather), which waits for the callers that announced one
// (BeginChange, change.go) or a bounded window, so that the
// records of resources applied or destroyed together go out in one
// POST /zones/{zone_id}/dns_records/batch. The API applies a batch all or
// nothing and answers with the first error, so a rejected batch is sent
// again one operation at a time and only the operation at fault fails,
// with its own error. A batch whose outcome is unknown fails every caller
// in it and drops the zone's cached listing, so the next apply adopts what
// was created.

// dnsBatchLimit is the most operations one batch may carry on every plan:
// 200 on Free, 3,500 on Pro and above (Cloudflare's "Batch record changes",
// developers.cloudflare.com/dns/manage-dns-records/how-to/batch-record-changes/).
const dnsBatchLimit = 200

type (
	dnsCreateCall = gather.Call[CNAME, DNSRecord]
	dnsDeleteCall = gather.Call[string, struct{}]
)

func (c *Client) dnsCreateBatch(zoneID string) *gather.Gatherer[CNAME, DNSRecord] {
	return c.dnsCreates.Get(zoneID, func() *gather.Gatherer[CNAME, DNSRecord] {
		return gather.New(c.gatherWindow, dnsBatchLimit, func(ctx context.Context, batch []*dnsCreateCall) {
			sendBatch(batch,
				func(r CNAME) (DNSRecord, error) { return c.createCNAME(ctx, zoneID, r) },
				func(rs []CNAME) ([]DNSRecord, error) { return c.postRecords(ctx, zoneID, rs) },
				rejected)
		})
	})
}

func (c *Client) dnsDeleteBatch(zoneID string) *gather.Gatherer[string, struct{}] {
	return c.dnsDeletes.Get(zoneID, func() *gather.Gatherer[string, struct{}] {
		return gather.New(c.gatherWindow, dnsBatchLimit, func(ctx context.Context, batch []*dnsDeleteCall) {
			sendBatch(batch,
				func(id string) (struct{}, error) { return struct{}{}, c.deleteRecord(ctx, zoneID, id) },
				func(ids []string) ([]struct{}, error) { return c.deleteRecords(ctx, zoneID, ids) },
				// A record already gone fails the batch but not its caller.
				func(err error) bool { return rejected(err) || IsNotFound(err) })
		})
	})
}

// sendBatch sends a batch with one request (all), or with the plain
// endpoint (each) when it holds one call. A batch rejected as a whole
// (retryEach) is sent again one call at a time so that only the call at
// fault fails; any other failure fails every call in the batch.
func sendBatch[In, Out any](batch []*gather.Call[In, Out], each func(In) (Out, error), all func([]In) ([]Out, error), retryEach func(error) bool) {
	if len(batch) == 1 {
		batch[0].Finish(each(batch[0].In))
		return
	}
	ins := make([]In, len(batch))
	for i, call := range batch {
		ins[i] = call.In
	}
	outs, err := all(ins)
	for i, call := range batch {
		switch {
		case err == nil:
			call.Finish(outs[i], nil)
		case retryEach(err):
			call.Finish(each(call.In))
		default:
			var zero Out
			call.Finish(zero, err)
		}
	}
}

type dnsBatchID struct {
	ID string `json:"id"`
}

type dnsBatchBody struct {
	Deletes []dnsBatchID           `json:"deletes,omitempty"`
	Posts   []dns.CNAMERecordParam `json:"posts,omitempty"`
}

// dnsBatchResult holds the records each group touched, in request order.
type dnsBatchResult struct {
	Deletes []recordJSON `json:"deletes"`
	Posts   []recordJSON `json:"posts"`
}

func (c *Client) batchRecords(ctx context.Context, zoneID string, body dnsBatchBody) (dnsBatchResult, error) {
	var env envelope[dnsBatchResult]
	err := wrap(c.sdk.Execute(ctx, http.MethodPost, zoneRecordsPath(zoneID)+"/batch", body, &env))
	if err == nil && (len(env.Result.Deletes) != len(body.Deletes) || len(env.Result.Posts) != len(body.Posts)) {
		// Not an API error: the listing is dropped.
		err = fmt.Errorf("the DNS batch answered %d deletes and %d creations for %d and %d",
			len(env.Result.Deletes), len(env.Result.Posts), len(body.Deletes), len(body.Posts))
	}
	if err != nil {
		// The batch as a whole addressed no one record.
		c.cache.zone(zoneID).wrote("", nil, err)
	}
	return env.Result, err
}

// postRecords creates records with one batch request.
func (c *Client) postRecords(ctx context.Context, zoneID string, rs []CNAME) ([]DNSRecord, error) {
	body := dnsBatchBody{Posts: make([]dns.CNAMERecordParam, len(rs))}
	for i, r := range rs {
		body.Posts[i] = r.param()
	}
	res, err := c.batchRecords(ctx, zoneID, body)
	if err != nil {
		return nil, err
	}
	out := make([]DNSRecord, len(res.Posts))
	for i := range res.Posts {
		out[i] = res.Posts[i].record(zoneID)
		c.cache.zone(zoneID).wrote(out[i].ID, &out[i], nil)
	}
	return out, nil
}

// deleteRecords deletes records with one batch request.
func (c *Client) deleteRecords(ctx context.Context, zoneID string, ids []string) ([]struct{}, error) {
	body := dnsBatchBody{Deletes: make([]dnsBatchID, len(ids))}
	for i, id := range ids {
		body.Deletes[i] = dnsBatchID{ID: id}
	}
	if _, err := c.batchRecords(ctx, zoneID, body); err != nil {
		return nil, err
	}
	for _, id := range ids {
		c.cache.zone(zoneID).wrote(id, nil, nil)
	}
	return make([]struct{}, len(ids)), nil
}

// createCNAME creates one record with the plain endpoint.
func (c *Client) createCNAME(ctx context.Context, zoneID string, r CNAME) (DNSRecord, error) {
	var env recordEnvelope
	err := c.sdk.Execute(ctx, http.MethodPost, zoneRecordsPath(zoneID), r.param(), &env)
	return c.recordWritten(zoneID, "", &env.Result, err)
}

// deleteRecord deletes one record with the plain endpoint; a record
// already gone is not an error.
func (c *Client) deleteRecord(ctx context.Context, zoneID, id string) error {
	err := wrap(c.sdk.Execute(ctx, http.MethodDelete, zoneRecordsPath(zoneID)+"/"+url.PathEscape(id), nil, nil))
	c.cache.zone(zoneID).wrote(id, nil, err)
	if IsNotFound(err) {
		return nil
	}
	return err
}

func zoneRecordsPath(zoneID string) string { return "zones/" + url.PathEscape(zoneID) + "/dns_records" }
