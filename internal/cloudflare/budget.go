package cloudflare

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Pacing: a rolling request budget.
//
// Cloudflare's one documented global limit is a number of requests per
// rolling 5 minutes (1,200). The budget admits a request at once while
// fewer than its limit are in the window, and otherwise waits exactly
// until the oldest leaves it, so a command that needs fewer requests than
// the budget runs at the API's speed, and a larger one never goes over.
//
//   - A request takes its place in the window when it is sent and keeps
//     it until one window after its answer arrived: the API counted it at
//     some moment in between, so no window of the API's can hold more of
//     ours than one of ours does, whatever the latency.
//   - The limit is the configured budget minus a safety margin of 1%
//     (at least one request): requests the client cannot see (a connection
//     the API counted and then dropped) and a small difference between the
//     clocks' rates.
//   - requests_per_second, when set, also spaces admissions out by
//     1/rps.
//   - A 429 means the API's window is fuller than ours: another process of
//     the same token spends the budget too. Every caller of the client is
//     held until its Retry-After (or the retry back-off) has passed, and
//     the budget learns: its limit drops to the requests it had in the
//     window when the API refused (minus one), but at most once per window
//     and to no less than half (a 429 can also come from a short limit of
//     one endpoint, which the holds alone serve), and climbs back linearly
//     to the configured limit over one window, by which time every request
//     the API counted then has left it.
//   - A caller whose context ends while it waits returns at once.
type budget struct {
	window time.Duration
	limit  int           // configured budget minus the margin
	gap    time.Duration // 1/requests_per_second; 0 for no cap

	mu        sync.Mutex
	inFlight  int
	ends      []time.Time // when answered requests leave the window, oldest first
	next      time.Time   // the cap's earliest next admission
	holdUntil time.Time   // a 429's Retry-After
	learnedAt time.Time   // the last 429 that lowered the limit
	learned   int         // the limit right after it
	changed   chan struct{}
}

// budgetMargin is the part of the configured budget kept in reserve.
func budgetMargin(budget int) int { return max(1, budget/100) }

func newBudget(requests int, window time.Duration, rps float64) *budget {
	b := &budget{window: window, limit: max(1, requests-budgetMargin(requests)), changed: make(chan struct{})}
	if rps > 0 {
		b.gap = time.Duration(float64(time.Second) / rps)
	}
	return b
}

// acquire waits until the budget admits a request, or ctx ends. The
// returned done must be called once the request's answer (or failure) has
// arrived.
func (b *budget) acquire(ctx context.Context) (done func(), err error) {
	for {
		b.mu.Lock()
		now := time.Now()
		wait, byTime := b.waitLocked(now)
		if wait <= 0 {
			b.inFlight++
			if b.gap > 0 {
				b.next = now.Add(b.gap)
			}
			b.mu.Unlock()
			var once sync.Once
			return func() { once.Do(b.answered) }, nil
		}
		changed := b.changed
		b.mu.Unlock()

		var timer *time.Timer
		var fired <-chan time.Time
		if byTime {
			timer = time.NewTimer(wait)
			fired = timer.C
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-fired:
		}
		if timer != nil {
			timer.Stop()
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// waitLocked is how long a request arriving now must wait; byTime is false
// when only an answer of a request in flight can make room. b.mu is held.
func (b *budget) waitLocked(now time.Time) (wait time.Duration, byTime bool) {
	drop := 0
	for drop < len(b.ends) && !b.ends[drop].After(now) {
		drop++
	}
	b.ends = b.ends[drop:]
	if d := b.holdUntil.Sub(now); d > 0 {
		return d, true
	}
	if d := b.next.Sub(now); d > 0 {
		return d, true
	}
	if b.inFlight+len(b.ends) < b.limitAt(now) {
		return 0, true
	}
	if len(b.ends) == 0 {
		return time.Hour, false // every place is in flight: wait for an answer
	}
	// A learned limit also rises with time; the oldest leaving is the
	// latest moment something changes.
	return b.ends[0].Sub(now), true
}

// limitAt is the limit at now: the configured one, or the one learned from
// the last 429 on its way back up.
func (b *budget) limitAt(now time.Time) int {
	since := now.Sub(b.learnedAt)
	if b.learnedAt.IsZero() || since >= b.window || b.learned >= b.limit {
		return b.limit
	}
	return b.learned + int(float64(b.limit-b.learned)*float64(since)/float64(b.window))
}

// answered moves a request from in flight to the window, which it leaves
// one window after its answer.
func (b *budget) answered() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inFlight--
	end := time.Now().Add(b.window)
	// Answers arrive nearly in order: insert from the back.
	i := len(b.ends)
	for i > 0 && b.ends[i-1].After(end) {
		i--
	}
	b.ends = slices.Insert(b.ends, i, end)
	b.wakeLocked()
}

// refused records a 429: every caller is held until until, and the limit
// drops to what the window held when the API refused.
func (b *budget) refused(until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if until.After(b.holdUntil) {
		b.holdUntil = until
	}
	if b.learnedAt.IsZero() || now.Sub(b.learnedAt) >= b.window {
		// The refused request, answered, keeps its place in the window:
		// the API may count refusals too.
		held := b.inFlight + len(b.ends)
		current := b.limitAt(now)
		b.learned, b.learnedAt = max(1, min(held-1, current), current/2), now
	}
	b.wakeLocked()
}

// wakeLocked tells every waiter to look again; b.mu is held.
func (b *budget) wakeLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}
