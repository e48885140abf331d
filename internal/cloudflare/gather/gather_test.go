package gather

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestWindow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rps  float64
		want string
	}{{1, "5s"}, {4, "4s"}, {8, "2s"}, {100, "500ms"}, {1000, "500ms"}, {0, "500ms"}} {
		if got := Window(tt.rps).String(); got != tt.want {
			t.Errorf("Window(%v) = %s, want %s", tt.rps, got, tt.want)
		}
	}
}

// recorder is a write that answers each call with ten times its input and
// records when each batch went out and how big it was.
type recorder struct {
	mu    sync.Mutex
	start time.Time
	sizes []int
	at    []time.Duration
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

func (r *recorder) write(_ context.Context, batch []*Call[int, int]) {
	r.mu.Lock()
	r.sizes = append(r.sizes, len(batch))
	r.at = append(r.at, time.Since(r.start))
	r.mu.Unlock()
	for _, call := range batch {
		call.Finish(call.In*10, nil)
	}
}

// submitAll submits 0..n-1 concurrently, checks each caller's own result,
// and waits for them all.
func submitAll(t *testing.T, g *Gatherer[int, int], n int, release func(int)) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if release != nil {
				defer release(i)
			}
			if got, err := g.Submit(t.Context(), i); err != nil || got != i*10 {
				t.Errorf("call %d: %d, %v; want %d", i, got, err, i*10)
			}
		})
	}
	wg.Wait()
}

// TestGathererLimit: calls beyond the limit go out in further batches, and
// each caller gets the result of its own call.
func TestGathererLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const calls, limit = 7, 3
		rec := newRecorder()
		g := New(MinWindow, limit, rec.write)
		submitAll(t, g, calls, nil)
		total := 0
		for _, n := range rec.sizes {
			if n > limit {
				t.Errorf("a batch of %d calls, want at most %d (batches %v)", n, limit, rec.sizes)
			}
			total += n
		}
		if total != calls || len(rec.sizes) < 3 {
			t.Errorf("batches %v, want %d calls in at least 3 batches", rec.sizes, calls)
		}
	})
}

// TestGathererWaitsOutTheWindow: unannounced calls go out together once
// the oldest has waited the window, not earlier.
func TestGathererWaitsOutTheWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		g := New(MaxWindow, 0, rec.write)
		submitAll(t, g, 4, nil)
		if len(rec.sizes) != 1 || rec.sizes[0] != 4 || rec.at[0] != MaxWindow {
			t.Errorf("batches %v at %v, want one of 4 at %s", rec.sizes, rec.at, MaxWindow)
		}
	})
}

// TestGathererFullHouse: once a batch has gone out, a batch whose
// announced calls are all queued, and as many as were announced at once
// before, goes out at once; the first one waits Settle.
func TestGathererFullHouse(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const callers = 5
		rec := newRecorder()
		g := New(MaxWindow, 0, rec.write)
		for range 2 {
			releases := make([]func(), callers)
			for i := range releases {
				releases[i] = g.Expect()
			}
			submitAll(t, g, callers, func(i int) { releases[i]() })
			time.Sleep(time.Second)
		}
		if want := []time.Duration{Settle, Settle + time.Second}; len(rec.sizes) != 2 || rec.sizes[0] != callers || rec.sizes[1] != callers ||
			rec.at[0] != want[0] || rec.at[1] != want[1] {
			t.Errorf("batches %v at %v, want two of %d at %v", rec.sizes, rec.at, callers, want)
		}
	})
}

// TestGathererAnnounced: once every announced call is queued, the batch
// waits only Settle; a caller that releases its announcement without a
// call is not waited for, and releasing twice is harmless.
func TestGathererAnnounced(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const callers = 5
		rec := newRecorder()
		g := New(MaxWindow, 0, rec.write)
		releases := make([]func(), callers)
		for i := range releases {
			releases[i] = g.Expect()
		}
		releases[callers-1]() // one gives up before its call
		releases[callers-1]() // twice is harmless
		submitAll(t, g, callers-1, func(i int) { releases[i]() })
		if len(rec.sizes) != 1 || rec.sizes[0] != callers-1 || rec.at[0] != Settle {
			t.Errorf("batches %v at %v, want one of %d at %s", rec.sizes, rec.at, callers-1, Settle)
		}
		if n := g.Announced(); n != 0 {
			t.Errorf("%d announcements left, want 0", n)
		}
	})
}

// TestGathererWaitsForAnnounced: an announced call not yet queued holds
// the batch back until it arrives, within the window.
func TestGathererWaitsForAnnounced(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		g := New(MaxWindow, 0, rec.write)
		late := g.Expect()
		early := g.Expect()
		var wg sync.WaitGroup
		wg.Go(func() {
			defer early()
			_, _ = g.Submit(t.Context(), 1)
		})
		time.Sleep(time.Second)
		wg.Go(func() {
			defer late()
			_, _ = g.Submit(t.Context(), 2)
		})
		wg.Wait()
		if want := time.Second + Settle; len(rec.sizes) != 1 || rec.sizes[0] != 2 || rec.at[0] != want {
			t.Errorf("batches %v at %v, want one of 2 at %s", rec.sizes, rec.at, want)
		}
	})
}

// TestGathererCancelled: a caller that gives up gets its context's error
// and is left out of the batch; the others are written without it.
func TestGathererCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		g := New(MinWindow, 0, rec.write)
		gone, cancel := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() {
			_, err := g.Submit(gone, 7)
			errc <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller: %v, want context.Canceled", err)
		}
		submitAll(t, g, 2, nil)
		if len(rec.sizes) != 1 || rec.sizes[0] != 2 {
			t.Errorf("batches %v, want one of the 2 live calls", rec.sizes)
		}
	})
}
