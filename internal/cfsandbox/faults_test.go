package cfsandbox

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestRateLimitBurst(t *testing.T) {
	for _, tc := range []struct {
		retryAfter time.Duration
		header     string
	}{
		{0, "1"},
		{1500 * time.Millisecond, "2"},
		{3 * time.Second, "3"},
	} {
		t.Run(tc.header, func(t *testing.T) {
			h := newHarness(t)
			h.s.SetFaults(Faults{RateLimitBurst: 3, RetryAfter: tc.retryAfter})
			for i := range 3 {
				// Faults come before auth: even a bad token sees the 429.
				r := h.doToken("wrong", http.MethodGet, "/zones", nil)
				expectError(t, r, 429, 971)
				if r.env.Errors[0].Message != "Please wait and consider throttling your request speed" {
					t.Errorf("message %q", r.env.Errors[0].Message)
				}
				if got := r.header.Get("Retry-After"); got != tc.header {
					t.Errorf("request %d: Retry-After %q, want %q", i, got, tc.header)
				}
			}
			h.ok(http.MethodGet, "/zones", nil, nil)
		})
	}
}

func TestFail5xxNext(t *testing.T) {
	h := newHarness(t)
	h.s.SetFaults(Faults{Fail5xxNext: 2, RateLimitBurst: 1})
	expectError(t, h.do(http.MethodGet, "/zones", nil), 429, 971)
	expectError(t, h.do(http.MethodGet, "/zones", nil), 503, codeInternal)
	expectError(t, h.do(http.MethodGet, "/zones", nil), 503, codeInternal)
	h.ok(http.MethodGet, "/zones", nil, nil)
	if r := h.doToken("wrong", http.MethodGet, "/zones", nil); r.status != 403 {
		t.Errorf("after the faults, auth applies again: %d", r.status)
	}
}

func TestErrorRate(t *testing.T) {
	h := newHarness(t)
	h.s.SetFaults(Faults{ErrorRate: 1})
	var statuses []int
	for range 6 {
		r := h.do(http.MethodGet, "/zones", nil)
		statuses = append(statuses, r.status)
		if r.env.Success || len(r.env.Errors) != 1 {
			t.Fatalf("5xx without an error envelope: %+v", r.env)
		}
	}
	if want := []int{500, 502, 503, 500, 502, 503}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}

	// The same seed gives the same sequence of failures.
	run := func(seed int64) []bool {
		h.s.SetFaults(Faults{ErrorRate: 0.5, Seed: seed})
		var failed []bool
		for range 40 {
			failed = append(failed, h.do(http.MethodGet, "/zones", nil).status >= 500)
		}
		return failed
	}
	a, b, c := run(7), run(7), run(8)
	if !slices.Equal(a, b) {
		t.Error("same seed, different failures")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same 40 outcomes")
	}
	if n := countTrue(a); n < 8 || n > 32 {
		t.Errorf("%d of 40 failed at rate 0.5", n)
	}
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func TestLimiterWindow(t *testing.T) {
	var fs faultState
	fs.reset(Faults{RateLimit: 3, RateLimitWindow: time.Minute})
	t0 := time.Unix(1_000_000, 0)
	for i := range 3 {
		if e, _ := fs.next(t0.Add(time.Duration(i) * time.Second)); e != nil {
			t.Fatalf("request %d limited", i)
		}
	}
	e, wait := fs.next(t0.Add(10 * time.Second))
	if e == nil || e.status != 429 || e.code != 971 || wait != 50*time.Second {
		t.Fatalf("4th request: %v, wait %v; want 429 and 50s", e, wait)
	}
	// Rejected requests do not use up the allowance: once the first request
	// leaves the window, one more is admitted.
	if e, _ := fs.next(t0.Add(60*time.Second + time.Millisecond)); e != nil {
		t.Fatalf("request after the window: %v", e)
	}
	if e, _ := fs.next(t0.Add(60*time.Second + 2*time.Millisecond)); e == nil {
		t.Fatal("window holds 3 again, yet admitted")
	}
}

