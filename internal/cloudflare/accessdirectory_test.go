package cloudflare

import (
	"context"
	"errors"
	"sync"
	"testing"
)

const (
	keyListGroups = "GET /accounts/{account_id}/access/groups"
	keyListIdPs   = "GET /accounts/{account_id}/access/identity_providers"
	keyGetOrg     = "GET /accounts/{account_id}/access/organizations"
)

func TestAccessDirectoryOncePerProcess(t *testing.T) {
	sb := newSandbox(t)
	admins := sb.api.AddGroup("admins", "me@example.com")
	family := sb.api.AddGroup("family", "kid@example.com")
	gh := sb.api.AddIdentityProvider("GitHub", "github")
	c := sb.client(t, nil)
	ctx := testContext(t)

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if ids, err := c.AccessGroupIDs(ctx, []string{"family", "admins"}); err != nil || len(ids) != 2 || ids[0] != family || ids[1] != admins {
				t.Errorf("AccessGroupIDs = %v, %v", ids, err)
			}
			if ids, err := c.IdentityProviderIDs(ctx, []string{"GitHub"}); err != nil || len(ids) != 1 || ids[0] != gh {
				t.Errorf("IdentityProviderIDs = %v, %v", ids, err)
			}
			if org, err := c.ZeroTrustOrganization(ctx); err != nil || org.TeamName() != sb.api.TeamName() {
				t.Errorf("ZeroTrustOrganization = %+v, %v", org, err)
			}
		})
	}
	wg.Wait()
	for _, key := range []string{keyListGroups, keyListIdPs, keyGetOrg} {
		if n := sb.count(key); n != 1 {
			t.Errorf("%s: %d requests, want 1 per process", key, n)
		}
	}
	// A new client (the next command) sees groups made meanwhile.
	sb.api.AddGroup("guests", "g@example.com")
	if ids, err := sb.client(t, nil).AccessGroupIDs(ctx, []string{"guests"}); err != nil || len(ids) != 1 {
		t.Errorf("new process: %v, %v", ids, err)
	}
}

func TestAccessDirectoryUnknownAndAmbiguousNames(t *testing.T) {
	sb := newSandbox(t)
	sb.api.AddGroup("admins", "me@example.com")
	sb.api.AddGroup("family", "kid@example.com")
	sb.api.AddIdentityProvider("GitHub", "github")
	sb.api.AddIdentityProvider("Authentik", "oidc")
	sb.api.AddIdentityProvider("Authentik", "oidc")
	c := sb.client(t, nil)
	ctx := testContext(t)

	_, err := c.AccessGroupIDs(ctx, []string{"admins", "Admins", "ops"})
	unknown, ok := errors.AsType[*UnknownNamesError](err)
	if !ok || len(unknown.Unknown) != 2 || unknown.Unknown[0] != "Admins" || unknown.Unknown[1] != "ops" ||
		len(unknown.Known) != 2 || unknown.Known[0] != "admins" {
		t.Fatalf("err = %v", err)
	}
	if want := "the account has no Access group named Admins, ops; it has: admins, family"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if _, err := c.IdentityProviderIDs(ctx, []string{"Authentik"}); err == nil {
		t.Error("two identity providers of one name must be an error")
	} else if _, ok := errors.AsType[*AmbiguousNameError](err); !ok {
		t.Errorf("err = %v", err)
	}
	empty := newSandbox(t).client(t, nil)
	if _, err := empty.IdentityProviderIDs(ctx, []string{"GitHub"}); err == nil || err.Error() != "the account has no identity provider named GitHub; it has: none" {
		t.Errorf("err = %v", err)
	}
}

func TestAccessDirectoryFailureIsNotKept(t *testing.T) {
	sb := newSandbox(t)
	sb.api.AddGroup("admins", "me@example.com")
	c := sb.client(t, func(cfg *Config) { cfg.MaxRetries = 0 })
	ctx := testContext(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.AccessGroups(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	if gs, err := c.AccessGroups(ctx); err != nil || len(gs) != 1 {
		t.Fatalf("after a cancelled caller: %v, %v", gs, err)
	}
}
