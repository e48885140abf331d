package cloudflare

import (
	"context"
	"sync"
	"time"
)

// Gathering concurrent calls into batches.
//
// A gatherer queues the calls made on one object (a tunnel's
// configuration, a zone's records); the first call of a quiet gatherer
// starts a writer that hands the queued calls to write in batches until
// the queue is empty. A batch goes out when every call announced ahead
// (expect) is queued and nothing new has happened for settle, when the
// oldest call has waited the window, or when it holds limit calls. Calls
// queued while a batch is written form the next batch, so nothing is lost
// and no caller waits longer than one window plus one batch. write must
// finish every call it is given.

const (
	// gatherRequests is the longest gathering window in requests at the
	// client's pace: time for the other resources in flight (Terraform
	// runs 10 at once) to reach their call. The floor covers the CLI's own
	// time per resource when the pace is high. A batch goes out earlier
	// when every announced call has been queued.
	gatherRequests = 16
	minGather      = 500 * time.Millisecond
	maxGather      = 5 * time.Second
	// settle is the quiet time (no call queued or announced) a batch waits
	// for even when every announced call is queued: resources that finish
	// make room for new ones, which announce themselves.
	settle = 200 * time.Millisecond
)

func gatherWindow(rps float64) time.Duration {
	d := time.Duration(gatherRequests / rps * float64(time.Second))
	return min(max(d, minGather), maxGather)
}

// batchCall is one caller's queued call and the way back to it.
type batchCall[In, Out any] struct {
	ctx    context.Context
	in     In
	queued time.Time
	done   chan callResult[Out] // buffered: the writer never blocks on it
}

type callResult[Out any] struct {
	out Out
	err error
}

func (c *batchCall[In, Out]) finish(out Out, err error) { c.done <- callResult[Out]{out, err} }

type gatherer[In, Out any] struct {
	window time.Duration
	limit  int // most calls in one batch; 0 for no limit
	write  func(ctx context.Context, batch []*batchCall[In, Out])

	mu       sync.Mutex
	queue    []*batchCall[In, Out]
	running  bool
	expected int       // announced calls not yet released
	event    time.Time // last announcement or queued call
	wake     chan struct{}
}

func newGatherer[In, Out any](window time.Duration, limit int, write func(context.Context, []*batchCall[In, Out])) *gatherer[In, Out] {
	return &gatherer[In, Out]{window: window, limit: limit, write: write, wake: make(chan struct{}, 1)}
}

// expect announces a call on its way, so that a batch waits for it instead
// of going out without it. release must be called when the call has
// returned or will not happen; calling it again does nothing.
func (g *gatherer[In, Out]) expect() (release func()) {
	g.mu.Lock()
	g.expected++
	g.event = time.Now()
	g.signal()
	g.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			g.expected--
			g.signal()
			g.mu.Unlock()
		})
	}
}

// submit queues a call and waits for its own result, or for ctx to end.
func (g *gatherer[In, Out]) submit(ctx context.Context, in In) (Out, error) {
	call := &batchCall[In, Out]{ctx: ctx, in: in, queued: time.Now(), done: make(chan callResult[Out], 1)}
	g.mu.Lock()
	g.queue = append(g.queue, call)
	g.event = call.queued
	start := !g.running
	g.running = true
	g.signal()
	g.mu.Unlock()
	if start {
		go g.run()
	}
	select {
	case r := <-call.done:
		return r.out, r.err
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
}

// signal wakes the writer; g.mu is held.
func (g *gatherer[In, Out]) signal() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// ready reports whether every announced call is queued; g.mu is held.
// Announced callers stay counted while queued, hence the comparison.
// Without announcements, a batch waits out the window.
func (g *gatherer[In, Out]) ready() bool { return g.expected > 0 && len(g.queue) >= g.expected }

// due is when the next batch goes out; g.mu is held and the queue is not
// empty.
func (g *gatherer[In, Out]) due() time.Time {
	if g.limit > 0 && len(g.queue) >= g.limit {
		return time.Time{}
	}
	deadline := g.queue[0].queued.Add(g.window)
	if quiet := g.event.Add(settle); g.ready() && quiet.Before(deadline) {
		return quiet
	}
	return deadline
}

// run writes queued calls until the queue is empty. Each batch is written
// under the context of a caller in it, freed from its cancellation: the
// batch serves every caller, so it must not end with one of them, and it
// logs through a request that is still waiting (the provider's server
// lets go of a request's logger once its RPC returns).
func (g *gatherer[In, Out]) run() {
	for {
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		wait := time.Until(g.due())
		var batch []*batchCall[In, Out]
		if wait <= 0 {
			batch = g.take()
		}
		g.mu.Unlock()
		if batch == nil {
			g.sleep(wait)
			continue
		}
		if live := unlessCancelled(batch); len(live) > 0 {
			g.write(context.WithoutCancel(live[0].ctx), live)
		}
	}
}

// take removes the next batch from the queue; g.mu is held.
func (g *gatherer[In, Out]) take() []*batchCall[In, Out] {
	n := len(g.queue)
	if g.limit > 0 {
		n = min(n, g.limit)
	}
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	return batch
}

// sleep waits for wait or for news: a call queued or announced, or a
// release.
func (g *gatherer[In, Out]) sleep(wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-g.wake:
	case <-timer.C:
	}
}

// unlessCancelled finishes the calls whose caller has given up and returns
// the others.
func unlessCancelled[In, Out any](batch []*batchCall[In, Out]) []*batchCall[In, Out] {
	live := batch[:0]
	for _, call := range batch {
		if err := call.ctx.Err(); err != nil {
			var zero Out
			call.finish(zero, err)
			continue
		}
		live = append(live, call)
	}
	return live
}

// gatherers holds one gatherer per object id, made on first use.
type gatherers[In, Out any] struct {
	mu   sync.Mutex
	byID map[string]*gatherer[In, Out]
}

func (s *gatherers[In, Out]) get(id string, create func() *gatherer[In, Out]) *gatherer[In, Out] {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.byID[id]
	if !ok {
		if s.byID == nil {
			s.byID = map[string]*gatherer[In, Out]{}
		}
		g = create()
		s.byID[id] = g
	}
	return g
}
