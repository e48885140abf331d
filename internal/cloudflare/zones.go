package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/zones"
)

// zonePageSize is the largest page the zones list accepts.
const zonePageSize = 50

// ZoneForHostname finds the zone a hostname belongs to: the longest zone
// name that is the hostname or one of its parent domains.
func (c *Client) ZoneForHostname(ctx context.Context, hostname string) (id, name string, err error) {
	zs, err := c.accountZones(ctx)
	if err != nil {
		return "", "", err
	}
	all := zs.byName
	labels := strings.Split(strings.TrimPrefix(strings.ToLower(strings.TrimSuffix(hostname, ".")), "*."), ".")
	for i := range labels {
		candidate := strings.Join(labels[i:], ".")
		if id, ok := all[candidate]; ok {
			return id, candidate, nil
		}
	}
	return "", "", &ZoneNotFoundError{Name: hostname}
}

// accountZones lists the account's zones once per provider process:
// concurrent resources share one lookup, and a failed one is retried by
// the next caller.
func (c *Client) accountZones(ctx context.Context) (*zoneList, error) {
	c.zonesMu.Lock()
	cached := c.zones
	c.zonesMu.Unlock()
	if cached != nil {
		return cached, nil
	}
	// The shared lookup must not end with the caller that happened to start
	// it: it runs detached from that caller's cancellation, and each caller
	// waits only as long as its own context allows.
	lookupCtx := context.WithoutCancel(ctx)
	results := c.zoneLookups.DoChan("zones", func() (any, error) {
		params := zones.ZoneListParams{PerPage: cf.F(float64(zonePageSize))}
		if c.accountID != "" {
			params.Account = cf.F(zones.ZoneListParamsAccount{ID: cf.F(c.accountID)})
		}
		found := &zoneList{byName: map[string]string{}}
		// The SDK's typed page carries no total_pages, so only a short page
		// ends this walk.
		err := eachPage(zonePageSize, func(page int) (int, bool, error) {
			params.Page = cf.F(float64(page))
			res, err := c.sdk.Zones.List(lookupCtx, params)
			if err != nil {
				return 0, false, wrap(err)
			}
			for _, z := range res.Result {
				found.add(strings.ToLower(z.Name), z.ID, z.CreatedOn)
			}
			return len(res.Result), false, nil
		})
		if err != nil {
			return nil, err
		}
		c.zonesMu.Lock()
		c.zones = found
		c.zonesMu.Unlock()
		return found, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-results:
		if r.Err != nil {
			return nil, r.Err
		}
		zs, _ := r.Val.(*zoneList) // the lookup's only result type
		return zs, nil
	}
}

// zoneList is the account's zones as listed once per process.
type zoneList struct {
	byName map[string]string // zone name -> id
	// oldest is the zone created first (then the lowest id): the lock
	// zone (lock.go), which a zone added later does not change.
	oldest struct {
		id, name string
		created  time.Time
	}
}

func (l *zoneList) add(name, id string, created time.Time) {
	l.byName[name] = id
	o := &l.oldest
	if o.id == "" || created.Before(o.created) || (created.Equal(o.created) && id < o.id) {
		o.id, o.name, o.created = id, name, created
	}
}

// lockZone is the zone that holds the document locks (lock.go).
func (c *Client) lockZone(ctx context.Context) (id, name string, err error) {
	zs, err := c.accountZones(ctx)
	if err != nil {
		return "", "", err
	}
	if zs.oldest.id == "" {
		return "", "", errors.New("the API token sees no zone of this account, and the lock that keeps other applies from overwriting this one's writes is a DNS record; give the token DNS edit permission on the account's oldest zone")
	}
	return zs.oldest.id, zs.oldest.name, nil
}

// ZoneNotFoundError says no zone of the account matches a name.
type ZoneNotFoundError struct{ Name string }

func (e *ZoneNotFoundError) Error() string {
	return fmt.Sprintf("no Cloudflare zone of this account contains %q; add the zone to the account or check the API token's zone permissions", e.Name)
}
