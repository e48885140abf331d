package cloudflare

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Bulk reads.
//
// Reading one object per GET costs one request per object on every plan.
// Instead, the Cached* methods answer from one listing of the whole
// collection (a zone's DNS records, the account's Access applications or
// policies, a tunnel's configuration), made on first use by one caller
// while concurrent callers wait for it (single-flight), and kept for the
// life of the Client, which the provider builds once per CLI command.
//
// The rules that keep it correct:
//   - Our own writes update the cached collection as soon as the API has
//     answered them, including writes made while a listing is in flight,
//     so a read never returns data older than our own last write.
//   - A write whose outcome is unknown (5xx, 429 or a network error after
//     the retries, or cancellation) drops the collection, so the next read
//     lists it again instead of guessing.
//   - Changes made outside this process after the first listing are not
//     seen until the next CLI command, which starts a new provider process
//     (terraform plan, apply and refresh each do). Within one command that
//     is what Terraform expects: refresh reads once, apply writes.
//
// Resources and data sources read through the Cached* methods. The plain
// List*/Get* methods always call the API: the listings are made with
// them, and tests use them for the live value.

// collection is one cached listing, keyed by object id.
//
// Lock order: mu is a leaf (see Client); the listing runs in flight
// without it.
type collection[T any] struct {
	mu      sync.Mutex
	items   map[string]T // nil until listed
	loading bool
	// writes seen while a listing was in flight, replayed on top of it;
	// a nil value is a deletion.
	pending map[string]*T
	// an ambiguous write happened while a listing was in flight: its
	// result cannot be trusted either way.
	dirty  bool
	flight singleflight.Group
}

// read runs fn on the cached items, listing them first when needed. fn
// runs under c.mu, so the items are updated in place by writes (no copy
// per write) and fn must not keep the map nor call into the collection.
func (c *collection[T]) read(ctx context.Context, list func(context.Context) ([]T, error), id func(T) string, fn func(map[string]T)) error {
	for attempt := 0; ; attempt++ {
		c.mu.Lock()
		if c.items != nil {
			fn(c.items)
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		// The shared listing must not end with the caller that started it.
		listCtx := context.WithoutCancel(ctx)
		ch := c.flight.DoChan("list", func() (any, error) {
			c.mu.Lock()
			if c.items != nil {
				// A listing finished between this caller's look and its
				// joining the flight, which had ended: use it.
				items := c.items
				c.mu.Unlock()
				return items, nil
			}
			c.loading, c.pending, c.dirty = true, map[string]*T{}, false
			c.mu.Unlock()
			listed, err := list(listCtx)
			c.mu.Lock()
			defer c.mu.Unlock()
			pending, dirty := c.pending, c.dirty
			c.loading, c.pending, c.dirty = false, nil, false
			if err != nil {
				return nil, err
			}
			items := make(map[string]T, len(listed))
			for _, v := range listed {
				items[id(v)] = v
			}
			for k, v := range pending {
				if v == nil {
					delete(items, k)
				} else {
					items[k] = *v
				}
			}
			if !dirty {
				c.items = items
			}
			return items, nil
		})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case r := <-ch:
			if r.Err != nil {
				return r.Err
			}
			// A listing spoilt by an ambiguous write is listed again, once;
			// the second result is used even if spoilt again. It may be
			// the cached map too, so it is read under the lock as well.
			if attempt >= 1 {
				items, _ := r.Val.(map[string]T) // the listing's only result type
				c.mu.Lock()
				fn(items)
				c.mu.Unlock()
				return nil
			}
		}
	}
}

// put stores v as the object id, in place: readers read under c.mu.
func (c *collection[T]) put(id string, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items != nil {
		c.items[id] = v
	}
	if c.loading {
		c.pending[id] = &v
	}
}

func (c *collection[T]) remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, id)
	if c.loading {
		c.pending[id] = nil
	}
}

// wrote is the one way this client's requests reach the collection; every
// write of a collection goes through it, with the id of the object the
// request addressed ("" when it addressed none: a creation that failed, a
// whole batch):
//   - a request that succeeded stores v as the object id, or forgets id
//     when v is nil (a deletion);
//   - a not-found forgets id: the object is gone;
//   - any other definite API answer (4xx) leaves the collection as it is;
//   - a write whose outcome is unknown (5xx, 429 or a network error after
//     the retries, or cancellation) drops the whole collection.
func (c *collection[T]) wrote(id string, v *T, err error) {
	switch {
	case err == nil && v != nil:
		c.put(id, *v)
	case err == nil, id != "" && IsNotFound(err):
		c.remove(id)
	case !definite(err):
		c.invalidate()
	}
}

// definite reports an API answer that says what happened: any 4xx but a
// 429, which outlived the retries and says nothing about the write.
func definite(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 && apiErr.StatusCode != http.StatusTooManyRequests
}

// invalidate forgets the collection after a write whose outcome is unknown.
func (c *collection[T]) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = nil
	if c.loading {
		c.dirty = true
	}
}

// cache holds the bulk-read collections of one Client.
//
// Lock order: mu is a leaf (see Client), held only to find or make a
// zone's or tunnel's collection, never while one is used.
type cache struct {
	mu       sync.Mutex
	dns      map[string]*collection[DNSRecord] // by zone id
	apps     collection[AccessApp]
	policies collection[AccessPolicy]
	tunnels  map[string]*collection[TunnelConfig] // by tunnel id; one item, key tunnelDoc
}

// tunnelDoc is the key of the one item of a tunnel's collection, its
// configuration document.
const tunnelDoc = ""

