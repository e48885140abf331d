package cloudflare

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
)

// Each Client stands for one process: Clients share nothing but the API.

// lockRecords returns the zone's document lock records.
func lockRecords(sb *sandbox) []string {
	var out []string
	for _, r := range sb.api.DNSRecords(sb.zone.ID) {
		if r.Type == "TXT" && strings.HasPrefix(r.Name, "_homelab-lock.") {
			out = append(out, r.Name+" "+*r.Comment)
		}
	}
	return out
}

func TestLockDocUncontendedCostsTwoRequests(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	ctx := testContext(t)
	if _, _, err := c.lockZone(ctx); err != nil {
		t.Fatal(err)
	}
	sb.api.ResetCounts()
	l, err := c.lockDoc(ctx, "tunnel-"+sb.tunnel.ID)
	if err != nil {
		t.Fatal(err)
	}
	held := lockRecords(sb)
	if len(held) != 1 || !strings.HasPrefix(held[0], "_homelab-lock.tunnel-"+sb.tunnel.ID+".example.com ") ||
		!strings.Contains(held[0], fmt.Sprintf("pid %d", os.Getpid())) || !strings.Contains(held[0], "lease=30s") {
		t.Errorf("lock records while held: %q, want one naming the tunnel, this process and the lease", held)
	}
	if !l.held() {
		t.Error("a lock just taken reports its lease short")
	}
	l.release(ctx)
	if left := lockRecords(sb); len(left) != 0 {
		t.Errorf("lock records after release: %q", left)
	}
	if got := sb.api.Total(); got != 2 {
		t.Errorf("%d requests for an uncontended lock, want 2 (%v)", got, sb.api.Counts())
	}
}

