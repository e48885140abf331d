package cloudflare

import (
	"fmt"
	"sync"
	"testing"
)

const (
	keyCreatePolicy = "POST /accounts/{account_id}/access/policies"
	keyPutPolicy    = "PUT /accounts/{account_id}/access/policies/{policy_id}"
)

var allowMe = AccessPolicy{Name: "allow me", Emails: []string{"me@example.com"}, SessionDuration: "24h"}

// TestAcquireAccessPolicyShared: twenty applications acquired together
// share one policy created once, and the policy goes only when the last
// application that links it does.
func TestAcquireAccessPolicyShared(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	ctx := testContext(t)
	const n = 20
	ids := make([]string, n)
	apps := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id, release, err := c.AcquireAccessPolicy(ctx, allowMe, "", "")
			if err != nil {
				errs[i] = err
				return
			}
			defer release()
			host := fmt.Sprintf("app%d.example.com", i)
			app, err := c.CreateAccessApp(ctx, AccessApp{Name: host, Domain: host, SessionDuration: "24h", PolicyIDs: []string{id}})
			ids[i], apps[i], errs[i] = id, app.ID, err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("proxy %d: %v", i, err)
		}
		if ids[i] != ids[0] {
			t.Fatalf("policy ids differ: %s and %s", ids[0], ids[i])
		}
	}
	if got := sb.count(keyCreatePolicy); got != 1 {
		t.Errorf("%d policy creations, want 1", got)
	}
	for i := range n {
		if err := c.DeleteAccessApp(ctx, apps[i]); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteAccessPolicyIfUnused(ctx, ids[i]); err != nil {
			t.Fatalf("after app %d: %v", i, err)
		}
		left := len(sb.api.AccessPolicies())
		if want := 1; i == n-1 {
			if left != 0 {
				t.Fatalf("the last application is gone and %d policies are left", left)
			}
		} else if left != want {
			t.Fatalf("after deleting %d of %d apps: %d policies, want %d", i+1, n, left, want)
		}
	}
	if got := sb.count(keyDelPolicy); got != 1 {
		t.Errorf("%d policy deletions, want 1", got)
	}
}

// TestAcquireAccessPolicyRepairs: a policy found by name whose content
// drifted is put back; a previous policy that only the caller's application
// links is renamed instead of replaced; one that other applications link is
// left to them.
func TestAcquireAccessPolicyRepairs(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	ctx := testContext(t)
	link := func(name, policyID string) AccessApp {
		t.Helper()
		app, err := c.CreateAccessApp(ctx, AccessApp{Name: name, Domain: name, PolicyIDs: []string{policyID}})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	acquire := func(want AccessPolicy, previousID, appID string) string {
		t.Helper()
		id, release, err := c.AcquireAccessPolicy(ctx, want, previousID, appID)
		if err != nil {
			t.Fatal(err)
		}
		release()
		return id
	}

	drifted, err := c.CreateAccessPolicy(ctx, AccessPolicy{Name: allowMe.Name, Emails: []string{"intruder@example.net"}, SessionDuration: "720h"})
	if err != nil {
		t.Fatal(err)
	}
	if id := acquire(allowMe, "", ""); id != drifted.ID {
		t.Fatalf("acquired %s, want the drifted %s put back", id, drifted.ID)
	}
	live, err := c.GetAccessPolicy(ctx, drifted.ID)
	if err != nil || !samePolicy(live, allowMe) {
		t.Fatalf("after repair: %+v, %v", live, err)
	}

	own, err := c.CreateAccessPolicy(ctx, AccessPolicy{Name: "homelab_proxy a.example.com", Emails: []string{"me@example.com"}, SessionDuration: "24h"})
	if err != nil {
		t.Fatal(err)
	}
	app := link("a.example.com", own.ID)
	family := AccessPolicy{Name: "allow family", Emails: []string{"me@example.com", "you@example.com"}, SessionDuration: "24h"}
	before := sb.count(keyCreatePolicy)
	if id := acquire(family, own.ID, app.ID); id != own.ID {
		t.Fatalf("acquired %s, want the caller's own %s renamed", id, own.ID)
	}
	if got := sb.count(keyCreatePolicy) - before; got != 0 {
		t.Errorf("%d policy creations for a rename, want 0", got)
	}
	if live, err := c.GetAccessPolicy(ctx, own.ID); err != nil || live.Name != family.Name || !samePolicy(live, family) {
		t.Fatalf("renamed policy: %+v, %v", live, err)
	}

	link("b.example.com", own.ID) // now shared
	friends := AccessPolicy{Name: "allow friends", Emails: []string{"friend@example.org"}, SessionDuration: "24h"}
	id := acquire(friends, own.ID, app.ID)
	if id == own.ID {
		t.Fatal("a policy another application links was renamed")
	}
	if live, err := c.GetAccessPolicy(ctx, own.ID); err != nil || live.Name != family.Name {
		t.Fatalf("shared policy changed: %+v, %v", live, err)
	}
	if got := sb.count(keyPutPolicy); got != 2 {
		t.Errorf("%d policy PUTs, want 2 (the repair and the rename)", got)
	}
}

// TestDeleteAccessPolicyIfUnusedKeeps: a pinned policy and one linked by an
// application this client never saw are kept.
func TestDeleteAccessPolicyIfUnusedKeeps(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	ctx := testContext(t)

	id, release, err := c.AcquireAccessPolicy(ctx, allowMe, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAccessPolicyIfUnused(ctx, id); err != nil {
		t.Fatal(err)
	}
	if len(sb.api.AccessPolicies()) != 1 {
		t.Fatal("a pinned policy was deleted")
	}
	release()
	release() // a second call does nothing

	// Another process links it after this client listed the applications.
	if _, err := c.CachedAccessApps(ctx); err != nil {
		t.Fatal(err)
	}
	other := sb.client(t, nil)
	if _, err := other.CreateAccessApp(ctx, AccessApp{Name: "x.example.com", Domain: "x.example.com", PolicyIDs: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAccessPolicyIfUnused(ctx, id); err != nil {
		t.Fatalf("policy linked elsewhere: %v, want it kept without an error", err)
	}
	if len(sb.api.AccessPolicies()) != 1 {
		t.Fatal("a policy another process links was deleted")
	}
	if got := sb.count(keyDelPolicy); got != 1 {
		t.Errorf("%d DELETEs, want the one the API refused", got)
	}

	if err := c.DeleteAccessPolicyIfUnused(ctx, "00000000-0000-0000-0000-000000000000"); err != nil {
		t.Errorf("unknown policy: %v", err)
	}
	if err := c.DeleteAccessPolicyIfUnused(ctx, ""); err != nil {
		t.Errorf("no policy: %v", err)
	}
}
