package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare/gather"
)

// Coalesced tunnel writes.
//
// A tunnel's public hostnames live in one document that the API only
// replaces whole. UpdateTunnelConfig queues the caller's mutation on the
// tunnel's gatherer (package gather), which waits for the callers that announced
// one (BeginChange, change.go) or a bounded window. writeBatch then reads the
// document once (or reuses the one this client wrote or read a moment
// ago), applies every queued mutation in arrival order and writes the
// result with one PUT. Each caller gets its own answer: a mutation that
// fails gets its own error and is left out; a PUT the API rejects (400,
// e.g. 1056) is retried one mutation at a time so that only the mutation
// at fault fails.

// tunnelDocReuse is how long a document this client read or wrote stands
// in for a fresh GET before a write. The API has no version check on PUT,
// so a hand edit made within this time of our last write in the same apply
// can be overwritten; beyond it, every batch reads the document again.
const tunnelDocReuse = 10 * time.Second

// tunnelMutation changes a tunnel's document; changed=false needs no write.
type tunnelMutation func(document json.RawMessage) (next json.RawMessage, changed bool, err error)

type tunnelCall = gather.Call[tunnelMutation, TunnelConfig]

func (c *Client) tunnelBatch(tunnelID string) *gather.Gatherer[tunnelMutation, TunnelConfig] {
	return c.tunnelWrites.Get(tunnelID, func() *gather.Gatherer[tunnelMutation, TunnelConfig] {
		return gather.New(c.gatherWindow, 0, func(ctx context.Context, batch []*tunnelCall) { c.writeBatch(ctx, tunnelID, batch) })
	})
}

// UpdateTunnelConfig applies mutate to the tunnel's current document and
// writes the result, merged with the concurrent updates of other callers
// of this Client into as few PUTs as possible; no caller's change
// overwrites another's. A mutate that returns changed=false needs no
// write. mutate must be a pure function of the document: it may be called
// again on another version of it when a batch is retried. A caller that
// announced the update (BeginChange) has its announcement ended on return.
func (c *Client) UpdateTunnelConfig(ctx context.Context, tunnelID string, mutate func(document json.RawMessage) (json.RawMessage, bool, error)) (TunnelConfig, error) {
	defer c.endAnnouncement(ctx, batchKey{tunnelUpdates, tunnelID})
	if err := c.requireAccount(); err != nil {
		return TunnelConfig{}, err
	}
	return c.tunnelBatch(tunnelID).Submit(ctx, mutate)
}

// writeBatch applies a batch of mutations to one document and writes it.
func (c *Client) writeBatch(ctx context.Context, tunnelID string, batch []*tunnelCall) {
	current, err := c.tunnelDocForWrite(ctx, tunnelID)
	if err != nil {
		for _, m := range batch {
			m.Finish(TunnelConfig{}, err)
		}
		return
	}
	doc := current.Document
	var changed, unchanged []*tunnelCall
	for _, m := range batch {
		next, ok, err := m.In(doc)
		switch {
		case err != nil:
			m.Finish(current, err)
		case !ok:
			unchanged = append(unchanged, m)
		default:
			doc = next
			changed = append(changed, m)
		}
	}
	if len(changed) == 0 {
		for _, m := range unchanged {
			m.Finish(current, nil)
		}
		return
	}
	written, err := c.PutTunnelConfig(ctx, tunnelID, doc)
	if err == nil {
		for _, m := range append(changed, unchanged...) {
			m.Finish(written, nil)
		}
		return
	}
	if len(changed) > 1 && rejected(err) {
		// One mutation made the document invalid; find it by writing them
		// one at a time on top of each other.
		c.writeOneByOne(ctx, tunnelID, current, append(changed, unchanged...))
		return
	}
	for _, m := range changed {
		m.Finish(current, err)
	}
	// A no-op is a no-op on the current document too, or it failed with
	// the batch.
	for _, m := range unchanged {
		if _, ok, mErr := m.In(current.Document); mErr != nil || ok {
			m.Finish(current, err)
		} else {
			m.Finish(current, nil)
		}
	}
}

func (c *Client) writeOneByOne(ctx context.Context, tunnelID string, current TunnelConfig, ms []*tunnelCall) {
	for _, m := range ms {
		next, ok, err := m.In(current.Document)
		if err != nil || !ok {
			m.Finish(current, err)
			continue
		}
		written, err := c.PutTunnelConfig(ctx, tunnelID, next)
		if err != nil {
			m.Finish(current, err)
			continue
		}
		current = written
		m.Finish(written, nil)
	}
}

// rejected reports an answer that says the document is at fault, as
// opposed to the request failing.
func rejected(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusUnprocessableEntity)
}

// tunnelDocForWrite is the document a batch starts from: the one this
// client read or wrote within tunnelDocReuse, or a fresh read.
func (c *Client) tunnelDocForWrite(ctx context.Context, tunnelID string) (TunnelConfig, error) {
	cfg, at, err := c.cachedTunnelConfig(ctx, tunnelID)
	if err != nil || time.Since(at) <= tunnelDocReuse {
		return cfg, err
	}
	fresh, err := c.GetTunnelConfig(ctx, tunnelID)
	if err != nil {
		return TunnelConfig{}, err
	}
	c.cache.tunnel(tunnelID).wrote(tunnelDoc, &fresh, nil)
	return fresh, nil
}
