package cloudflare

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// The budget's tests run on synctest's fake clock: time moves only when
// every goroutine of the bubble waits, so a wait is measured exactly.

// TestBudgetBurstUnderTheLimitDoesNotWait: as many requests as the budget
// admits go out at once.
func TestBudgetBurstUnderTheLimitDoesNotWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBudget(100, time.Minute, 0) // 99 after the margin
		start := time.Now()
		for i := range 99 {
			done, err := b.acquire(t.Context())
			if err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
			done()
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("99 requests under a budget of 99 waited %v, want none", waited)
		}
	})
}

// TestBudgetPastTheLimitWaitsForTheWindow: the request past the budget
// waits exactly until the oldest answer leaves the window.
func TestBudgetPastTheLimitWaitsForTheWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBudget(11, time.Minute, 0) // 10 after the margin
		start := time.Now()
		for range 10 {
			done, err := b.acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Second) // answered a second later, then the next
			done()
		}
		// The first was answered at 1s, so it leaves the window at 61s.
		done, err := b.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		done()
		if got, want := time.Since(start), 61*time.Second; got != want {
			t.Errorf("the 11th request went out at %v, want %v", got, want)
		}
	})
}

// TestBudgetInFlightHoldsItsPlace: a request still waiting for its answer
// counts, and its answer makes room one window later.
func TestBudgetInFlightHoldsItsPlace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBudget(2, time.Minute, 0) // 1 after the margin
		done, err := b.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		went := make(chan time.Duration, 1)
		go func() {
			d, err := b.acquire(t.Context())
			if err == nil {
				d()
			}
			went <- time.Since(start)
		}()
		time.Sleep(10 * time.Second)
		done() // answered after 10s: leaves the window at 70s
		if got, want := <-went, 70*time.Second; got != want {
			t.Errorf("the second request went out at %v, want %v", got, want)
		}
	})
}

// TestBudgetCap: requests_per_second spaces admissions out.
func TestBudgetCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBudget(1200, 5*time.Minute, 4)
		start := time.Now()
		for range 5 {
			done, err := b.acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			done()
		}
		if got, want := time.Since(start), time.Second; got != want {
			t.Errorf("5 requests at 4 per second took %v, want %v", got, want)
		}
	})
}

// TestBudgetCancelledWhileWaiting: a caller whose context ends while it
// waits returns at once with the context's error, and takes no place.
func TestBudgetCancelledWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBudget(2, time.Minute, 0)
		done, err := b.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		done()
		ctx, cancel := context.WithCancel(t.Context())
		errs := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := b.acquire(ctx)
			errs <- err
		}()
		time.Sleep(3 * time.Second)
		cancel()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("returned %v after start, want at the cancellation (3s)", got)
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.inFlight != 0 || len(b.ends) != 1 {
			t.Errorf("in flight %d, in the window %d; want 0 and 1", b.inFlight, len(b.ends))
		}
	})
}

// TestBudgetLearnsFromRefusal: after a 429 the limit drops to what the
// window held, once per window and by at most half, and climbs back over
// one window.
func TestBudgetLearnsFromRefusal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBudget(101, 100*time.Second, 0) // 100 after the margin
		send := func(n int) {
			for range n {
				done, err := b.acquire(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				done()
			}
		}
		send(70)
		done, _ := b.acquire(t.Context())
		b.refused(time.Now().Add(time.Second)) // 71 in the window
		b.refused(time.Now().Add(time.Second)) // the same window: no second drop
		done()
		now := time.Now()
		if got := b.limitAt(now); got != 70 {
			t.Errorf("limit right after the 429 = %d, want 70 (what the window held)", got)
		}
		if got := b.limitAt(now.Add(50 * time.Second)); got != 85 {
			t.Errorf("limit half a window later = %d, want 85", got)
		}
		if got := b.limitAt(now.Add(100 * time.Second)); got != 100 {
			t.Errorf("limit a window later = %d, want 100", got)
		}

		b2 := newBudget(101, 100*time.Second, 0)
		done, _ = b2.acquire(t.Context())
		b2.refused(time.Now().Add(time.Second)) // 1 in the window: half, not 1
		done()
		if got := b2.limitAt(time.Now()); got != 50 {
			t.Errorf("limit after a 429 with one request in the window = %d, want 50 (half)", got)
		}
		time.Sleep(2 * time.Second) // a second 429 in the window only holds
		done, _ = b2.acquire(t.Context())
		b2.refused(time.Now().Add(time.Second))
		done()
		if got := b2.limitAt(time.Now()); got != 51 {
			t.Errorf("limit after a second 429 = %d, want 51 (the first drop, climbing)", got)
		}
	})
}

// TestTransport429HoldsEveryCaller: a 429 with Retry-After holds the
// refused caller and every other caller of the client until it has
// passed; none of them is sent in between.
func TestTransport429HoldsEveryCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var sent []time.Duration
		start := time.Now()
		var calls atomic.Int32
		rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			sent = append(sent, time.Since(start))
			mu.Unlock()
			if calls.Add(1) == 1 {
				return answer(req, http.StatusTooManyRequests, http.Header{"Retry-After": {"2"}},
					`{"success":false,"errors":[{"code":971,"message":"Please wait"}],"messages":[],"result":null}`), nil
			}
			return answer(req, http.StatusOK, nil, `{"success":true,"errors":[],"messages":[],"result":{}}`), nil
		})
		c, err := New(Config{APIToken: "t", AccountID: "a", BaseURL: "http://api.invalid/client/v4", MaxRetries: 2,
			HTTPClient: &http.Client{Transport: rt}})
		if err != nil {
			t.Fatal(err)
		}
		get := func() error {
			var out map[string]any
			return c.sdk.Execute(t.Context(), http.MethodGet, "zones/z", nil, &out)
		}
		errs := make(chan error, 4)
		go func() { errs <- get() }()
		synctest.Wait() // the first request has been refused
		for range 3 {
			go func() { errs <- get() }()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Errorf("request: %v", err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(sent) != 5 {
			t.Fatalf("sent %d requests, want 5 (one refused, its retry, three more)", len(sent))
		}
		for i, at := range sent[1:] {
			if at != 2*time.Second {
				t.Errorf("request %d went out at %v, want at the Retry-After (2s)", i+2, at)
			}
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func answer(req *http.Request, status int, h http.Header, body string) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}
}
