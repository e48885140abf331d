package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Coalesced tunnel writes.
//
// A tunnel's public hostnames live in one document that the API only
// replaces whole. UpdateTunnelConfig queues the caller's mutation; the
// first caller of a quiet tunnel starts a writer that gathers mutations
// until every caller that announced one (ExpectTunnelUpdate) has queued it,
// or a bounded window has passed, then reads the document once (or reuses
// the one this client wrote or read a moment ago), applies every queued
// mutation in arrival order and writes the result with one PUT. Each caller gets its
// own answer: a mutation that fails gets its own error and is left out; a
// PUT the API rejects (400, e.g. 1056) is retried one mutation at a time so
// that only the mutation at fault fails. Mutations that arrive while a
// batch is being written form the next batch, so nothing is lost and no
// caller waits longer than one window plus one batch.

const (
	// tunnelDocReuse is how long a document this client read or wrote
	// stands in for a fresh GET before a write. The API has no version
	// check on PUT, so a hand edit made within this time of our last write
	// in the same apply can be overwritten; beyond it, every batch reads
	// the document again.
	tunnelDocReuse = 10 * time.Second
	// gatherRequests is the longest gathering window in requests at the
	// client's pace: time for the other resources in flight (Terraform
	// runs 10 at once) to reach their rule. The floor covers the CLI's own
	// time per resource when the pace is high. A batch goes out earlier
	// when every announced update has been queued.
	gatherRequests = 16
	minGather      = 500 * time.Millisecond
	maxGather      = 5 * time.Second
	// settle is the quiet time (no update queued or announced) a batch
	// waits for even when every announced update is queued: resources
	// that finish make room for new ones, which announce themselves.
	settle = 200 * time.Millisecond
)

func gatherWindow(rps float64) time.Duration {
	d := time.Duration(gatherRequests / rps * float64(time.Second))
	return min(max(d, minGather), maxGather)
}

type tunnelMutation struct {
	ctx    context.Context
	mutate func(json.RawMessage) (json.RawMessage, bool, error)
	queued time.Time
	done   chan mutationResult // buffered: the writer never blocks on it
}

type mutationResult struct {
	cfg TunnelConfig
	err error
}

func (m *tunnelMutation) finish(cfg TunnelConfig, err error) { m.done <- mutationResult{cfg, err} }

type tunnelBatcher struct {
	mu       sync.Mutex
	queue    []*tunnelMutation
	running  bool
	expected int       // announced updates not yet released
	event    time.Time // last announcement or queued update
	wake     chan struct{}
}

// ExpectTunnelUpdate announces that the caller is on its way to an
// UpdateTunnelConfig of this tunnel (a resource apply that first writes
// other objects), so a batch waits for it instead of going out without
// it. release must be called when the caller's update has returned or
// will not happen; calling it again does nothing.
func (c *Client) ExpectTunnelUpdate(tunnelID string) (release func()) {
	b := c.batcher(tunnelID)
	b.mu.Lock()
	b.expected++
	b.event = time.Now()
	b.signal()
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.expected--
			b.signal()
			b.mu.Unlock()
		})
	}
}

// signal wakes the writer; b.mu is held.
func (b *tunnelBatcher) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// ready reports whether every announced update is queued; b.mu is held.
// Announced callers stay counted while queued, hence the comparison.
// Without announcements, a batch waits out the window.
func (b *tunnelBatcher) ready() bool { return b.expected > 0 && len(b.queue) >= b.expected }

func (c *Client) batcher(tunnelID string) *tunnelBatcher {
	c.batchersMu.Lock()
	defer c.batchersMu.Unlock()
	b, ok := c.batchers[tunnelID]
	if !ok {
		b = &tunnelBatcher{wake: make(chan struct{}, 1)}
		c.batchers[tunnelID] = b
	}
	return b
}

