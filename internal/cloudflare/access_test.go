package cloudflare

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// TestAccessRoundTrip: a reusable policy and an application that links it
// go through create, get, update, list and delete.
func TestAccessRoundTrip(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	c := sb.client(t, nil)
	ctx := testContext(t)

	// Policy.
	pol, err := c.CreateAccessPolicy(ctx, AccessPolicy{Name: "family", Emails: []string{"b@example.com", "a@example.com"}, SessionDuration: "12h"})
	if err != nil {
		t.Fatalf("CreateAccessPolicy: %v", err)
	}
	wantPol := AccessPolicy{ID: pol.ID, Name: "family", Emails: []string{"a@example.com", "b@example.com"}, SessionDuration: "12h"}
	if pol.ID == "" || !policyEqual(pol, wantPol) {
		t.Errorf("created %+v, want %+v", pol, wantPol)
	}
	stored := sb.api.AccessPolicies()
	if len(stored) != 1 || stored[0].ID != pol.ID || stored[0].Decision != "allow" {
		t.Fatalf("sandbox policies %+v", stored)
	}
	var obj struct {
		Include []map[string]map[string]string `json:"include"`
		Exclude []any                          `json:"exclude"`
		Require []any                          `json:"require"`
	}
	if err := json.Unmarshal(stored[0].Object, &obj); err != nil {
		t.Fatal(err)
	}
	if len(obj.Include) != 2 || obj.Include[0]["email"]["email"] != "b@example.com" || obj.Exclude == nil || obj.Require == nil {
		t.Errorf("policy on the wire: %s", stored[0].Object)
	}
	if got, err := c.GetAccessPolicy(ctx, pol.ID); err != nil || !policyEqual(got, wantPol) {
		t.Errorf("GetAccessPolicy = %+v, %v; want %+v", got, err, wantPol)
	}
	wantPol.Emails = []string{"c@example.com"}
	wantPol.Name = "friends"
	if got, err := c.UpdateAccessPolicy(ctx, wantPol); err != nil || !policyEqual(got, wantPol) {
		t.Errorf("UpdateAccessPolicy = %+v, %v; want %+v", got, err, wantPol)
	}
	if got, err := c.GetAccessPolicy(ctx, pol.ID); err != nil || !policyEqual(got, wantPol) {
		t.Errorf("GetAccessPolicy after update = %+v, %v; want %+v", got, err, wantPol)
	}

	// Application linking the policy.
	app, err := c.CreateAccessApp(ctx, AccessApp{Name: "grafana", Domain: "Grafana.Example.com", SessionDuration: "6h", PolicyIDs: []string{pol.ID}})
	if err != nil {
		t.Fatalf("CreateAccessApp: %v", err)
	}
	wantApp := AccessApp{ID: app.ID, Name: "grafana", Domain: "grafana.example.com", SessionDuration: "6h", AUD: app.AUD, PolicyIDs: []string{pol.ID}}
	if app.ID == "" || len(app.AUD) != 64 || !appEqual(app, wantApp) {
		t.Errorf("created %+v, want %+v", app, wantApp)
	}
	apps := sb.api.AccessApps()
	if len(apps) != 1 || apps[0].Type != "self_hosted" || !slices.Equal(apps[0].Policies, []string{pol.ID}) {
		t.Errorf("sandbox apps %+v", apps)
	}
	// A fresh client lists what the API holds.
	if got, err := sb.client(t, nil).CachedAccessApp(ctx, app.ID); err != nil || !appEqual(got, wantApp) {
		t.Errorf("CachedAccessApp = %+v, %v; want %+v", got, err, wantApp)
	}
	// While linked, the policy cannot go.
	if err := c.DeleteAccessPolicy(ctx, pol.ID); err == nil || IsNotFound(err) {
		t.Errorf("DeleteAccessPolicy of a linked policy: %v, want an API error", err)
	}

	wantApp.Name, wantApp.PolicyIDs = "grafana-2", nil
	if got, err := c.UpdateAccessApp(ctx, wantApp); err != nil || !appEqual(got, wantApp) {
		t.Errorf("UpdateAccessApp = %+v, %v; want %+v", got, err, wantApp)
	}
	if apps := sb.api.AccessApps(); len(apps) != 1 || apps[0].Name != "grafana-2" || len(apps[0].Policies) != 0 {
		t.Errorf("sandbox apps after update %+v", apps)
	}

	// Lists.
	policies, err := c.ListAccessPolicies(ctx)
	if err != nil || len(policies) != 1 || !policyEqual(policies[0], wantPol) {
		t.Errorf("ListAccessPolicies = %+v, %v", policies, err)
	}
	list, err := c.ListAccessApps(ctx)
	if err != nil || len(list) != 1 || !appEqual(list[0], wantApp) {
		t.Errorf("ListAccessApps = %+v, %v", list, err)
	}

	// Deletes.
	if err := c.DeleteAccessApp(ctx, app.ID); err != nil {
		t.Fatalf("DeleteAccessApp: %v", err)
	}
	if _, err := sb.client(t, nil).CachedAccessApp(ctx, app.ID); !IsNotFound(err) {
		t.Errorf("CachedAccessApp after delete: %v, want not found", err)
	}
	if err := c.DeleteAccessPolicy(ctx, pol.ID); err != nil {
		t.Fatalf("DeleteAccessPolicy: %v", err)
	}
	if _, err := c.GetAccessPolicy(ctx, pol.ID); !IsNotFound(err) {
		t.Errorf("GetAccessPolicy after delete: %v, want not found", err)
	}
	if len(sb.api.AccessApps()) != 0 || len(sb.api.AccessPolicies()) != 0 {
		t.Error("the sandbox still holds Access objects")
	}
	// Deleting again is fine.
	if err := c.DeleteAccessApp(ctx, app.ID); err != nil {
		t.Errorf("second DeleteAccessApp: %v", err)
	}
	if err := c.DeleteAccessPolicy(ctx, pol.ID); err != nil {
		t.Errorf("second DeleteAccessPolicy: %v", err)
	}
}

