package cloudflare

import (
	"context"
	"slices"
	"sync"
)

// Shared reusable policies.
//
// Reusable Access policies exist to be linked by many applications. The
// proxies that allow the same e-mails for the same session link one policy,
// found by a name the caller derives from that content, instead of one
// policy each: 100 proxies cost one policy creation, not 100. Because the
// name says what the policy must contain, any caller may put it back when
// it has drifted.
//
// Within one Client, policy lookups, creations and deletions are
// serialised, and a policy handed out by AcquireAccessPolicy is pinned
// until the caller has linked it, so a concurrent DeleteAccessPolicyIfUnused
// never removes a policy an application is about to link. Applications of
// other processes are covered by the API itself, which refuses to delete a
// policy that applications still link.
//
// Lock order: mu is the one lock held while others are taken (see Client):
// it is held across a whole lookup, creation or deletion, which reads the
// Access listings and updates the cache under their own leaf locks. It is
// never taken while another lock is held.
type sharedPolicies struct {
	mu   sync.Mutex
	pins map[string]int // policy id → acquirers that have not released it
}

// AcquireAccessPolicy returns the id of the reusable policy named want.Name,
// made to match want: an existing one by that name, else the caller's
// previous policy renamed when no other application links it, else a new
// one. release must be called once the caller's application links the
// policy, or will not.
func (c *Client) AcquireAccessPolicy(ctx context.Context, want AccessPolicy, previousID, appID string) (id string, release func(), err error) {
	s := &c.policies
	s.mu.Lock()
	defer s.mu.Unlock()
	policies, err := c.CachedAccessPolicies(ctx)
	if err != nil {
		return "", nil, err
	}
	var existing *AccessPolicy
	if i := slices.IndexFunc(policies, func(p AccessPolicy) bool { return p.Name == want.Name }); i >= 0 {
		existing = &policies[i]
	} else if i := slices.IndexFunc(policies, func(p AccessPolicy) bool { return p.ID == previousID }); i >= 0 && s.pins[previousID] == 0 {
		linked, err := c.linkedByOthers(ctx, previousID, appID)
		if err != nil {
			return "", nil, err
		}
		if !linked {
			existing = &policies[i]
		}
	}
	switch {
	case existing == nil:
		created, err := c.CreateAccessPolicy(ctx, want)
		if err != nil {
			return "", nil, err
		}
		id = created.ID
	case existing.Name != want.Name || !samePolicy(*existing, want):
		want.ID = existing.ID
		updated, err := c.UpdateAccessPolicy(ctx, want)
		if err != nil {
			return "", nil, err
		}
		id = updated.ID
	default:
		id = existing.ID
	}
	if s.pins == nil {
		s.pins = map[string]int{}
	}
	s.pins[id]++
	var once sync.Once
	return id, func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.pins[id]--; s.pins[id] <= 0 {
				delete(s.pins, id)
			}
		})
	}, nil
}

// DeleteAccessPolicyIfUnused deletes a reusable policy that no application
// links any more; one still linked, pinned or already gone is left alone.
func (c *Client) DeleteAccessPolicyIfUnused(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	s := &c.policies
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pins[id] > 0 {
		return nil
	}
	if _, err := c.CachedAccessPolicy(ctx, id); IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if linked, err := c.linkedByOthers(ctx, id, ""); err != nil || linked {
		return err
	}
	err := c.DeleteAccessPolicy(ctx, id)
	if err == nil || !rejected(err) {
		return err
	}
	// An application this process has not seen (made by hand or by
	// another run) still links it: the API keeps it, and so do we.
	live, getErr := c.GetAccessPolicy(ctx, id)
	if getErr == nil && live.AppCount > 0 {
		return nil
	}
	return err
}

// linkedByOthers reports whether an application other than appID links
// the policy, as far as this Client's listing knows.
func (c *Client) linkedByOthers(ctx context.Context, policyID, appID string) (bool, error) {
	linked := false
	err := c.readApps(ctx, func(apps map[string]AccessApp) {
		for id, app := range apps {
			if id != appID && slices.Contains(app.PolicyIDs, policyID) {
				linked = true
				return
			}
		}
	})
	return linked, err
}

func samePolicy(a, b AccessPolicy) bool {
	return a.SessionDuration == b.SessionDuration && slices.Equal(sortedCopy(a.Emails), sortedCopy(b.Emails))
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
