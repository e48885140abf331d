package secrets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	onepassword "github.com/1password/onepassword-sdk-go"
)

// countingResolver is a plain Resolver (no bulk call) over a Static that
// counts what it is asked; fail replaces the answer of some references.
type countingResolver struct {
	values Static
	fail   map[string]error

	mu    sync.Mutex
	asked map[string]int
}

func (c *countingResolver) Resolve(ctx context.Context, ref string) (string, error) {
	c.mu.Lock()
	if c.asked == nil {
		c.asked = map[string]int{}
	}
	c.asked[ref]++
	c.mu.Unlock()
	if err := c.fail[ref]; err != nil {
		return "", err
	}
	return c.values.Resolve(ctx, ref)
}

func (c *countingResolver) count(ref string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.asked[ref]
}

func (c *countingResolver) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.asked {
		n += v
	}
	return n
}

var errRequest = errors.New("rate limit exceeded")

// fakeBulk is a BulkResolver over a Static. Each request is sent on
// started (when set); with hold set it waits until hold is closed or its
// context ends (then canceled is closed).
type fakeBulk struct {
	values   Static
	leaveOut map[string]bool
	hold     chan struct{}
	started  chan []string
	canceled chan struct{}

	mu       sync.Mutex
	failNext int // requests still to fail with errRequest
	asked    map[string]int
	requests [][]string
	singles  int
}

func (f *fakeBulk) Resolve(ctx context.Context, ref string) (string, error) {
	f.mu.Lock()
	f.singles++
	f.count(ref)
	f.mu.Unlock()
	return f.values.Resolve(ctx, ref)
}

func (f *fakeBulk) ResolveBulk(ctx context.Context, refs []string) (map[string]Answer, error) {
	f.mu.Lock()
	f.requests = append(f.requests, slices.Clone(refs))
	for _, ref := range refs {
		if !f.leaveOut[ref] {
			f.count(ref)
		}
	}
	fail := f.failNext > 0
	if fail {
		f.failNext--
	}
	f.mu.Unlock()
	if f.started != nil {
		f.started <- slices.Clone(refs)
	}
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
			if f.canceled != nil {
				close(f.canceled)
			}
			return nil, ctx.Err()
		}
	}
	if fail {
		return nil, errRequest
	}
	out := map[string]Answer{}
	for _, ref := range refs {
		if f.leaveOut[ref] {
			continue
		}
		v, err := f.values.Resolve(ctx, ref)
		out[ref] = Answer{Value: v, Err: err}
	}
	return out, nil
}

// count is called with f.mu held.
func (f *fakeBulk) count(ref string) {
	if f.asked == nil {
		f.asked = map[string]int{}
	}
	f.asked[ref]++
}

func (f *fakeBulk) stats() (asked map[string]int, requests [][]string, singles int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	asked = map[string]int{}
	for k, v := range f.asked {
		asked[k] = v
	}
	return asked, slices.Clone(f.requests), f.singles
}

// refsN are n distinct references with their values.
func refsN(n int) ([]string, Static) {
	refs := make([]string, n)
	values := Static{}
	for i := range refs {
		refs[i] = fmt.Sprintf("op://homelab/item-%d/password", i)
		values[refs[i]] = fmt.Sprintf("value-%d-9c1f", i)
	}
	return refs, values
}

// waitQueued waits until n entries wait for the next request.
func waitQueued(t *testing.T, c *Client, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		got := len(c.queue)
		c.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d references queued, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func receive(t *testing.T, ch chan []string) []string {
	t.Helper()
	select {
	case refs := <-ch:
		return refs
	case <-time.After(5 * time.Second):
		t.Fatal("no request started")
		return nil
	}
}

func TestClientSingleFlight(t *testing.T) {
	refs, values := refsN(1)
	f := &fakeBulk{values: values, hold: make(chan struct{}), started: make(chan []string, 10)}
	c := NewClient(f)

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.Resolve(context.Background(), refs[0])
			if err == nil && v != values[refs[0]] {
				err = errors.New("wrong value")
			}
			errs <- err
		}()
	}
	receive(t, f.started)
	time.Sleep(20 * time.Millisecond) // let the other callers join the request in flight
	close(f.hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Kept: later callers ask nothing.
	for range 10 {
		if _, err := c.Resolve(context.Background(), refs[0]); err != nil {
			t.Fatal(err)
		}
	}
	asked, requests, _ := f.stats()
	if asked[refs[0]] != 1 || len(requests) != 1 {
		t.Fatalf("50 concurrent and 10 later callers: reference asked %d times in %d requests, want 1 in 1", asked[refs[0]], len(requests))
	}
}