// TestAccessListPagination: the Access lists follow pages and stop at a
// short one.
func TestAccessListPagination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n         int
		wantPages int
	}{
		{n: 0, wantPages: 1},
		{n: 3, wantPages: 1},
		{n: 101, wantPages: 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d objects", tt.n), func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			c := sb.client(t, nil)
			ctx := testContext(t)
			for i := range tt.n {
				p, err := c.CreateAccessPolicy(ctx, AccessPolicy{Name: fmt.Sprintf("p%03d", i), Emails: []string{"a@example.com"}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.CreateAccessApp(ctx, AccessApp{Name: fmt.Sprintf("a%03d", i), Domain: fmt.Sprintf("a%03d.example.com", i), PolicyIDs: []string{p.ID}}); err != nil {
					t.Fatal(err)
				}
			}
			sb.api.ResetCounts()

			policies, err := c.ListAccessPolicies(ctx)
			if err != nil {
				t.Fatal(err)
			}
			apps, err := c.ListAccessApps(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(policies) != tt.n || len(apps) != tt.n {
				t.Fatalf("listed %d policies and %d apps, want %d each", len(policies), len(apps), tt.n)
			}
			for i := range tt.n {
				if want := fmt.Sprintf("p%03d", i); policies[i].Name != want {
					t.Fatalf("policy %d is %q, want %q (pages out of order or repeated)", i, policies[i].Name, want)
				}
				if want := fmt.Sprintf("a%03d", i); apps[i].Name != want || len(apps[i].PolicyIDs) != 1 {
					t.Fatalf("app %d is %+v, want %q with one policy", i, apps[i], want)
				}
			}
			if n := sb.count(keyListPolicies); n != tt.wantPages {
				t.Errorf("sandbox counted %d policy list requests, want %d (counts %v)", n, tt.wantPages, sb.api.Counts())
			}
			if n := sb.count(keyListApps); n != tt.wantPages {
				t.Errorf("sandbox counted %d app list requests, want %d", n, tt.wantPages)
			}
		})
	}
}

func policyEqual(a, b AccessPolicy) bool {
	return a.ID == b.ID && a.Name == b.Name && a.SessionDuration == b.SessionDuration && slices.Equal(a.Emails, b.Emails)
}

func appEqual(a, b AccessApp) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Domain == b.Domain && a.SessionDuration == b.SessionDuration &&
		a.AUD == b.AUD && slices.Equal(a.PolicyIDs, b.PolicyIDs)
}
