// Package gather gathers concurrent calls on one object into batches.
//
// A Gatherer queues the calls made on one object (a tunnel's
// configuration, a zone's records); the first call of a quiet gatherer
// starts a writer that hands the queued calls to write in batches until
// the queue is empty. A batch goes out when every call announced ahead
// (Expect) is queued and either as many are announced as were at once
// before an earlier batch (a full house: every caller that can come is
// there, since the CLI starts a new one only when one of these has
// finished) or nothing new has happened for Settle; when the oldest call
// has waited the window; or when it holds limit calls. Calls
// queued while a batch is written form the next batch, so nothing is lost
// and no caller waits longer than one window plus one batch. write must
// finish every call it is given.
//
// The package holds no state of its own: every Gatherer belongs to the
// client that made it, so two clients never share a batch.
package gather

import (
	"context"
	"sync"
	"time"
)

const (
	// windowRequests is the longest gathering window in requests at the
	// client's pace: time for the other resources in flight (Terraform
	// runs 10 at once) to reach their call. The floor covers the CLI's own
	// time per resource when the pace is high. A batch goes out earlier
	// when every announced call has been queued.
	windowRequests = 16
	// MinWindow and MaxWindow bound Window.
	MinWindow = 500 * time.Millisecond
	MaxWindow = 5 * time.Second
	// Settle is the quiet time (no call queued or announced) a batch waits
	// for even when every announced call is queued: resources that finish
	// make room for new ones, which announce themselves.
	Settle = 200 * time.Millisecond
)

// Window is the gathering window for a client capped at rps requests per
// second; a client without a cap (rps 0) sends at the API's speed and
// gathers for MinWindow at most.
func Window(rps float64) time.Duration {
	if rps <= 0 {
		return MinWindow
	}
	d := time.Duration(windowRequests / rps * float64(time.Second))
	return min(max(d, MinWindow), MaxWindow)
}

// Call is one caller's queued call and the way back to it.
type Call[In, Out any] struct {
	In     In
	ctx    context.Context
	queued time.Time
	done   chan result[Out] // buffered: the writer never blocks on it
}

type result[Out any] struct {
	out Out
	err error
}

// Finish hands the call's result to its caller; write calls it once per
// call.
func (c *Call[In, Out]) Finish(out Out, err error) { c.done <- result[Out]{out, err} }

// Gatherer batches the calls on one object.
//
// Lock order: mu is a leaf. It is never held while write runs or while a
// caller waits, so write may call anything, including this Gatherer.
type Gatherer[In, Out any] struct {
	window time.Duration
	limit  int // most calls in one batch; 0 for no limit
	write  func(ctx context.Context, batch []*Call[In, Out])

	mu       sync.Mutex
	queue    []*Call[In, Out]
	running  bool
	expected int       // announced calls not yet released
	peak     int       // the most calls ever announced at once
	most     int       // peak when the last batch was taken: a full house
	event    time.Time // last announcement or queued call
	wake     chan struct{}
}

// New makes a Gatherer that hands batches of at most limit calls (0 for
// no limit) to write, gathering for at most window.
func New[In, Out any](window time.Duration, limit int, write func(context.Context, []*Call[In, Out])) *Gatherer[In, Out] {
	return &Gatherer[In, Out]{window: window, limit: limit, write: write, wake: make(chan struct{}, 1)}
}

// Expect announces a call on its way, so that a batch waits for it instead
// of going out without it. release must be called when the call has
// returned or will not happen; calling it again does nothing.
func (g *Gatherer[In, Out]) Expect() (release func()) {
	g.mu.Lock()
	g.expected++
	g.peak = max(g.peak, g.expected)
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

// Announced is how many announced calls have not been released: the
// calls a batch may still wait for.
func (g *Gatherer[In, Out]) Announced() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.expected
}

// Submit queues a call and waits for its own result, or for ctx to end.
func (g *Gatherer[In, Out]) Submit(ctx context.Context, in In) (Out, error) {
	call := &Call[In, Out]{In: in, ctx: ctx, queued: time.Now(), done: make(chan result[Out], 1)}
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
func (g *Gatherer[In, Out]) signal() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// ready reports whether every announced call is queued; g.mu is held.
// Announced callers stay counted while queued, hence the comparison.
// Without announcements, a batch waits out the window.
func (g *Gatherer[In, Out]) ready() bool { return g.expected > 0 && len(g.queue) >= g.expected }

// due is when the next batch goes out; g.mu is held and the queue is not
// empty.
func (g *Gatherer[In, Out]) due() time.Time {
	if g.limit > 0 && len(g.queue) >= g.limit {
		return time.Time{}
	}
	if g.ready() && g.most > 0 && g.expected >= g.most {
		// A full house: no one else can announce a call before one of
		// these has been answered. The first batch learns the house's
		// size: callers that call as soon as they announce would each be
		// a full house of their own while the others start.
		return time.Time{}
	}
	deadline := g.queue[0].queued.Add(g.window)
	if quiet := g.event.Add(Settle); g.ready() && quiet.Before(deadline) {
		return quiet
	}
	return deadline
}

// run writes queued calls until the queue is empty. Each batch is written
// under the context of a caller in it, freed from its cancellation: the
// batch serves every caller, so it must not end with one of them, and it
// logs through a request that is still waiting (the provider's server
// lets go of a request's logger once its RPC returns).
func (g *Gatherer[In, Out]) run() {
	for {
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		wait := time.Until(g.due())
		var batch []*Call[In, Out]
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
func (g *Gatherer[In, Out]) take() []*Call[In, Out] {
	n := len(g.queue)
	if g.limit > 0 {
		n = min(n, g.limit)
	}
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.most = g.peak
	return batch
}

// sleep waits for wait or for news: a call queued or announced, or a
// release.
func (g *Gatherer[In, Out]) sleep(wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-g.wake:
	case <-timer.C:
	}
}

// unlessCancelled finishes the calls whose caller has given up and returns
// the others.
func unlessCancelled[In, Out any](batch []*Call[In, Out]) []*Call[In, Out] {
	live := batch[:0]
	for _, call := range batch {
		if err := call.ctx.Err(); err != nil {
			var zero Out
			call.Finish(zero, err)
			continue
		}
		live = append(live, call)
	}
	return live
}

// ByID holds one Gatherer per object id, made on first use. Its zero
// value is ready to use.
//
// Lock order: mu is held only while the map is read or filled (create
// runs under it and must not take another lock), never while a Gatherer
// is used.
type ByID[In, Out any] struct {
	mu   sync.Mutex
	byID map[string]*Gatherer[In, Out]
}

// Get returns the Gatherer of id, made by create if it has none yet.
func (s *ByID[In, Out]) Get(id string, create func() *Gatherer[In, Out]) *Gatherer[In, Out] {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.byID[id]
	if !ok {
		if s.byID == nil {
			s.byID = map[string]*Gatherer[In, Out]{}
		}
		g = create()
		s.byID[id] = g
	}
	return g
}
