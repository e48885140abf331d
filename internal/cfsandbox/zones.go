package cfsandbox

import (
	"slices"
	"strings"
	"time"
)

// Zone identifies a zone added with AddZone.
type Zone struct {
	ID   string
	Name string
}

type zone struct {
	id      string
	name    string // lowercase, no trailing dot
	created time.Time
	records *recordSet
}

const accountName = "Homelab Sandbox"

// AddZone adds an active zone owned by the account. Adding a name that
// already exists returns the existing zone.
func (s *Server) AddZone(name string) Zone {
	name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if ascii, err := toASCII(name); err == nil {
		name = ascii
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, z := range s.zones {
		if z.name == name {
			return Zone{ID: z.id, Name: z.name}
		}
	}
	z := &zone{id: newHexID(), name: name, created: now(), records: newRecordSet()}
	s.zones[z.id] = z
	return Zone{ID: z.id, Name: z.name}
}

// zone looks up a zone by id. An unknown zone gets 404 with code 7003; the
// code is the one quoted for bad identifiers, the status is unconfirmed.
func (s *Server) zone(c *call) (*zone, error) {
	if z := s.zones[c.params["zone_id"]]; z != nil {
		return z, nil
	}
	return nil, errBadIdentifier(c.path)
}

// zoneJSON is the zone object; fields beyond the documented minimum carry the
// values a free, active zone has so that strict decoders find them.
func (s *Server) zoneJSON(z *zone) map[string]any {
	return map[string]any{
		"id":                    z.id,
		"name":                  z.name,
		"status":                "active",
		"paused":                false,
		"type":                  "full",
		"development_mode":      0,
		"name_servers":          []string{"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"},
		"original_name_servers": nil,
		"original_registrar":    nil,
		"original_dnshost":      nil,
		"created_on":            z.created,
		"modified_on":           z.created,
		"activated_on":          z.created,
		"account":               map[string]string{"id": s.accountID, "name": accountName},
		// owner is {id, name, type} (zones.ZoneOwner); a zone of an account
		// has no user owner, hence the nulls.
		"owner": map[string]any{"id": nil, "name": nil, "type": "user"},
		"meta": map[string]any{
			"step": 2, "custom_certificate_quota": 0, "page_rule_quota": 3,
			"phishing_detected": false, "cdn_only": false, "dns_only": false, "foundation_dns": false,
		},
		// A full-setup zone outside a tenant: no tenant, no vanity name
		// servers, no verification key or CNAME suffix (those belong to
		// partial setups).
		"tenant":              map[string]any{"id": nil, "name": nil},
		"tenant_unit":         map[string]any{"id": nil},
		"vanity_name_servers": []string{},
		"verification_key":    "",
		"cname_suffix":        "",
		"plan": map[string]any{
			"id": "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "name": "Free Website", "price": 0,
			"currency": "USD", "frequency": "", "is_subscribed": false, "can_subscribe": false,
			"legacy_id": "free", "legacy_discount": false, "externally_managed": false,
		},
		"permissions": []string{"#dns_records:edit", "#dns_records:read", "#zone:read"},
	}
}

func (s *Server) getZone(c *call) (reply, error) {
	z, err := s.zone(c)
	if err != nil {
		return reply{}, err
	}
	return ok(s.zoneJSON(z))
}

// listZones supports name (with the operators "equal:", "not_equal:",
// "starts_with:", "ends_with:", "contains:"; default equal, case-insensitive),
// account.id, account.name and status. Zones are ordered by name.
func (s *Server) listZones(c *call) (reply, error) {
	q := c.query
	nameOK := stringOperator(q.Get("name"))
	zones := make([]*zone, 0, len(s.zones))
	for _, z := range s.zones {
		if !nameOK(z.name) ||
			(q.Has("account.id") && q.Get("account.id") != s.accountID) ||
			(q.Has("account.name") && !strings.EqualFold(q.Get("account.name"), accountName)) ||
			(q.Has("status") && q.Get("status") != "active") {
			continue
		}
		zones = append(zones, z)
	}
	slices.SortFunc(zones, func(a, b *zone) int { return strings.Compare(a.name, b.name) })
	if q.Get("direction") == "desc" {
		slices.Reverse(zones)
	}
	out := make([]map[string]any, len(zones))
	for i, z := range zones {
		out[i] = s.zoneJSON(z)
	}
	return listReply(out, q, zonePages)
}

// stringOperator parses the zones list's "op:value" filter syntax.
func stringOperator(expr string) func(string) bool {
	if expr == "" {
		return func(string) bool { return true }
	}
	op, val, found := strings.Cut(expr, ":")
	if !found {
		op, val = "equal", expr
	}
	val = strings.ToLower(val)
	switch op {
	case "not_equal":
		return func(s string) bool { return strings.ToLower(s) != val }
	case "starts_with":
		return func(s string) bool { return strings.HasPrefix(strings.ToLower(s), val) }
	case "ends_with":
		return func(s string) bool { return strings.HasSuffix(strings.ToLower(s), val) }
	case "contains":
		return func(s string) bool { return strings.Contains(strings.ToLower(s), val) }
	case "equal":
		return func(s string) bool { return strings.ToLower(s) == val }
	default:
		// Not an operator: a name cannot contain ':' anyway, so nothing matches.
		return func(string) bool { return false }
	}
}
