package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare/gather"
)

// Coalesced tunnel writes.
//
// A tunnel's public hostnames live in one document that the API only
// replaces whole. UpdateTunnelConfig queues the caller's mutation on the
// tunnel's gatherer (package gather), which waits for the callers that announced
// one (BeginChange, change.go) or a bounded window. writeBatch then takes
// the tunnel's document lock (lock.go), which other processes writing the
// tunnel take too, reads the document, applies every queued mutation in
// arrival order, writes the result with one PUT and releases the lock: a
// change made by another process, or by hand with the API, before the
// read is kept. Each caller gets its own answer: a mutation that
// fails gets its own error and is left out; a PUT the API rejects (400,
// e.g. 1056) is retried one mutation at a time so that only the mutation
// at fault fails.

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

// writeBatch applies a batch of mutations to one document and writes it,
// under the tunnel's document lock.
func (c *Client) writeBatch(ctx context.Context, tunnelID string, batch []*tunnelCall) {
	// The callers are answered once the lock is released, so that an
	// apply never ends, and its provider process never stops, with the
	// lock still held.
	var a answers
	defer a.send()
	err := c.withDocLock(ctx, "tunnel-"+tunnelID, func(held func() bool) bool {
		current, err := c.GetTunnelConfig(ctx, tunnelID)
		if err != nil {
			for _, m := range batch {
				a.give(m, TunnelConfig{}, err)
			}
			return false
		}
		c.cache.tunnel(tunnelID).wrote(tunnelDoc, &current, nil)
		if !held() {
			return true
		}
		c.applyBatch(ctx, tunnelID, current, batch, held, &a)
		return false
	})
	if err != nil {
		for _, m := range batch {
			a.give(m, TunnelConfig{}, err)
		}
	}
}

// applyBatch applies the batch's mutations to current and writes the
// result, answering every call (through a); held says whether the lock still allows a
// write.
func (c *Client) applyBatch(ctx context.Context, tunnelID string, current TunnelConfig, batch []*tunnelCall, held func() bool, a *answers) {
	doc := current.Document
	var changed, unchanged []*tunnelCall
	for _, m := range batch {
		next, ok, err := m.In(doc)
		switch {
		case err != nil:
			a.give(m, current, err)
		case !ok:
			unchanged = append(unchanged, m)
		default:
			doc = next
			changed = append(changed, m)
		}
	}
	if len(changed) == 0 {
		for _, m := range unchanged {
			a.give(m, current, nil)
		}
		return
	}
	written, err := c.PutTunnelConfig(ctx, tunnelID, doc)
	if err == nil {
		for _, m := range append(changed, unchanged...) {
			a.give(m, written, nil)
		}
		return
	}
	if len(changed) > 1 && rejected(err) {
		// One mutation made the document invalid; find it by writing them
		// one at a time on top of each other.
		c.writeOneByOne(ctx, tunnelID, current, append(changed, unchanged...), held, a)
		return
	}
	for _, m := range changed {
		a.give(m, current, err)
	}
	// A no-op is a no-op on the current document too, or it failed with
	// the batch.
	for _, m := range unchanged {
		if _, ok, mErr := m.In(current.Document); mErr != nil || ok {
			a.give(m, current, err)
		} else {
			a.give(m, current, nil)
		}
	}
}

func (c *Client) writeOneByOne(ctx context.Context, tunnelID string, current TunnelConfig, ms []*tunnelCall, held func() bool, a *answers) {
	for _, m := range ms {
		next, ok, err := m.In(current.Document)
		if err != nil || !ok {
			a.give(m, current, err)
			continue
		}
		if !held() {
			a.give(m, current, errLockLapsed)
			continue
		}
		written, err := c.PutTunnelConfig(ctx, tunnelID, next)
		if err != nil {
			a.give(m, current, err)
			continue
		}
		current = written
		a.give(m, written, nil)
	}
}

// answers holds a batch's answers until they can be sent.
type answers []func()

func (a *answers) give(m *tunnelCall, out TunnelConfig, err error) {
	*a = append(*a, func() { m.Finish(out, err) })
}

func (a *answers) send() {
	for _, f := range *a {
		f()
	}
}

// rejected reports an answer that says the document is at fault, as
// opposed to the request failing.
func rejected(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusUnprocessableEntity)
}

// errLockLapsed fails a write that the document lock no longer covers.
var errLockLapsed = errors.New("the tunnel's document lock ran short before this write (the API answered slowly); apply again")
