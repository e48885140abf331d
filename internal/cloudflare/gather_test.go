package cloudflare

import (
	"context"
	"sync"
	"testing"
)

func TestGatherWindow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rps  float64
		want string
	}{{1, "5s"}, {4, "4s"}, {8, "2s"}, {100, "500ms"}, {1000, "500ms"}} {
		if got := gatherWindow(tt.rps).String(); got != tt.want {
			t.Errorf("gatherWindow(%v) = %s, want %s", tt.rps, got, tt.want)
		}
	}
}

// TestGathererLimit: calls beyond the limit go out in further batches, and
// each caller gets the result of its own call.
func TestGathererLimit(t *testing.T) {
	t.Parallel()
	const calls, limit = 7, 3
	var mu sync.Mutex
	var sizes []int
	g := newGatherer(minGather, limit, func(_ context.Context, batch []*batchCall[int, int]) {
		mu.Lock()
		sizes = append(sizes, len(batch))
		mu.Unlock()
		for _, call := range batch {
			call.finish(call.in*10, nil)
		}
	})
	ctx := testContext(t)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			if got, err := g.submit(ctx, i); err != nil || got != i*10 {
				t.Errorf("call %d: %d, %v; want %d", i, got, err, i*10)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range sizes {
		if n > limit {
			t.Errorf("a batch of %d calls, want at most %d (batches %v)", n, limit, sizes)
		}
		total += n
	}
	if total != calls || len(sizes) < 3 {
		t.Errorf("batches %v, want %d calls in at least 3 batches", sizes, calls)
	}
}