// TestClientBatches: 8 resources ask 40 keys over 8 references while a
// request is out; they go together in the next request, each reference
// once.
func TestClientBatches(t *testing.T) {
	refs, values := refsN(8)
	f := &fakeBulk{values: values, hold: make(chan struct{}), started: make(chan []string, 10)}
	c := NewClient(f)

	first := make(chan error, 1)
	go func() {
		_, err := c.Resolve(context.Background(), refs[0])
		first <- err
	}()
	if got := receive(t, f.started); !slices.Equal(got, refs[:1]) {
		t.Fatalf("first request %v, want %v", got, refs[:1])
	}

	var wg sync.WaitGroup
	results := make([]map[string]string, 8)
	errs := make([]error, 8)
	for r := range 8 {
		keys := map[string]string{}
		for k := range 5 { // 40 keys, each reference in five resources
			keys[fmt.Sprintf("KEY_%d", k)] = refs[(r+k)%8]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[r], errs[r] = c.ResolveAll(context.Background(), keys)
		}()
	}
	waitQueued(t, c, 7) // refs[0] is in flight; the other seven wait
	close(f.hold)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for r := range 8 {
		if errs[r] != nil {
			t.Fatal(errs[r])
		}
		for k := range 5 {
			if got := results[r][fmt.Sprintf("KEY_%d", k)]; got != values[refs[(r+k)%8]] {
				t.Fatalf("resource %d key %d: wrong value", r, k)
			}
		}
	}
	asked, requests, singles := f.stats()
	if len(requests) != 2 || singles != 0 {
		t.Fatalf("%d bulk requests and %d single ones, want 2 and 0: %v", len(requests), singles, requests)
	}
	if second := slices.Sorted(slices.Values(requests[1])); !slices.Equal(second, refs[1:]) {
		t.Errorf("second request %v, want %v", second, refs[1:])
	}
	for _, ref := range refs {
		if asked[ref] != 1 {
			t.Errorf("%s asked %d times, want 1", ref, asked[ref])
		}
	}
}

func TestClientBulkLeavesOut(t *testing.T) {
	refs, values := refsN(3)
	f := &fakeBulk{values: values, leaveOut: map[string]bool{refs[1]: true}}
	got, err := NewClient(f).ResolveAll(context.Background(), map[string]string{"A": refs[0], "B": refs[1], "C": refs[2]})
	if err != nil {
		t.Fatal(err)
	}
	if got["B"] != values[refs[1]] {
		t.Fatal("the reference the bulk answer left out has the wrong value")
	}
	if asked, requests, singles := f.stats(); len(requests) != 1 || singles != 1 || asked[refs[1]] != 1 {
		t.Fatalf("requests %v, singles %d, asked %v: want one bulk request and the left-out reference alone", requests, singles, asked)
	}
}

func TestClientErrors(t *testing.T) {
	refs, values := refsN(2)
	missing := "op://homelab/nope/password"
	noValue := func(t *testing.T, err error) {
		t.Helper()
		for _, v := range values {
			if strings.Contains(err.Error(), v) {
				t.Errorf("error %q holds a value", err)
			}
		}
	}

	t.Run("an answer about the reference is kept", func(t *testing.T) {
		f := &fakeBulk{values: values}
		c := NewClient(f)
		for range 3 {
			_, err := c.ResolveAll(context.Background(), map[string]string{"A": refs[0], "M": missing})
			var nf *NotFoundError
			if !errors.As(err, &nf) || !strings.Contains(err.Error(), `key "M" (`+missing+`)`) {
				t.Fatalf("error %v: want a not-found naming the key and reference", err)
			}
			noValue(t, err)
		}
		if asked, requests, _ := f.stats(); asked[missing] != 1 || len(requests) != 1 {
			t.Fatalf("a missing reference asked %d times in %d requests, want once", asked[missing], len(requests))
		}
	})

	t.Run("a failed request is not kept", func(t *testing.T) {
		f := &fakeBulk{values: values, failNext: 1, hold: make(chan struct{}), started: make(chan []string, 10)}
		c := NewClient(f)
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.Resolve(context.Background(), refs[0])
				errs <- err
			}()
		}
		receive(t, f.started)
		time.Sleep(20 * time.Millisecond)
		close(f.hold)
		wg.Wait()
		close(errs)
		for err := range errs {
			if !errors.Is(err, errRequest) || !strings.Contains(err.Error(), "resolving "+refs[0]+": rate limit exceeded") {
				t.Fatalf("waiting caller got %v, want the request's failure naming the reference", err)
			}
		}
		v, err := c.Resolve(context.Background(), refs[0])
		if err != nil || v != values[refs[0]] {
			t.Fatalf("after a failed request: %v; want the value from a new request", err)
		}
		if _, requests, _ := f.stats(); len(requests) != 2 {
			t.Fatalf("%d requests, want 2 (the failed one, shared by 5 callers, then one more)", len(requests))
		}
	})

	t.Run("plain resolver: not found is kept, other errors are not", func(t *testing.T) {
		r := &countingResolver{values: values, fail: map[string]error{refs[1]: errors.New("connection reset")}}
		c := NewClient(r)
		for range 3 {
			if _, err := c.Resolve(context.Background(), missing); err == nil {
				t.Fatal("want an error")
			}
			_, err := c.Resolve(context.Background(), refs[1])
			if err == nil || !strings.Contains(err.Error(), "connection reset") {
				t.Fatalf("error %v", err)
			}
		}
		if r.count(missing) != 1 || r.count(refs[1]) != 3 {
			t.Fatalf("not found asked %d times (want 1), failing reference %d times (want 3)", r.count(missing), r.count(refs[1]))
		}
	})
}

