package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
)

// TestRateLimitBurstHonoursRetryAfter: a burst of 429s with Retry-After is
// absorbed by the retries, every 429 costs exactly one request, and the
// client waits the advertised time before each retry.
func TestRateLimitBurstHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		burst      int
		maxRetries int
		wantErr    bool
		wantCount  int
		minElapsed time.Duration
	}{
		{name: "burst absorbed", burst: 2, maxRetries: 3, wantCount: 3, minElapsed: 1900 * time.Millisecond},
		{name: "burst outlives retries", burst: 2, maxRetries: 1, wantErr: true, wantCount: 2, minElapsed: 900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = tt.maxRetries })
			ctx := testContext(t)
			sb.api.SetFaults(cfsandbox.Faults{RateLimitBurst: tt.burst, RetryAfter: time.Second})

			start := time.Now()
			_, err := c.ListDNSRecords(ctx, sb.zone.ID, DNSFilter{})
			elapsed := time.Since(start)

			if tt.wantErr {
				if !isRateLimited(err) {
					t.Fatalf("err = %v, want a rate-limited APIError", err)
				}
			} else if err != nil {
				t.Fatalf("ListDNSRecords: %v", err)
			}
			if got := sb.count(keyListRecords); got != tt.wantCount {
				t.Errorf("sandbox counted %d list requests, want %d (counts %v)", got, tt.wantCount, sb.api.Counts())
			}
			if got := sb.api.Total(); got != tt.wantCount {
				t.Errorf("sandbox counted %d requests in all, want %d", got, tt.wantCount)
			}
			if elapsed < tt.minElapsed {
				t.Errorf("took %v, want at least %v: Retry-After was not honoured", elapsed, tt.minElapsed)
			}
		})
	}
}

// TestServerErrorsRetriedUpToMaxRetries: a run of 503s is retried exactly
// MaxRetries times; one more than that surfaces as a clear *APIError.
func TestServerErrorsRetriedUpToMaxRetries(t *testing.T) {
	t.Parallel()
	for _, maxRetries := range []int{0, 1, 3} {
		tests := []struct {
			name    string
			fail    int
			wantErr bool
		}{
			{name: "one more than MaxRetries fails", fail: maxRetries + 1, wantErr: true},
			{name: "exactly MaxRetries succeeds", fail: maxRetries},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("MaxRetries=%d/%s", maxRetries, tt.name), func(t *testing.T) {
				t.Parallel()
				sb := newSandbox(t)
				c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = maxRetries })
				ctx := testContext(t)
				rec := createRecord(t, c, sb.zone.ID, "www")
				sb.api.ResetCounts()
				sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: tt.fail})

				got, err := getDNSRecord(ctx, c, sb.zone.ID, rec.ID)

				wantCount := tt.fail + 1
				if tt.wantErr {
					wantCount = maxRetries + 1
					var apiErr *APIError
					if !errors.As(err, &apiErr) {
						t.Fatalf("err = %v (%T), want *APIError", err, err)
					}
					if apiErr.StatusCode != http.StatusServiceUnavailable {
						t.Errorf("StatusCode = %d, want 503", apiErr.StatusCode)
					}
					msg := err.Error()
					wantPath := "/client/v4/zones/" + sb.zone.ID + "/dns_records/" + rec.ID
					for _, want := range []string{"GET", wantPath, "HTTP 503"} {
						if !strings.Contains(msg, want) {
							t.Errorf("error %q does not mention %q", msg, want)
						}
					}
					if IsNotFound(err) || isConflict(err) || isRateLimited(err) {
						t.Errorf("a 503 classified as not-found, conflict or rate-limited: %v", err)
					}
				} else {
					if err != nil {
						t.Fatalf("getDNSRecord: %v", err)
					}
					if got.ID != rec.ID || got.Name != "www.example.com" {
						t.Errorf("got %+v, want record %s www.example.com", got, rec.ID)
					}
				}
				if n := sb.count(keyGetRecord); n != wantCount {
					t.Errorf("sandbox counted %d GET requests, want %d", n, wantCount)
				}
			})
		}
	}
}

// TestNoRetryBeyondMaxRetriesZero: with MaxRetries 0 the SDK must not retry
// on its own either, whatever the retryable failure.
func TestNoRetryBeyondMaxRetriesZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		faults     cfsandbox.Faults
		wantStatus int
	}{
		{name: "429 with Retry-After", faults: cfsandbox.Faults{RateLimitBurst: 5, RetryAfter: time.Second}, wantStatus: http.StatusTooManyRequests},
		{name: "503", faults: cfsandbox.Faults{Fail5xxNext: 5}, wantStatus: http.StatusServiceUnavailable},
		{name: "random 5xx", faults: cfsandbox.Faults{ErrorRate: 1, Seed: 7}, wantStatus: http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = 0 })
			sb.api.SetFaults(tt.faults)

			_, err := c.ListDNSRecords(testContext(t), sb.zone.ID, DNSFilter{})

			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.wantStatus {
				t.Fatalf("err = %v, want *APIError with status %d", err, tt.wantStatus)
			}
			if got := sb.api.Total(); got != 1 {
				t.Errorf("sandbox counted %d requests, want exactly 1", got)
			}
		})
	}
}

