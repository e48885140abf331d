package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
)

// TestUpdateTunnelConfigAttributesFailures: in one batch, a mutation that
// errors and one whose document the API rejects (1056) fail alone; every
// other change is written.
func TestUpdateTunnelConfigAttributesFailures(t *testing.T) {
	t.Parallel()
	const good = 12
	sb := newSandbox(t)
	c := sb.client(t, nil) // the 500 ms window gathers them all
	ctx := testContext(t)
	boom := errors.New("boom")
	noCatchAll := func(json.RawMessage) (json.RawMessage, bool, error) {
		return json.RawMessage(`{"ingress":[{"hostname":"bad.example.com","service":"http://x:1"}]}`), true, nil
	}
	failing := func(json.RawMessage) (json.RawMessage, bool, error) { return nil, false, boom } //nolint:unparam // a mutation's signature

	var wg sync.WaitGroup
	errs := make([]error, good+2)
	for i := range good {
		wg.Go(func() {
			_, errs[i] = c.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule(fmt.Sprintf("h%02d.example.com", i)))
		})
	}
	wg.Go(func() { _, errs[good] = c.UpdateTunnelConfig(ctx, sb.tunnel.ID, noCatchAll) })
	wg.Go(func() { _, errs[good+1] = c.UpdateTunnelConfig(ctx, sb.tunnel.ID, failing) })
	wg.Wait()

	for i := range good {
		if errs[i] != nil {
			t.Errorf("good mutation %d: %v", i, errs[i])
		}
	}
	var apiErr *APIError
	if !errors.As(errs[good], &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !apiErr.HasCode(1056) {
		t.Errorf("rejected mutation: err = %v, want a 400 with code 1056", errs[good])
	}
	if !errors.Is(errs[good+1], boom) {
		t.Errorf("failing mutation: err = %v, want boom", errs[good+1])
	}
	stored, _, _ := sb.api.TunnelConfig(sb.tunnel.ID)
	var doc ingressDoc
	if err := json.Unmarshal(stored, &doc); err != nil {
		t.Fatal(err)
	}
	hosts := map[string]int{}
	for _, r := range doc.Ingress {
		if h, ok := r["hostname"].(string); ok {
			hosts[h]++
		}
	}
	for i := range good {
		if h := fmt.Sprintf("h%02d.example.com", i); hosts[h] != 1 {
			t.Errorf("%s present %d times, want once (rules %v)", h, hosts[h], doc.Ingress)
		}
	}
	if hosts["bad.example.com"] != 0 {
		t.Errorf("the rejected document was written: %s", stored)
	}
	// One rejected batch PUT, then one PUT per changing mutation.
	if n := sb.count(keyPutConfig); n > good+2 {
		t.Errorf("%d PUTs, want at most %d", n, good+2)
	}
}

// TestUpdateTunnelConfigServerErrorFailsBatch: a PUT that fails for good
// (503 beyond the retries) fails every mutation it carried, and none is
// reported as written; the next update writes on a fresh read.
func TestUpdateTunnelConfigServerErrorFailsBatch(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = 0; cfg.RequestsPerSecond = 50 })
	ctx := testContext(t)
	if _, err := c.CachedTunnelConfig(ctx, sb.tunnel.ID); err != nil {
		t.Fatal(err)
	}
	sb.api.SetFaults(cfsandboxFail(1))
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = c.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule(fmt.Sprintf("h%d.example.com", i)))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Errorf("mutation %d: err = %v, want the 503", i, err)
		}
	}
	sb.api.ResetCounts()
	if _, err := c.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule("later.example.com")); err != nil {
		t.Fatal(err)
	}
	if n := sb.count(keyGetConfig); n != 1 {
		t.Errorf("%d GETs after a failed write, want 1 (the cached document was dropped)", n)
	}
}

func cfsandboxFail(n int) cfsandbox.Faults { return cfsandbox.Faults{Fail5xxNext: n} }

// TestBeginChangeTunnelUpdate: a batch waits for the callers that
// announced their update (BeginChange) and goes out as soon as all have
// queued, without waiting out the window.
func TestBeginChangeTunnelUpdate(t *testing.T) {
	t.Parallel()
	const callers = 5
	sb := newSandbox(t)
	c := sb.client(t, func(cfg *Config) { cfg.RequestsPerSecond = 0.5 }) // a 5 s window
	ctx := testContext(t)
	if _, err := c.CachedTunnelConfig(ctx, sb.tunnel.ID); err != nil {
		t.Fatal(err)
	}
	ctxs := make([]context.Context, callers)
	changes := make([]*ChangeHandle, callers)
	for i := range changes {
		ctxs[i], changes[i] = c.BeginChange(ctx, Change{TunnelID: sb.tunnel.ID})
	}
	changes[callers-1].Done() // one gives up before its update
	changes[callers-1].Done() // twice is harmless
	var wg sync.WaitGroup
	errs := make([]error, callers-1)
	for i := range callers - 1 {
		wg.Go(func() {
			defer changes[i].Done()
			_, errs[i] = c.UpdateTunnelConfig(ctxs[i], sb.tunnel.ID, addRule(fmt.Sprintf("h%d.example.com", i)))
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the batch waited for a caller that released its announcement")
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if n := sb.count(keyPutConfig); n != 1 {
		t.Errorf("%d PUTs, want 1 for the 4 announced callers", n)
	}
	if n := c.tunnelBatch(sb.tunnel.ID).Announced(); n != 0 {
		t.Errorf("%d announcements left, want 0", n)
	}
}