// UpdateTunnelConfig applies mutate to the tunnel's current document and
// writes the result, merged with the concurrent updates of other callers
// of this Client into as few PUTs as possible; no caller's change
// overwrites another's. A mutate that returns changed=false needs no
// write. mutate must be a pure function of the document: it may be called
// again on another version of it when a batch is retried.
func (c *Client) UpdateTunnelConfig(ctx context.Context, tunnelID string, mutate func(document json.RawMessage) (json.RawMessage, bool, error)) (TunnelConfig, error) {
	if err := c.requireAccount(); err != nil {
		return TunnelConfig{}, err
	}
	b := c.batcher(tunnelID)
	m := &tunnelMutation{ctx: ctx, mutate: mutate, queued: time.Now(), done: make(chan mutationResult, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, m)
	b.event = m.queued
	start := !b.running
	b.running = true
	b.signal()
	b.mu.Unlock()
	if start {
		// The writer serves every caller, so it must not end with the
		// one that started it; it keeps its logger.
		go c.writeBatches(context.WithoutCancel(ctx), tunnelID, b)
	}
	select {
	case r := <-m.done:
		return r.cfg, r.err
	case <-ctx.Done():
		return TunnelConfig{}, ctx.Err()
	}
}

// writeBatches writes queued mutations until the queue is empty.
func (c *Client) writeBatches(ctx context.Context, tunnelID string, b *tunnelBatcher) {
	for {
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		deadline := b.queue[0].queued.Add(c.gatherWindow)
		if quiet := b.event.Add(settle); b.ready() && quiet.Before(deadline) {
			deadline = quiet
		}
		b.mu.Unlock()
		if wait := time.Until(deadline); wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-b.wake: // an update queued or announced, or a release
			case <-timer.C:
			}
			timer.Stop()
			continue
		}
		b.mu.Lock()
		batch := b.queue
		b.queue = nil
		b.mu.Unlock()
		c.writeBatch(ctx, tunnelID, batch)
	}
}

func (c *Client) writeBatch(ctx context.Context, tunnelID string, batch []*tunnelMutation) {
	live := batch[:0]
	for _, m := range batch {
		if err := m.ctx.Err(); err != nil {
			m.finish(TunnelConfig{}, err)
			continue
		}
		live = append(live, m)
	}
	if len(live) == 0 {
		return
	}
	current, err := c.tunnelDocForWrite(ctx, tunnelID)
	if err != nil {
		for _, m := range live {
			m.finish(TunnelConfig{}, err)
		}
		return
	}
	doc := current.Document
	var changed, unchanged []*tunnelMutation
	for _, m := range live {
		next, ok, err := m.mutate(doc)
		switch {
		case err != nil:
			m.finish(current, err)
		case !ok:
			unchanged = append(unchanged, m)
		default:
			doc = next
			changed = append(changed, m)
		}
	}
	if len(changed) == 0 {
		for _, m := range unchanged {
			m.finish(current, nil)
		}
		return
	}
	written, err := c.PutTunnelConfig(ctx, tunnelID, doc)
	if err == nil {
		for _, m := range append(changed, unchanged...) {
			m.finish(written, nil)
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
		m.finish(current, err)
	}
	// A no-op is a no-op on the current document too, or it failed with
	// the batch.
	for _, m := range unchanged {
		if _, ok, mErr := m.mutate(current.Document); mErr != nil || ok {
			m.finish(current, err)
		} else {
			m.finish(current, nil)
		}
	}
}

func (c *Client) writeOneByOne(ctx context.Context, tunnelID string, current TunnelConfig, ms []*tunnelMutation) {
	for _, m := range ms {
		next, ok, err := m.mutate(current.Document)
		if err != nil || !ok {
			m.finish(current, err)
			continue
		}
		written, err := c.PutTunnelConfig(ctx, tunnelID, next)
		if err != nil {
			m.finish(current, err)
			continue
		}
		current = written
		m.finish(written, nil)
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
	c.cache.tunnel(tunnelID).put("", fresh)
	return fresh, nil
}