func TestClientCancel(t *testing.T) {
	refs, values := refsN(2)

	t.Run("a caller whose context ends returns at once; the others get the value", func(t *testing.T) {
		f := &fakeBulk{values: values, hold: make(chan struct{}), started: make(chan []string, 10)}
		c := NewClient(f)
		patient := make(chan error, 1)
		go func() {
			_, err := c.Resolve(context.Background(), refs[0])
			patient <- err
		}()
		receive(t, f.started)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Resolve(ctx, refs[0])
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), refs[0]) || time.Since(start) > time.Second {
			t.Fatalf("impatient caller: %v after %v; want a prompt deadline error naming the reference", err, time.Since(start))
		}
		close(f.hold)
		if err := <-patient; err != nil {
			t.Fatalf("patient caller: %v", err)
		}
		if _, requests, _ := f.stats(); len(requests) != 1 {
			t.Fatalf("%d requests, want 1", len(requests))
		}
	})

	t.Run("a request nobody waits for is cancelled and not kept", func(t *testing.T) {
		f := &fakeBulk{values: values, hold: make(chan struct{}), started: make(chan []string, 10), canceled: make(chan struct{})}
		c := NewClient(f)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.Resolve(ctx, refs[0])
			done <- err
		}()
		receive(t, f.started)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		select {
		case <-f.canceled:
		case <-time.After(5 * time.Second):
			t.Fatal("the request went on with nobody waiting")
		}
		close(f.hold)
		if v, err := c.Resolve(context.Background(), refs[0]); err != nil || v != values[refs[0]] {
			t.Fatalf("after the cancelled request: %v", err)
		}
		if _, requests, _ := f.stats(); len(requests) != 2 {
			t.Fatalf("%d requests, want 2", len(requests))
		}
	})

	t.Run("a queued reference nobody waits for is never asked", func(t *testing.T) {
		f := &fakeBulk{values: values, hold: make(chan struct{}), started: make(chan []string, 10)}
		c := NewClient(f)
		first := make(chan error, 1)
		go func() {
			_, err := c.Resolve(context.Background(), refs[0])
			first <- err
		}()
		receive(t, f.started)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		if _, err := c.Resolve(ctx, refs[1]); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v", err)
		}
		waitQueued(t, c, 0)
		close(f.hold)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if asked, requests, _ := f.stats(); asked[refs[1]] != 0 || len(requests) != 1 {
			t.Fatalf("the abandoned reference was asked %d times in %d requests", asked[refs[1]], len(requests))
		}
	})

	t.Run("a context ended before the call asks nothing", func(t *testing.T) {
		f := &fakeBulk{values: values}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := NewClient(f).ResolveAll(ctx, map[string]string{"A": refs[0]}); !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v", err)
		}
		if _, requests, _ := f.stats(); len(requests) != 0 {
			t.Fatalf("%d requests", len(requests))
		}
	})
}

func TestClientOneTimePasswordsAreNotKept(t *testing.T) {
	otp := "op://homelab/github/one-time password?attribute=otp"
	f := &fakeBulk{values: Static{otp: "123456"}, hold: make(chan struct{}), started: make(chan []string, 10)}
	c := NewClient(f)
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Resolve(context.Background(), otp); err != nil {
				t.Error(err)
			}
		}()
	}
	receive(t, f.started)
	time.Sleep(20 * time.Millisecond)
	close(f.hold)
	wg.Wait()
	if _, err := c.Resolve(context.Background(), otp); err != nil {
		t.Fatal(err)
	}
	if asked, _, _ := f.stats(); asked[otp] != 2 {
		t.Fatalf("one-time password asked %d times, want 2 (5 concurrent callers share one, a later one asks again)", asked[otp])
	}
}

// countingSDK is the SDK's Secrets API that counts its calls.
type countingSDK struct {
	fakeSDK
	mu              sync.Mutex
	resolves, bulks int
	bulkErr         error
}