// takeTurns has clients take the lock of key turns times each, holding it
// for hold, and returns the most holders seen at once and the turns taken.
func takeTurns(t *testing.T, sb *sandbox, clients, turns int, hold time.Duration) (most, done int32) {
	t.Helper()
	ctx := testContext(t)
	var inside, peak, taken atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for range clients {
		c := sb.client(t, nil)
		wg.Go(func() {
			for range turns {
				l, err := c.lockDoc(ctx, "tunnel-x")
				if err != nil {
					errs <- err
					return
				}
				n := inside.Add(1)
				for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
				}
				time.Sleep(hold)
				inside.Add(-1)
				l.release(ctx)
				taken.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if left := lockRecords(sb); len(left) != 0 {
		t.Errorf("lock records left: %q", left)
	}
	return peak.Load(), taken.Load()
}

// TestLockDocExcludesAcrossClients: four clients take one lock five times
// each; never are two inside at once.
func TestLockDocExcludesAcrossClients(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	if most, done := takeTurns(t, sb, 4, 5, 5*time.Millisecond); most != 1 || done != 20 {
		t.Errorf("%d holders at once at most and %d of 20 turns, want 1 and 20", most, done)
	}
}

// TestLockDocBreaksExpiredLock: a lock left by a killed process (its lease
// is 1 s) is broken once expired, by one of three waiting clients at a
// time, and every client gets its turn.
func TestLockDocBreaksExpiredLock(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	ctx := testContext(t)
	ghost := sb.client(t, nil)
	zoneID, zoneName, err := ghost.lockZone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ghost.createLockRecord(ctx, zoneID, "_homelab-lock.tunnel-x."+zoneName, "homelab lock 0123456789abcdef lease=1s by ghost/pid 1"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	most, done := takeTurns(t, sb, 3, 1, 20*time.Millisecond)
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("the clients had their turns after %s, before the dead holder's 1 s lease ended", waited)
	}
	if most != 1 || done != 3 {
		t.Errorf("%d holders at once after the break and %d of 3 turns, want 1 and 3", most, done)
	}
}

func TestLockDocTimeoutNamesHolder(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	ctx := testContext(t)
	holder := sb.client(t, nil)
	zoneID, zoneName, err := holder.lockZone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := "_homelab-lock.tunnel-x." + zoneName
	if _, err := holder.createLockRecord(ctx, zoneID, name, "homelab lock 0123456789abcdef lease=1h0m0s by nas/pid 42"); err != nil {
		t.Fatal(err)
	}
	c := sb.client(t, nil)
	c.lockWait = 300 * time.Millisecond
	_, err = c.lockDoc(ctx, "tunnel-x")
	var timeout *LockTimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("err = %v, want a *LockTimeoutError", err)
	}
	if timeout.Name != name || !strings.Contains(timeout.Holder, "nas/pid 42") || timeout.Since.IsZero() {
		t.Errorf("timeout = %+v, want the lock's name, holder and creation time", timeout)
	}
	for _, want := range []string{name, "nas/pid 42", "since "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// TestTunnelWritesAcrossClients: three clients (three processes) add 20
// rules each to one tunnel at once; all 60 and a rule written by hand
// beforehand are there.
func TestTunnelWritesAcrossClients(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	ctx := testContext(t)
	hand := sb.client(t, nil)
	if _, err := hand.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule("hand.example.com")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for p := range 3 {
		c := sb.client(t, func(cfg *Config) { cfg.RequestsPerSecond = 50 }) // small windows: many batches
		for i := range 20 {
			wg.Go(func() {
				if _, err := c.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule(fmt.Sprintf("p%d-h%02d.example.com", p, i))); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	hosts := storedHosts(t, sb)
	if len(hosts) != 61 || hosts["hand.example.com"] != 1 {
		t.Errorf("%d hostnames after three clients' writes, want 61 with the hand rule: %v", len(hosts), hosts)
	}
}

// TestTunnelWriteKeepsHandEditAfterOwnWrite: a hand edit made through the
// API a moment after this client's write survives its next write, which
// reads the document again inside the lock.
func TestTunnelWriteKeepsHandEditAfterOwnWrite(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	ctx := testContext(t)
	c := sb.client(t, nil)
	if _, err := c.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule("ours-1.example.com")); err != nil {
		t.Fatal(err)
	}
	hand := sb.client(t, nil)
	cfg, err := hand.GetTunnelConfig(ctx, sb.tunnel.ID)
	if err != nil {
		t.Fatal(err)
	}
	next, _, err := addRule("hand.example.com")(cfg.Document)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hand.PutTunnelConfig(ctx, sb.tunnel.ID, next); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateTunnelConfig(ctx, sb.tunnel.ID, addRule("ours-2.example.com")); err != nil {
		t.Fatal(err)
	}
	hosts := storedHosts(t, sb)
	for _, h := range []string{"ours-1.example.com", "hand.example.com", "ours-2.example.com"} {
		if hosts[h] != 1 {
			t.Errorf("%s present %d times after the second write, want once: %v", h, hosts[h], hosts)
		}
	}
}

// TestLockZoneIsOldest: the lock zone is the zone created first, whatever
// the names, so a zone added later does not move the locks.
func TestLockZoneIsOldest(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t) // example.com
	time.Sleep(2 * time.Millisecond)
	sb.api.AddZone("a-later.example")
	_, name, err := sb.client(t, nil).lockZone(testContext(t))
	if err != nil || name != "example.com" {
		t.Errorf("lockZone = %q, %v; want the older example.com", name, err)
	}
}

func storedHosts(t *testing.T, sb *sandbox) map[string]int {
	t.Helper()
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
	return hosts
}

func TestLeaseOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		comment string
		want    time.Duration
	}{
		{lockComment("n", "host/pid 1"), lockLease},
		{"homelab lock n lease=1s by x", time.Second},
		{"homelab lock n lease=bogus by x", lockLease},
		{"homelab lock n lease=-5s by x", lockLease},
		{"", lockLease},
	} {
		if got := leaseOf(tc.comment); got != tc.want {
			t.Errorf("leaseOf(%q) = %s, want %s", tc.comment, got, tc.want)
		}
	}
	long := lockComment("0123456789abcdef", strings.Repeat("h", 200))
	if len(long) != commentLimit || !strings.Contains(long, "lease=30s") {
		t.Errorf("lockComment with a long owner = %q (%d chars), want %d chars keeping the lease", long, len(long), commentLimit)
	}
}

// TestLockDocCreateAnswerLost: the API makes the lock record but its answer
// is lost (a 502 in its place); the retried create is refused as identical,
// and the client finds its own record by the nonce instead of waiting for
// itself.
func TestLockDocCreateAnswerLost(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	var lost atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/dns_records") && lost.CompareAndSwap(false, true) {
			sb.api.ServeHTTP(httptest.NewRecorder(), r) // made, answer dropped
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		sb.api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := sb.client(t, func(cfg *Config) { cfg.BaseURL = srv.URL + cfsandbox.APIPrefix })
	ctx := testContext(t)
	start := time.Now()
	l, err := c.lockDoc(ctx, "tunnel-x")
	if err != nil {
		t.Fatal(err)
	}
	if !lost.Load() {
		t.Fatal("no create answer was lost")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s: the client waited for its own lock", d)
	}
	if held := lockRecords(sb); len(held) != 1 {
		t.Errorf("lock records: %q, want the one made", held)
	}
	l.release(ctx)
	if left := lockRecords(sb); len(left) != 0 {
		t.Errorf("lock records after release: %q", left)
	}
}