func TestLimiterHTTP(t *testing.T) {
	h := newHarness(t)
	h.s.SetFaults(Faults{RateLimit: 5, RateLimitWindow: 400 * time.Millisecond})
	for range 5 {
		h.ok(http.MethodGet, "/zones", nil, nil)
	}
	r := h.do(http.MethodGet, "/zones", nil)
	expectError(t, r, 429, 971)
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	time.Sleep(450 * time.Millisecond)
	h.ok(http.MethodGet, "/zones", nil, nil)
	// SetFaults replaces everything: no limiter any more.
	h.s.SetFaults(Faults{})
	for range 10 {
		h.ok(http.MethodGet, "/zones", nil, nil)
	}
}

func TestLatency(t *testing.T) {
	h := newHarness(t)
	h.s.SetFaults(Faults{Latency: 60 * time.Millisecond})
	start := time.Now()
	h.ok(http.MethodGet, "/zones", nil, nil)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("request took %v, want ≥ 60ms", d)
	}
}

func TestCounters(t *testing.T) {
	h := newHarness(t)
	h.createRecord(map[string]any{"type": "A", "name": "a", "content": "192.0.2.1"})
	h.s.ResetCounts()
	h.listRecords("")
	h.listRecords("page=2")
	rec := h.createRecord(map[string]any{"type": "A", "name": "b", "content": "192.0.2.1"})
	h.ok(http.MethodGet, h.zonePath("/dns_records/"+rec.ID), nil, nil)
	h.ok(http.MethodPut, h.accountPath("/cfd_tunnel/"+h.tunnel.ID+"/configurations"),
		map[string]any{"config": map[string]any{"ingress": []any{map[string]any{"service": "http_status:404"}}}}, nil)
	h.s.SetFaults(Faults{RateLimitBurst: 1})
	h.do(http.MethodGet, h.zonePath("/dns_records"), nil) // faulted, still counted
	h.do(http.MethodGet, "/nowhere", nil)
	h.do(http.MethodPost, "/zones", nil)

	want := map[string]int{
		"GET /zones/{zone_id}/dns_records":                                 3,
		"POST /zones/{zone_id}/dns_records":                                1,
		"GET /zones/{zone_id}/dns_records/{dns_record_id}":                 1,
		"PUT /accounts/{account_id}/cfd_tunnel/{tunnel_id}/configurations": 1,
		"GET (no route)": 1,
		"POST /zones":    1,
	}
	got := h.s.Counts()
	if len(got) != len(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d, want %d", k, got[k], n)
		}
	}
	if h.s.Total() != 8 || len(h.s.RequestTimes()) != 8 {
		t.Errorf("total %d, times %d; want 8", h.s.Total(), len(h.s.RequestTimes()))
	}
	got["POST /zones"] = 99
	if h.s.Counts()["POST /zones"] != 1 {
		t.Error("Counts shares its map")
	}
	h.s.ResetCounts()
	if h.s.Total() != 0 || len(h.s.Counts()) != 0 || len(h.s.RequestTimes()) != 0 || h.s.MaxInWindow(time.Hour) != 0 {
		t.Error("ResetCounts left something")
	}
}

func TestMaxInWindow(t *testing.T) {
	s := New(Options{})
	t0 := time.Unix(1_000_000, 0)
	// 3 requests in the first minute, 5 between 4:00 and 4:59, 2 at 9:00.
	offsets := []time.Duration{0, 30 * time.Second, 59 * time.Second,
		4 * time.Minute, 4*time.Minute + 10*time.Second, 4*time.Minute + 20*time.Second,
		4*time.Minute + 30*time.Second, 4*time.Minute + 59*time.Second,
		9 * time.Minute, 9 * time.Minute}
	for _, d := range offsets {
		s.counters.add("GET /zones", t0.Add(d))
	}
	for _, tc := range []struct {
		window time.Duration
		want   int
	}{
		{time.Nanosecond, 2},             // the two at 9:00
		{time.Minute, 5},                 // 4:00 .. 4:59
		{5 * time.Minute, 8},             // 0:00 .. 4:59
		{4*time.Minute + time.Second, 6}, // 0:30 .. 4:30
		{10 * time.Minute, 10},
		{0, 0},
	} {
		if got := s.MaxInWindow(tc.window); got != tc.want {
			t.Errorf("MaxInWindow(%v) = %d, want %d", tc.window, got, tc.want)
		}
	}
}