func (s *countingSDK) Resolve(ctx context.Context, ref string) (string, error) {
	s.mu.Lock()
	s.resolves++
	s.mu.Unlock()
	return s.fakeSDK.Resolve(ctx, ref)
}

func (s *countingSDK) ResolveAll(ctx context.Context, refs []string) (onepassword.ResolveAllResponse, error) {
	s.mu.Lock()
	s.bulks++
	err := s.bulkErr
	s.mu.Unlock()
	if err != nil {
		return onepassword.ResolveAllResponse{}, err
	}
	return s.fakeSDK.ResolveAll(ctx, refs)
}

func TestOnePasswordResolveBulk(t *testing.T) {
	refs, values := refsN(3)
	sdk := &countingSDK{fakeSDK: fakeSDK{values: values}}
	o := NewOnePassword(bogusToken, "test")
	o.newClient = func(context.Context) (secretsAPI, error) { return sdk, nil }

	missing, bad := "op://homelab/nope/password", "op://homelab/short"
	got, err := o.ResolveBulk(context.Background(), []string{refs[0], refs[1], missing, bad})
	if err != nil {
		t.Fatal(err)
	}
	if got[refs[0]].Value != values[refs[0]] || got[refs[1]].Value != values[refs[1]] {
		t.Fatalf("values not returned: %d answers", len(got))
	}
	if e := got[missing].Err; e == nil || e.Error() != "resolving "+missing+" through 1Password: no item matches (itemNotFound)" {
		t.Errorf("missing reference: %v", e)
	}
	if e := got[bad].Err; e == nil || !strings.Contains(e.Error(), "expected op://<vault>") {
		t.Errorf("bad syntax: %v", e)
	}
	if sdk.bulks != 1 || sdk.resolves != 0 {
		t.Fatalf("SDK calls: %d ResolveAll, %d Resolve; want one ResolveAll", sdk.bulks, sdk.resolves)
	}

	sdk.bulkErr = fmt.Errorf("rate limit exceeded for token %s", bogusToken)
	_, err = o.ResolveBulk(context.Background(), refs)
	if err == nil || err.Error() != "1Password: rate limit exceeded for token <redacted>" {
		t.Fatalf("request error %v: want the SDK's message with the token masked", err)
	}
	if _, err := NewOnePassword("", "test").ResolveBulk(context.Background(), refs); err == nil || !strings.Contains(err.Error(), "no service account token") {
		t.Fatalf("empty token: %v", err)
	}
}

// TestClientOverOnePassword: 20 resources asking 8 references at once make
// one SDK client and at most two ResolveAll calls (the first caller's, and
// everyone else's), and never a single Resolve.
func TestClientOverOnePassword(t *testing.T) {
	refs, values := refsN(8)
	sdk := &countingSDK{fakeSDK: fakeSDK{values: values}}
	o := NewOnePassword(bogusToken, "test")
	var creations atomic.Int32
	o.newClient = func(context.Context) (secretsAPI, error) {
		creations.Add(1)
		time.Sleep(50 * time.Millisecond)
		return sdk, nil
	}
	c := NewClient(o)
	var wg sync.WaitGroup
	for r := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys := map[string]string{"A": refs[r%8], "B": refs[(r+3)%8]}
			got, err := c.ResolveAll(context.Background(), keys)
			if err != nil || got["A"] != values[refs[r%8]] {
				t.Errorf("resource %d: %v", r, err)
			}
		}()
	}
	wg.Wait()
	if creations.Load() != 1 || sdk.bulks > 2 || sdk.bulks < 1 || sdk.resolves != 0 {
		t.Fatalf("%d clients, %d ResolveAll and %d Resolve calls; want 1 client, 1-2 ResolveAll, no Resolve", creations.Load(), sdk.bulks, sdk.resolves)
	}
}

func TestReferenceFailure(t *testing.T) {
	tests := []struct {
		err  onepassword.ResolveReferenceError
		want string
	}{
		{onepassword.NewResolveReferenceErrorTypeVariantItemNotFound(), "no item matches (itemNotFound)"},
		{onepassword.NewResolveReferenceErrorTypeVariantTooManyItems(), "more than one item matches; use the item's id (tooManyItems)"},
		{onepassword.NewResolveReferenceErrorTypeVariantParsing("missing field"), "1Password cannot parse the reference: missing field (parsing)"},
		{onepassword.NewResolveReferenceErrorTypeVariantUnableToGenerateTOTPCode("seed JBSWY3DP is invalid"), "1Password cannot resolve it (unableToGenerateTotpCode)"},
		{onepassword.NewResolveReferenceErrorTypeVariantOther(), "1Password cannot resolve it (other)"},
	}
	for _, tt := range tests {
		if got := referenceFailure(tt.err); got != tt.want {
			t.Errorf("referenceFailure(%s) = %q, want %q", tt.err.Type, got, tt.want)
		}
	}
}
