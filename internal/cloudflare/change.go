package cloudflare

import (
	"context"
	"sync"
)

// Announcing a resource's writes: the one door to the write batches.
//
// The write batches (tunnelbatch.go, dnsbatch.go) go out as soon as every
// write announced ahead is queued, instead of waiting out their window, so
// a resource says which batched writes its apply or destroy will make
// when it starts, with one call, and ends it with one deferred call:
//
//	ctx, change := cf.BeginChange(ctx, cloudflare.Change{TunnelID: tunnelID, ZoneID: zoneID, DNS: cloudflare.DNSDelete})
//	defer change.Done()
//
// Each announcement ends by itself when its write returns
// (UpdateTunnelConfig of TunnelID, CreateCNAME or DeleteDNSRecord in
// ZoneID, called with the returned ctx or a context made from it), so a
// batch never waits for a caller that has already been served. Done ends
// the announcements whose write never came (an earlier step failed, or
// the resource had nothing to write). A DNS write whose zone is found only
// during the apply is announced then, with ExpectDNS.

// DNSWrite is the batched DNS write a change makes, if any.
type DNSWrite int

const (
	NoDNSWrite DNSWrite = iota
	DNSCreate           // CreateCNAME
	DNSDelete           // DeleteDNSRecord
)

// Change lists the batched writes of one resource's apply or destroy.
type Change struct {
	TunnelID string   // tunnel whose configuration it updates; "" for none
	ZoneID   string   // zone of its DNS write; "" while unknown
	DNS      DNSWrite // its DNS write in ZoneID
}

// ChangeHandle holds a change's announcements until their writes return
// or Done is called.
//
// Lock order: mu is a leaf; an announcement is made and ended (which takes
// the gatherer's lock) with mu released.
type ChangeHandle struct {
	client *Client
	mu     sync.Mutex
	open   map[batchKey][]func() // releases of the announcements not yet ended
}

// batchKey names one write batch of a client: a kind and its tunnel or
// zone id.
type batchKey struct {
	kind batchKind
	id   string
}

type batchKind int

const (
	tunnelUpdates batchKind = iota
	dnsCreates
	dnsDeletes
)

type changeContextKey struct{}

// BeginChange announces the change's writes to their batches and returns
// a context that carries the announcements to the write calls, and the
// handle whose Done ends what is left of them. Done must be called, and
// may be called more than once.
func (c *Client) BeginChange(ctx context.Context, ch Change) (context.Context, *ChangeHandle) {
	h := &ChangeHandle{client: c, open: map[batchKey][]func(){}}
	if ch.TunnelID != "" {
		h.expect(batchKey{tunnelUpdates, ch.TunnelID})
	}
	h.ExpectDNS(ch.DNS, ch.ZoneID)
	return context.WithValue(ctx, changeContextKey{}, h), h
}

// ExpectDNS announces a DNS write of the change once its zone is known.
func (h *ChangeHandle) ExpectDNS(w DNSWrite, zoneID string) {
	if zoneID == "" {
		return
	}
	switch w {
	case DNSCreate:
		h.expect(batchKey{dnsCreates, zoneID})
	case DNSDelete:
		h.expect(batchKey{dnsDeletes, zoneID})
	case NoDNSWrite:
	}
}

// Done ends every announcement of the change still open.
func (h *ChangeHandle) Done() {
	h.mu.Lock()
	open := h.open
	h.open = map[batchKey][]func(){}
	h.mu.Unlock()
	for _, releases := range open {
		for _, release := range releases {
			release()
		}
	}
}

func (h *ChangeHandle) expect(k batchKey) {
	release := h.client.announce(k)
	h.mu.Lock()
	h.open[k] = append(h.open[k], release)
	h.mu.Unlock()
}

// end ends one open announcement of k, if there is one.
func (h *ChangeHandle) end(k batchKey) {
	h.mu.Lock()
	releases := h.open[k]
	var release func()
	if n := len(releases); n > 0 {
		release, h.open[k] = releases[n-1], releases[:n-1]
	}
	h.mu.Unlock()
	if release != nil {
		release()
	}
}

// announce tells the batch k that a write is on its way.
func (c *Client) announce(k batchKey) (release func()) {
	switch k.kind {
	case dnsCreates:
		return c.dnsCreateBatch(k.id).Expect()
	case dnsDeletes:
		return c.dnsDeleteBatch(k.id).Expect()
	default:
		return c.tunnelBatch(k.id).Expect()
	}
}

// endAnnouncement ends the announcement of the caller's write to batch k, which has
// returned; the write methods defer it. A context without a change of
// this client announced nothing.
func (c *Client) endAnnouncement(ctx context.Context, k batchKey) {
	if h, ok := ctx.Value(changeContextKey{}).(*ChangeHandle); ok && h.client == c {
		h.end(k)
	}
}