// TestNegativeMaxRetriesMeansNone: a negative MaxRetries is clamped to 0.
func TestNegativeMaxRetriesMeansNone(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = -3 })
	sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 5})
	if _, err := c.ListDNSRecords(testContext(t), sb.zone.ID, DNSFilter{}); err == nil {
		t.Fatal("ListDNSRecords succeeded through a 503")
	}
	if got := sb.api.Total(); got != 1 {
		t.Errorf("sandbox counted %d requests, want 1", got)
	}
}

// signalTransport reports every response it passes on.
type signalTransport struct {
	next      http.RoundTripper
	responses chan int // status codes
}

func (s *signalTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err == nil {
		select {
		case s.responses <- resp.StatusCode:
		default:
		}
	}
	return resp, err
}

// TestContextEndsRetryAfterWait: cancelling the context, or its deadline
// passing, while the client waits out a long Retry-After returns at once
// with the context's error and sends nothing more.
func TestContextEndsRetryAfterWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		timeout time.Duration // 0: cancel explicitly once the 429 arrived
		want    error
	}{
		{name: "cancel", want: context.Canceled},
		{name: "deadline", timeout: 300 * time.Millisecond, want: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			st := &signalTransport{next: http.DefaultTransport, responses: make(chan int, 1)}
			c := sb.client(t, func(cfg *Config) {
				cfg.MaxRetries = 5
				cfg.HTTPClient = &http.Client{Transport: st}
			})
			sb.api.SetFaults(cfsandbox.Faults{RateLimitBurst: 1, RetryAfter: 60 * time.Second})

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.timeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			done := make(chan error, 1)
			start := time.Now()
			go func() {
				_, err := c.ListDNSRecords(ctx, sb.zone.ID, DNSFilter{})
				done <- err
			}()
			select {
			case status := <-st.responses:
				if status != http.StatusTooManyRequests {
					t.Fatalf("first response %d, want 429", status)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no response arrived")
			}
			if tt.timeout == 0 {
				cancel()
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the call did not return within 10s of the context ending (Retry-After is 60s)")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v (%T), want %v", err, err, tt.want)
			}
			if elapsed := time.Since(start); elapsed > 10*time.Second {
				t.Errorf("took %v, the Retry-After wait was not interrupted", elapsed)
			}
			if got := sb.api.Total(); got != 1 {
				t.Errorf("sandbox counted %d requests, want 1 (nothing after the context ended)", got)
			}
		})
	}
}

// TestPacingWaitCannotOutliveDeadline: when the limiter cannot grant a
// request before the context's deadline, the caller sees
// context.DeadlineExceeded (not an opaque limiter error) and nothing is sent.
func TestPacingWaitCannotOutliveDeadline(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, func(cfg *Config) { cfg.RequestsPerSecond = 0.2 }) // one request per 5s, burst 1
	if _, err := c.ListDNSRecords(testContext(t), sb.zone.ID, DNSFilter{}); err != nil {
		t.Fatalf("first request: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.ListDNSRecords(ctx, sb.zone.ID, DNSFilter{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v (%T), want context.DeadlineExceeded", err, err)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		t.Errorf("a context error surfaced as an APIError: %v", err)
	}
	if got := sb.api.Total(); got != 1 {
		t.Errorf("sandbox counted %d requests, want 1", got)
	}
}

// TestPacing: the client-side limiter spaces requests out; a high limit
// does not slow them down.
func TestPacing(t *testing.T) {
	t.Parallel()
	const requests = 15
	tests := []struct {
		name       string
		rps        float64
		minElapsed time.Duration
		maxElapsed time.Duration
	}{
		// 5 at once (the burst), then 10 more at 200ms each: ≥ 2s.
		{name: "5 rps", rps: 5, minElapsed: 1800 * time.Millisecond},
		{name: "1000 rps", rps: 1000, maxElapsed: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			c := sb.client(t, func(cfg *Config) { cfg.RequestsPerSecond = tt.rps })
			ctx := testContext(t)
			start := time.Now()
			for i := range requests {
				if _, err := c.ListDNSRecords(ctx, sb.zone.ID, DNSFilter{}); err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
			}
			elapsed := time.Since(start)
			if got := sb.count(keyListRecords); got != requests {
				t.Errorf("sandbox counted %d requests, want %d", got, requests)
			}
			if tt.minElapsed > 0 && elapsed < tt.minElapsed {
				t.Errorf("%d requests at %v rps took %v, want at least %v", requests, tt.rps, elapsed, tt.minElapsed)
			}
			if tt.maxElapsed > 0 && elapsed > tt.maxElapsed {
				t.Errorf("%d requests at %v rps took %v, want under %v", requests, tt.rps, elapsed, tt.maxElapsed)
			}
		})
	}
}