func (k *cache) zone(zoneID string) *collection[DNSRecord] {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dns == nil {
		k.dns = map[string]*collection[DNSRecord]{}
	}
	c, ok := k.dns[zoneID]
	if !ok {
		c = &collection[DNSRecord]{}
		k.dns[zoneID] = c
	}
	return c
}

func (k *cache) tunnel(tunnelID string) *collection[TunnelConfig] {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.tunnels == nil {
		k.tunnels = map[string]*collection[TunnelConfig]{}
	}
	c, ok := k.tunnels[tunnelID]
	if !ok {
		c = &collection[TunnelConfig]{}
		k.tunnels[tunnelID] = c
	}
	return c
}

func notFound(what, id string) error {
	return &APIError{StatusCode: http.StatusNotFound, Method: http.MethodGet, Path: what + "/" + id,
		Codes: []int64{1000}, Messages: []string{"not found in the listing of " + what}}
}

func recordID(r DNSRecord) string    { return r.ID }
func appID(a AccessApp) string       { return a.ID }
func policyID(p AccessPolicy) string { return p.ID }

// CachedDNSRecord returns a record of the zone from the zone's listing; a
// record that is not there is a not-found error, as from a GET of the record.
func (c *Client) CachedDNSRecord(ctx context.Context, zoneID, id string) (DNSRecord, error) {
	var r DNSRecord
	var ok bool
	if err := c.readZone(ctx, zoneID, func(items map[string]DNSRecord) { r, ok = items[id] }); err != nil {
		return DNSRecord{}, err
	}
	if !ok {
		return DNSRecord{}, notFound("zones/"+zoneID+"/dns_records", id)
	}
	return r, nil
}

func (c *Client) readZone(ctx context.Context, zoneID string, fn func(map[string]DNSRecord)) error {
	return c.cache.zone(zoneID).read(ctx, func(ctx context.Context) ([]DNSRecord, error) {
		return c.ListDNSRecords(ctx, zoneID, DNSFilter{})
	}, recordID, fn)
}

// CachedDNSRecords returns the zone's records that match the filter, from
// the zone's listing, ordered by id.
func (c *Client) CachedDNSRecords(ctx context.Context, zoneID string, f DNSFilter) ([]DNSRecord, error) {
	var out []DNSRecord
	err := c.readZone(ctx, zoneID, func(items map[string]DNSRecord) {
		for _, r := range items {
			if f.matches(r) {
				out = append(out, r)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// CachedAccessApp returns an application from the account's listing.
func (c *Client) CachedAccessApp(ctx context.Context, id string) (AccessApp, error) {
	var a AccessApp
	var ok bool
	if err := c.readApps(ctx, func(items map[string]AccessApp) { a, ok = items[id] }); err != nil {
		return AccessApp{}, err
	}
	if !ok {
		return AccessApp{}, notFound("access/apps", id)
	}
	return a, nil
}

// CachedAccessApps returns the account's applications, ordered by id.
func (c *Client) CachedAccessApps(ctx context.Context) ([]AccessApp, error) {
	var out []AccessApp
	err := c.readApps(ctx, func(items map[string]AccessApp) { out = sortedValues(items, appID) })
	return out, err
}

func (c *Client) readApps(ctx context.Context, fn func(map[string]AccessApp)) error {
	if err := c.requireAccount(); err != nil {
		return err
	}
	return c.cache.apps.read(ctx, c.ListAccessApps, appID, fn)
}

// CachedAccessPolicy returns a reusable policy from the account's listing.
func (c *Client) CachedAccessPolicy(ctx context.Context, id string) (AccessPolicy, error) {
	var p AccessPolicy
	var ok bool
	if err := c.readPolicies(ctx, func(items map[string]AccessPolicy) { p, ok = items[id] }); err != nil {
		return AccessPolicy{}, err
	}
	if !ok {
		return AccessPolicy{}, notFound("access/policies", id)
	}
	return p, nil
}

// CachedAccessPolicies returns the account's reusable policies, ordered by id.
func (c *Client) CachedAccessPolicies(ctx context.Context) ([]AccessPolicy, error) {
	var out []AccessPolicy
	err := c.readPolicies(ctx, func(items map[string]AccessPolicy) { out = sortedValues(items, policyID) })
	return out, err
}

func (c *Client) readPolicies(ctx context.Context, fn func(map[string]AccessPolicy)) error {
	if err := c.requireAccount(); err != nil {
		return err
	}
	return c.cache.policies.read(ctx, c.ListAccessPolicies, policyID, fn)
}

// CachedTunnelConfig returns the tunnel's configuration as last read or
// written by this Client; its Ingress is parsed once for every caller.
func (c *Client) CachedTunnelConfig(ctx context.Context, tunnelID string) (TunnelConfig, error) {
	var cfg TunnelConfig
	err := c.cache.tunnel(tunnelID).read(ctx, func(ctx context.Context) ([]TunnelConfig, error) {
		cfg, err := c.GetTunnelConfig(ctx, tunnelID)
		if err != nil {
			return nil, err
		}
		return []TunnelConfig{cfg}, nil
	}, func(TunnelConfig) string { return tunnelDoc }, func(items map[string]TunnelConfig) { cfg = items[tunnelDoc] })
	if err != nil {
		return TunnelConfig{}, err
	}
	return cfg, nil
}

func sortedValues[T any](items map[string]T, id func(T) string) []T {
	out := make([]T, 0, len(items))
	for _, v := range items {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return id(out[i]) < id(out[j]) })
	return out
}
