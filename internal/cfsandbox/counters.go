package cfsandbox

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// counters records every request, faulted ones too, by endpoint template.
type counters struct {
	mu    sync.Mutex
	count map[string]int
	times []time.Time // arrival order, hence sorted
}

func (c *counters) add(key string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.count == nil {
		c.count = map[string]int{}
	}
	c.count[key]++
	// Requests may race to this point slightly out of order; keep the slice
	// sorted so that window computations stay simple.
	if n := len(c.times); n > 0 && t.Before(c.times[n-1]) {
		t = c.times[n-1]
	}
	c.times = append(c.times, t)
}

// Counts returns a copy of the request counts since the last reset, keyed by
// "METHOD /route/template", e.g. "GET /zones/{zone_id}/dns_records".
// Requests that match no endpoint count under "METHOD (no route)".
func (s *Server) Counts() map[string]int {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	return maps.Clone(s.counters.count)
}

// Total returns the number of requests since the last reset.
func (s *Server) Total() int {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	return len(s.counters.times)
}

// ResetCounts clears the counts and the arrival times.
func (s *Server) ResetCounts() {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	s.counters.count = nil
	s.counters.times = nil
}

// RequestTimes returns the arrival time of every counted request since the
// last reset, in order.
func (s *Server) RequestTimes() []time.Time {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	return slices.Clone(s.counters.times)
}

// MaxInWindow returns the largest number of counted requests that arrived
// within any interval of the given length (both ends inclusive would double
// count a boundary, so the interval is half-open: [t, t+window)).
func (s *Server) MaxInWindow(window time.Duration) int {
	if window <= 0 {
		return 0
	}
	times := s.RequestTimes()
	best, lo := 0, 0
	for hi, t := range times {
		for t.Sub(times[lo]) >= window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}
