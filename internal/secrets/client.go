package secrets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// requestTimeout bounds one request of a Client, which runs under its own
// context (it serves several callers): the SDK client's creation, which the
// first request waits for, plus a minute.
const requestTimeout = clientInitTimeout + time.Minute

// Client is how resources resolve references: one per provider process,
// shared by every resource through providerdata. It is safe for concurrent
// use.
//
//   - Once per process. Every distinct reference is resolved at most once:
//     concurrent callers of one reference share one resolution
//     (single-flight), and the value is kept in memory for the Client's life,
//     the provider process's (Terraform starts one per plan or apply walk).
//     One-time passwords (?attribute=otp or totp) are shared by concurrent
//     callers but not kept: each is valid for seconds.
//   - In batches. References wait in a queue and one request at a time takes
//     the whole queue: the first caller's references go out at once, and
//     those asked while a request is out go together in the next one. With
//     a BulkResolver (1Password) that is one bulk request per batch; another
//     resolver is asked one reference after the other.
//   - Errors. A reference's own answer (not found, ambiguous) is kept like a
//     value: the rest of the walk gets the same answer without asking. A
//     failed request (network, rate limit, authentication, timeout,
//     cancellation) goes to the callers waiting for it and is forgotten: the
//     next caller asks again. Errors name the reference, never a value.
//   - Cancellation. A caller whose context ends returns at once; the request
//     goes on for the other callers and is cancelled when none is left.
type Client struct {
	resolver Resolver
	bulk     BulkResolver // resolver's bulk call, nil when it has none
	timeout  time.Duration

	mu      sync.Mutex
	entries map[string]*entry // known or pending references
	queue   []*entry          // waiting for the next request
	running bool              // a goroutine is sending requests
}

// entry is one reference's resolution. value and err are set before done is
// closed; the other fields are guarded by Client.mu.
type entry struct {
	ref   string
	done  chan struct{}
	value string
	err   error

	waiters  int     // callers waiting for it
	flight   *flight // the request it is in, while that is out
	finished bool
}

// flight is one request and the entries it resolves.
type flight struct {
	entries  []*entry
	cancel   context.CancelFunc
	canceled bool // nobody waited for any of its entries any more
}

// NewClient returns a Client that resolves through r, in bulk when r is a
// BulkResolver. It does no I/O.
func NewClient(r Resolver) *Client {
	c := &Client{resolver: r, timeout: requestTimeout, entries: map[string]*entry{}}
	c.bulk, _ = r.(BulkResolver)
	return c
}

// Resolve returns the value of one reference, checking its syntax offline
// first.
func (c *Client) Resolve(ctx context.Context, reference string) (string, error) {
	if c == nil {
		return "", fmt.Errorf("resolving %s: no resolver configured", reference)
	}
	if _, err := ParseReference(reference); err != nil {
		return "", err
	}
	values, _, err := c.resolve(ctx, []string{reference})
	if err != nil {
		return "", err
	}
	return values[reference], nil
}

// ResolveAll resolves a map of key → reference and returns key → value.
// Every syntax is checked before anything is resolved, and all references
// go out together. The error is a *KeyError for the first failing key in
// sorted order; on error no values are returned.
func (c *Client) ResolveAll(ctx context.Context, refs map[string]string) (map[string]string, error) {
	if c == nil {
		return nil, errors.New("resolving secret references: no resolver configured")
	}
	keys := slices.Sorted(maps.Keys(refs))
	var distinct []string
	for _, k := range keys {
		if _, err := ParseReference(refs[k]); err != nil {
			return nil, &KeyError{Key: k, Reference: refs[k], Err: err}
		}
		if !slices.Contains(distinct, refs[k]) {
			distinct = append(distinct, refs[k])
		}
	}
	out := make(map[string]string, len(refs))
	if len(distinct) == 0 {
		return out, nil
	}
	values, failed, err := c.resolve(ctx, distinct)
	if err != nil {
		for _, k := range keys {
			if refs[k] == failed {
				return nil, &KeyError{Key: k, Reference: failed, Err: err}
			}
		}
		return nil, err
	}
	for _, k := range keys {
		out[k] = values[refs[k]]
	}
	return out, nil
}

