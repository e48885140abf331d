package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"
)

// The account's Access directory: its groups, identity providers and Zero
// Trust organization. Configurations name groups and identity providers,
// the API wants ids, and a plan of 100 proxies would otherwise list them
// 100 times: each is read once per provider process (one CLI command),
// shared by concurrent callers (single-flight), and a failed read is tried
// again by the next caller. Changes made in the dashboard are seen by the
// next command.

// AccessGroup is an Access group, by id and name.
type AccessGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// IdentityProvider is an Access identity provider (login method).
type IdentityProvider struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// Organization is the account's Zero Trust organization.
type Organization struct {
	Name       string `json:"name"`
	AuthDomain string `json:"auth_domain"`
}

// TeamName is the organization's team name, the first label of its
// auth_domain ("<team>.cloudflareaccess.com"): what cloudflared's
// originRequest.access.teamName takes.
func (o Organization) TeamName() string {
	team, _, _ := strings.Cut(o.AuthDomain, ".")
	return team
}

// accessDirectory holds what was read; guarded by mu, a leaf lock (see the
// lock order on Client).
type accessDirectory struct {
	mu     sync.Mutex
	done   map[string]any // "groups", "idps", "organization" -> result
	flight singleflight.Group
}

// once returns the value stored under key, or reads it with fetch in one
// flight for all callers. The read runs detached from the caller that
// started it; each caller waits only as long as its own context allows.
func once[T any](ctx context.Context, d *accessDirectory, key string, fetch func(context.Context) (T, error)) (T, error) {
	d.mu.Lock()
	if v, ok := d.done[key]; ok {
		d.mu.Unlock()
		t, _ := v.(T) // each key is stored with one type
		return t, nil
	}
	d.mu.Unlock()
	readCtx := context.WithoutCancel(ctx)
	results := d.flight.DoChan(key, func() (any, error) {
		// A flight that ended between this caller's look and its DoChan
		// has stored the value already.
		d.mu.Lock()
		if v, ok := d.done[key]; ok {
			d.mu.Unlock()
			return v, nil
		}
		d.mu.Unlock()
		v, err := fetch(readCtx)
		if err != nil {
			return nil, err
		}
		d.mu.Lock()
		if d.done == nil {
			d.done = map[string]any{}
		}
		d.done[key] = v
		d.mu.Unlock()
		return v, nil
	})
	var zero T
	select {
	case <-ctx.Done():
		return zero, ctx.Err()
	case r := <-results:
		if r.Err != nil {
			return zero, r.Err
		}
		t, _ := r.Val.(T)
		return t, nil
	}
}

// AccessGroups lists the account's Access groups, once per process.
func (c *Client) AccessGroups(ctx context.Context) ([]AccessGroup, error) {
	if err := c.requireAccount(); err != nil {
		return nil, err
	}
	gs, err := once(ctx, &c.directory, "groups", func(ctx context.Context) ([]AccessGroup, error) {
		var out []AccessGroup
		err := listPages(ctx, c, "access/groups", func(page *[]AccessGroup) { out = append(out, *page...) })
		return out, err
	})
	return slices.Clone(gs), err
}

// IdentityProviders lists the account's Access identity providers, once
// per process.
func (c *Client) IdentityProviders(ctx context.Context) ([]IdentityProvider, error) {
	if err := c.requireAccount(); err != nil {
		return nil, err
	}
	ps, err := once(ctx, &c.directory, "idps", func(ctx context.Context) ([]IdentityProvider, error) {
		var out []IdentityProvider
		err := listPages(ctx, c, "access/identity_providers", func(page *[]IdentityProvider) { out = append(out, *page...) })
		return out, err
	})
	return slices.Clone(ps), err
}

// ZeroTrustOrganization reads the account's Zero Trust organization, once
// per process.
func (c *Client) ZeroTrustOrganization(ctx context.Context) (Organization, error) {
	if err := c.requireAccount(); err != nil {
		return Organization{}, err
	}
	return once(ctx, &c.directory, "organization", func(ctx context.Context) (Organization, error) {
		var env envelope[Organization]
		err := c.sdk.Execute(ctx, http.MethodGet, c.accountPath("access/organizations"), nil, &env)
		return env.Result, wrap(err)
	})
}

// UnknownNamesError says which names a configuration gave that the
// account does not have, and which it has.
type UnknownNamesError struct {
	Kind    string   // "Access group", "identity provider"
	Unknown []string // as configured
	Known   []string // sorted
}

func (e *UnknownNamesError) Error() string {
	known := "none"
	if len(e.Known) > 0 {
		known = strings.Join(e.Known, ", ")
	}
	return fmt.Sprintf("the account has no %s named %s; it has: %s", e.Kind, strings.Join(e.Unknown, ", "), known)
}

// AmbiguousNameError says a name is held by more than one object.
type AmbiguousNameError struct {
	Kind, Name string
	IDs        []string
}

func (e *AmbiguousNameError) Error() string {
	return fmt.Sprintf("%d %ss are named %s (%s); rename all but one", len(e.IDs), e.Kind, e.Name, strings.Join(e.IDs, ", "))
}

// AccessGroupIDs maps group names to ids, in the order given.
func (c *Client) AccessGroupIDs(ctx context.Context, names []string) ([]string, error) {
	gs, err := c.AccessGroups(ctx)
	if err != nil {
		return nil, err
	}
	return idsByName("Access group", names, gs, func(g AccessGroup) (string, string) { return g.Name, g.ID })
}

// IdentityProviderIDs maps identity provider names to ids, in the order
// given.
func (c *Client) IdentityProviderIDs(ctx context.Context, names []string) ([]string, error) {
	ps, err := c.IdentityProviders(ctx)
	if err != nil {
		return nil, err
	}
	return idsByName("identity provider", names, ps, func(p IdentityProvider) (string, string) { return p.Name, p.ID })
}

// idsByName resolves names exactly (Access names are case-sensitive in
// the dashboard): every unknown name is reported at once, with the names
// that exist.
func idsByName[T any](kind string, names []string, items []T, key func(T) (name, id string)) ([]string, error) {
	byName := map[string][]string{}
	for _, it := range items {
		n, id := key(it)
		byName[n] = append(byName[n], id)
	}
	out := make([]string, 0, len(names))
	var unknown []string
	for _, n := range names {
		ids := byName[n]
		switch len(ids) {
		case 0:
			unknown = append(unknown, n)
		case 1:
			out = append(out, ids[0])
		default:
			return nil, &AmbiguousNameError{Kind: kind, Name: n, IDs: ids}
		}
	}
	if len(unknown) > 0 {
		known := make([]string, 0, len(byName))
		for n := range byName {
			known = append(known, n)
		}
		slices.Sort(known)
		return nil, &UnknownNamesError{Kind: kind, Unknown: unknown, Known: known}
	}
	return out, nil
}