// TestDefaults: a zero Config gets the documented defaults, seen from the
// wire: no cap on the rate (the default budget admits a burst at once) and
// a 500ms first back-off.
func TestDefaults(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{}); err == nil {
		t.Error("New without a token succeeded")
	}
	c, err := New(Config{APIToken: "x"})
	if err != nil {
		t.Fatalf("New with only a token: %v", err)
	}
	if c.AccountID() != "" {
		t.Errorf("AccountID = %q, want empty", c.AccountID())
	}

	t.Run("pacing", func(t *testing.T) {
		t.Parallel()
		sb := newSandbox(t)
		c := sb.client(t, func(cfg *Config) { cfg.RequestsPerSecond, cfg.RequestBudget = 0, 0 })
		if got, want := c.requests.limit, DefaultRequestBudget-DefaultRequestBudget/100; got != want {
			t.Errorf("default budget admits %d per window, want %d", got, want)
		}
		ctx := testContext(t)
		start := time.Now()
		// 40 requests, ten times the old burst: none waits for pacing.
		for i := range 40 {
			if _, err := c.ListDNSRecords(ctx, sb.zone.ID, DNSFilter{}); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("40 requests with the default budget took %v, want them at the API's speed", elapsed)
		}
	})
	t.Run("back-off", func(t *testing.T) {
		t.Parallel()
		sb := newSandbox(t)
		c := sb.client(t, func(cfg *Config) { cfg.RetryBaseDelay = 0 })
		sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 1})
		start := time.Now()
		if _, err := c.ListDNSRecords(testContext(t), sb.zone.ID, DNSFilter{}); err != nil {
			t.Fatalf("ListDNSRecords: %v", err)
		}
		// The first back-off is 500ms minus at most an eighth.
		if elapsed := time.Since(start); elapsed < 430*time.Millisecond {
			t.Errorf("one retry with the default back-off took %v, want at least 430ms", elapsed)
		}
		if got := sb.api.Total(); got != 2 {
			t.Errorf("sandbox counted %d requests, want 2", got)
		}
	})
}

// failingTransport fails the first fail round trips with a transport error.
type failingTransport struct {
	next  http.RoundTripper
	fail  int32
	calls atomic.Int32
}

func (f *failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.calls.Add(1) <= f.fail {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, errors.New("connection reset by peer")
	}
	return f.next.RoundTrip(req)
}

// TestTransportErrorsRetried: connection failures are retried like 5xx and,
// past MaxRetries, surface as a wrapped non-API error.
func TestTransportErrorsRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fail      int32
		wantErr   bool
		wantCalls int32
		wantSeen  int
	}{
		{name: "recovered", fail: 2, wantCalls: 3, wantSeen: 1},
		{name: "exhausted", fail: 10, wantErr: true, wantCalls: 4, wantSeen: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			ft := &failingTransport{next: http.DefaultTransport, fail: tt.fail}
			c := sb.client(t, func(cfg *Config) {
				cfg.MaxRetries = 3
				cfg.HTTPClient = &http.Client{Transport: ft}
			})
			_, err := c.ListDNSRecords(testContext(t), sb.zone.ID, DNSFilter{})
			if tt.wantErr {
				var apiErr *APIError
				if err == nil || errors.As(err, &apiErr) {
					t.Fatalf("err = %v, want a non-API transport error", err)
				}
				if !strings.Contains(err.Error(), "connection reset by peer") {
					t.Errorf("error %q hides the transport failure", err)
				}
			} else if err != nil {
				t.Fatalf("ListDNSRecords: %v", err)
			}
			if got := ft.calls.Load(); got != tt.wantCalls {
				t.Errorf("%d round trips, want %d", got, tt.wantCalls)
			}
			if got := sb.api.Total(); got != tt.wantSeen {
				t.Errorf("sandbox saw %d requests, want %d", got, tt.wantSeen)
			}
		})
	}
}

