package cfsandbox

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults are injected before authentication, in this order: Latency, the
// RateLimitBurst, the RateLimit limiter, Fail5xxNext, then ErrorRate.
type Faults struct {
	Latency        time.Duration // added before every response
	ErrorRate      float64       // probability 0..1 that a request gets a 5xx (rotating 500/502/503)
	RateLimitBurst int           // the next N requests get 429, code 971, with Retry-After
	RetryAfter     time.Duration // Retry-After of burst 429s (header in whole seconds, rounded up; default 1s)
	Fail5xxNext    int           // the next N requests get 503

	// RateLimit > 0 enables a sliding-window limiter: a request arriving when
	// RateLimit requests were already admitted within the last RateLimitWindow
	// (default 5 minutes) gets 429, with Retry-After telling when the oldest of
	// them leaves the window. Rejected requests do not use up the allowance,
	// so a client that honours Retry-After gets through.
	RateLimit       int
	RateLimitWindow time.Duration

	Seed int64 // seeds the ErrorRate random source, for reproducible runs
}

const (
	rateLimitMessage     = "Please wait and consider throttling your request speed"
	defaultLimiterWindow = 5 * time.Minute
)

// faultState is the live form of Faults: counters that run down, the random
// source and the limiter's admitted requests.
type faultState struct {
	mu       sync.Mutex
	f        Faults
	burst    int
	fail     int
	rng      *rand.Rand
	rotation int
	admitted []time.Time // limiter: arrival of admitted requests, oldest first
}

// SetFaults replaces the current faults, resetting the 429 burst, the 503
// countdown, the random source and the limiter's history.
func (s *Server) SetFaults(f Faults) { s.faults.reset(f) }

func (fs *faultState) reset(f Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f.RetryAfter <= 0 {
		f.RetryAfter = time.Second
	}
	if f.RateLimit > 0 && f.RateLimitWindow <= 0 {
		f.RateLimitWindow = defaultLimiterWindow
	}
	fs.f = f
	fs.burst = f.RateLimitBurst
	fs.fail = f.Fail5xxNext
	fs.rng = rand.New(rand.NewPCG(uint64(f.Seed), uint64(f.Seed)^0x9e3779b97f4a7c15))
	fs.rotation = 0
	fs.admitted = nil
}

// sleep applies the configured latency; it reports false if the request's
// context ended first.
func (fs *faultState) sleep(ctx context.Context) bool {
	fs.mu.Lock()
	d := fs.f.Latency
	fs.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// next decides whether the request arriving at t is faulted. It returns the
// error to answer and, for 429s, the Retry-After duration.
func (fs *faultState) next(t time.Time) (*apiError, time.Duration) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.burst > 0 {
		fs.burst--
		return rateLimited(), fs.f.RetryAfter
	}
	if wait := fs.limit(t); wait > 0 {
		return rateLimited(), wait
	}
	if fs.fail > 0 {
		fs.fail--
		return serverError(http.StatusServiceUnavailable), 0
	}
	if fs.f.ErrorRate > 0 && fs.rng.Float64() < fs.f.ErrorRate {
		status := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[fs.rotation%3]
		fs.rotation++
		return serverError(status), 0
	}
	return nil, 0
}

// limit runs the sliding-window limiter; it returns how long the caller
// should wait, or 0 when the request is admitted.
func (fs *faultState) limit(t time.Time) time.Duration {
	if fs.f.RateLimit <= 0 {
		return 0
	}
	cutoff := t.Add(-fs.f.RateLimitWindow)
	drop := 0
	for drop < len(fs.admitted) && !fs.admitted[drop].After(cutoff) {
		drop++
	}
	fs.admitted = fs.admitted[drop:]
	if len(fs.admitted) >= fs.f.RateLimit {
		return fs.admitted[0].Add(fs.f.RateLimitWindow).Sub(t)
	}
	fs.admitted = append(fs.admitted, t)
	return 0
}

func rateLimited() *apiError {
	return newError(http.StatusTooManyRequests, codeRateLim, rateLimitMessage)
}

func serverError(status int) *apiError {
	return newError(status, codeInternal, http.StatusText(status))
}

// retryAfterHeader renders a duration in whole seconds, rounded up, at least 1.
func retryAfterHeader(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(secs, 1), 10)
}