// resolve waits for every reference of refs (distinct, valid) and returns
// reference → value, or the first reference in refs that failed and its
// error.
func (c *Client) resolve(ctx context.Context, refs []string) (map[string]string, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, refs[0], fmt.Errorf("resolving %s: %w", refs[0], err)
	}
	c.mu.Lock()
	list := make([]*entry, len(refs))
	known := 0
	for i, ref := range refs {
		list[i] = c.join(ref)
		if list[i].finished {
			known++
		}
	}
	if len(c.queue) > 0 && !c.running {
		c.running = true
		go c.run()
	}
	c.mu.Unlock()
	tflog.Debug(ctx, "resolving secret references", map[string]any{"references": len(refs), "already_resolved": known})

	for i, e := range list {
		select {
		case <-e.done:
		case <-ctx.Done():
			c.leave(list[i:])
			return nil, e.ref, fmt.Errorf("resolving %s: %w", e.ref, ctx.Err())
		}
	}
	values := make(map[string]string, len(list))
	for _, e := range list {
		if e.err != nil {
			return nil, e.ref, e.err
		}
		values[e.ref] = e.value
	}
	return values, "", nil
}

// join returns the entry of ref, queuing a new one when there is none (or
// only one whose request is being cancelled), and counts the caller as
// waiting for it. c.mu is held.
func (c *Client) join(ref string) *entry {
	e := c.entries[ref]
	if e != nil && e.flight != nil && e.flight.canceled {
		e = nil
	}
	if e == nil {
		e = &entry{ref: ref, done: make(chan struct{})}
		c.entries[ref] = e
		c.queue = append(c.queue, e)
	}
	if !e.finished {
		e.waiters++
	}
	return e
}

// leave stops counting a caller that gave up as waiting for list. An entry
// nobody waits for leaves the queue unasked, and a request none of whose
// entries anybody waits for is cancelled.
func (c *Client) leave(list []*entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range list {
		if e.finished {
			continue
		}
		if e.waiters--; e.waiters > 0 {
			continue
		}
		f := e.flight
		if f == nil {
			c.queue = slices.DeleteFunc(c.queue, func(q *entry) bool { return q == e })
			if c.entries[e.ref] == e {
				delete(c.entries, e.ref)
			}
			continue
		}
		if !f.canceled && !slices.ContainsFunc(f.entries, func(x *entry) bool { return x.waiters > 0 }) {
			f.canceled = true
			f.cancel()
		}
	}
}

// run sends one request per batch until the queue is empty.
func (c *Client) run() {
	for {
		c.mu.Lock()
		batch := c.queue
		c.queue = nil
		if len(batch) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		f := &flight{entries: batch, cancel: cancel}
		refs := make([]string, len(batch))
		for i, e := range batch {
			e.flight = f
			refs[i] = e.ref
		}
		c.mu.Unlock()

		results := c.ask(ctx, refs)
		cancel()

		c.mu.Lock()
		for _, e := range batch {
			r := results[e.ref]
			e.value, e.err = r.value, r.err
			e.finished, e.flight = true, nil
			if (!r.keep || oneTime(e.ref)) && c.entries[e.ref] == e {
				delete(c.entries, e.ref)
			}
			close(e.done)
		}
		c.mu.Unlock()
	}
}

type result struct {
	value string
	err   error
	keep  bool // an answer about the reference, not a failure to ask
}

// ask resolves refs in one bulk request when the resolver has one, and the
// rest (all of them otherwise) one at a time.
func (c *Client) ask(ctx context.Context, refs []string) map[string]result {
	out := make(map[string]result, len(refs))
	rest := refs
	if c.bulk != nil {
		answers, err := c.bulk.ResolveBulk(ctx, refs)
		if err != nil {
			for _, ref := range refs {
				out[ref] = result{err: fmt.Errorf("resolving %s: %w", ref, err)}
			}
			return out
		}
		rest = nil
		for _, ref := range refs {
			a, ok := answers[ref]
			if !ok {
				rest = append(rest, ref)
				continue
			}
			out[ref] = result{value: a.Value, err: a.Err, keep: a.Err == nil || !isContextErr(a.Err)}
		}
	}
	for _, ref := range rest {
		v, err := c.resolver.Resolve(ctx, ref)
		var nf *NotFoundError
		out[ref] = result{value: v, err: err, keep: err == nil || errors.As(err, &nf)}
	}
	return out
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// oneTime reports a reference to a one-time password, which changes every
// few seconds.
func oneTime(ref string) bool {
	r, err := ParseReference(ref)
	return err == nil && (r.Attribute == "otp" || r.Attribute == "totp")
}