// TestRetryResendsBody: a POST retried after a 503 sends its body again.
func TestRetryResendsBody(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	sb.api.SetFaults(cfsandbox.Faults{Fail5xxNext: 2})
	rec, err := c.CreateCNAME(testContext(t), sb.zone.ID, CNAME{Name: "app", Target: "t.example.net", Comment: "managed"})
	if err != nil {
		t.Fatalf("CreateCNAME after two 503s: %v", err)
	}
	if got := sb.count(keyCreateRecord); got != 3 {
		t.Errorf("sandbox counted %d POSTs, want 3", got)
	}
	recs := sb.api.DNSRecords(sb.zone.ID)
	if len(recs) != 1 {
		t.Fatalf("zone has %d records, want 1", len(recs))
	}
	r := recs[0]
	if r.ID != rec.ID || r.Name != "app.example.com" || r.Type != "CNAME" || r.Content != "t.example.net" || !r.Proxied || r.TTL != 1 {
		t.Errorf("stored %+v", r)
	}
	if r.Comment == nil || *r.Comment != "managed" {
		t.Errorf("comment = %v, want managed", r.Comment)
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int // 0: no response, a transport error
		shouldRetry string
		want        bool
	}{
		{name: "transport error", want: true},
		{name: "429", status: http.StatusTooManyRequests, want: true},
		{name: "500", status: http.StatusInternalServerError, want: true},
		{name: "502", status: http.StatusBadGateway, want: true},
		{name: "503", status: http.StatusServiceUnavailable, want: true},
		{name: "503 with X-Should-Retry false", status: http.StatusServiceUnavailable, shouldRetry: "false", want: false},
		{name: "200", status: http.StatusOK, want: false},
		{name: "400", status: http.StatusBadRequest, want: false},
		{name: "403", status: http.StatusForbidden, want: false},
		{name: "404", status: http.StatusNotFound, want: false},
		{name: "409", status: http.StatusConflict, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *http.Response
			var err error
			if tt.status == 0 {
				err = errors.New("EOF")
			} else {
				resp = &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: http.NoBody}
				if tt.shouldRetry != "" {
					resp.Header.Set("X-Should-Retry", tt.shouldRetry)
				}
			}
			if got := retryable(resp, err); got != tt.want {
				t.Errorf("retryable = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	tr := &transport{baseDelay: 100 * time.Millisecond}
	// Exponential delays are d - d/8 plus up to d/4 of jitter.
	around := func(d time.Duration) [2]time.Duration { return [2]time.Duration{d - d/8, d + d/8} }
	exactly := func(d time.Duration) [2]time.Duration { return [2]time.Duration{d, d} }
	tests := []struct {
		name       string
		attempt    int
		status     int    // 0: no response (transport error)
		retryAfter string // Retry-After header, if any
		want       [2]time.Duration
	}{
		{name: "Retry-After seconds", status: 429, retryAfter: "2", want: exactly(2 * time.Second)},
		{name: "Retry-After fraction", status: 429, retryAfter: "0.5", want: exactly(500 * time.Millisecond)},
		{name: "Retry-After zero", status: 429, retryAfter: "0", want: exactly(0)},
		{name: "Retry-After wins over attempt", attempt: 6, status: 429, retryAfter: "1", want: exactly(time.Second)},
		{name: "Retry-After on a 503", status: 503, retryAfter: "3", want: exactly(3 * time.Second)},
		{name: "Retry-After HTTP date", status: 429, retryAfter: time.Now().Add(20 * time.Second).UTC().Format(http.TimeFormat), want: [2]time.Duration{15 * time.Second, 20 * time.Second}},
		{name: "Retry-After date in the past", status: 429, retryAfter: time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), want: exactly(0)},
		{name: "Retry-After garbage falls back", status: 429, retryAfter: "soon", want: around(100 * time.Millisecond)},
		{name: "Retry-After negative falls back", status: 429, retryAfter: "-5", want: around(100 * time.Millisecond)},
		{name: "no response, attempt 0", want: around(100 * time.Millisecond)},
		{name: "503 without header, attempt 1", attempt: 1, status: 503, want: around(200 * time.Millisecond)},
		{name: "attempt 3", attempt: 3, want: around(800 * time.Millisecond)},
		{name: "capped", attempt: 12, want: around(maxBackoff)},
		{name: "capped on overflow", attempt: 70, want: around(maxBackoff)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *http.Response
			if tt.status != 0 {
				resp = &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: http.NoBody}
				if tt.retryAfter != "" {
					resp.Header.Set("Retry-After", tt.retryAfter)
				}
			}
			for range 50 { // jitter is random
				got := tr.backoff(tt.attempt, resp)
				if got < tt.want[0] || got > tt.want[1] {
					t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tt.attempt, got, tt.want[0], tt.want[1])
				}
			}
		})
	}
}
