package cloudflare

import (
	"context"
	"fmt"
	"strings"

	cf "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/zones"
)

// ZoneID returns the id of the zone with exactly this name, looked up once
// per provider process.
func (c *Client) ZoneID(ctx context.Context, name string) (string, error) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	c.zonesMu.Lock()
	id, ok := c.zones[name]
	c.zonesMu.Unlock()
	if ok {
		if id == "" {
			return "", &ZoneNotFoundError{Name: name}
		}
		return id, nil
	}
	params := zones.ZoneListParams{Name: cf.F(name)}
	if c.accountID != "" {
		params.Account = cf.F(zones.ZoneListParamsAccount{ID: cf.F(c.accountID)})
	}
	page, err := c.sdk.Zones.List(ctx, params)
	if err != nil {
		return "", wrap(err)
	}
	id = ""
	for _, z := range page.Result {
		if strings.EqualFold(z.Name, name) {
			id = z.ID
			break
		}
	}
	c.zonesMu.Lock()
	c.zones[name] = id
	c.zonesMu.Unlock()
	if id == "" {
		return "", &ZoneNotFoundError{Name: name}
	}
	return id, nil
}

// ZoneForHostname finds the zone a hostname belongs to by trying its parent
// domains from the longest down, as Cloudflare itself would route it.
func (c *Client) ZoneForHostname(ctx context.Context, hostname string) (id, name string, err error) {
	labels := strings.Split(strings.TrimPrefix(strings.ToLower(hostname), "*."), ".")
	for i := 0; i+2 <= len(labels); i++ {
		candidate := strings.Join(labels[i:], ".")
		id, err := c.ZoneID(ctx, candidate)
		if err == nil {
			return id, candidate, nil
		}
		if _, notFound := err.(*ZoneNotFoundError); !notFound {
			return "", "", err
		}
	}
	return "", "", &ZoneNotFoundError{Name: hostname}
}

// ZoneNotFoundError says no zone of the account matches a name.
type ZoneNotFoundError struct{ Name string }

func (e *ZoneNotFoundError) Error() string {
	return fmt.Sprintf("no Cloudflare zone found for %q in this account", e.Name)
}
