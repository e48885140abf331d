package cfsandbox

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
)

// Read-only inspection for tests. Everything returned is a copy.

// DNSRecords returns the zone's records in creation order, as the API shows
// them, or nil for an unknown zone.
func (s *Server) DNSRecords(zoneID string) []DNSRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	z := s.zones[zoneID]
	if z == nil {
		return nil
	}
	recs := z.records.sorted()
	out := make([]DNSRecord, len(recs))
	for i, r := range recs {
		out[i] = r.export(z)
	}
	return out
}

// TunnelConfig returns a tunnel's remote configuration document (the config
// object exactly as last PUT, compacted) and its version. A tunnel never
// configured has version 0 and a nil document; ok is false for an unknown
// tunnel.
func (s *Server) TunnelConfig(tunnelID string) (config json.RawMessage, version int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tunnels[tunnelID]
	if t == nil {
		return nil, 0, false
	}
	return slices.Clone(t.config.doc), t.config.version, true
}

// AccessApp summarises an Access application.
type AccessApp struct {
	ID       string
	AUD      string
	Type     string
	Name     string
	Domain   string
	Policies []string        // policy ids, reusable and app-scoped, in precedence order
	Object   json.RawMessage // the application as GET returns it
}

// AccessPolicy summarises a reusable Access policy.
type AccessPolicy struct {
	ID       string
	Name     string
	Decision string
	AppCount int
	Object   json.RawMessage // the policy as GET returns it
}

// AccessApps returns the applications in creation order.
func (s *Server) AccessApps() []AccessApp {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := s.appCounts()
	apps := slices.SortedFunc(maps.Values(s.apps), func(a, b *accessApp) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]AccessApp, len(apps))
	for i, a := range apps {
		obj, _ := json.Marshal(s.appObject(a, counts))
		ids := make([]string, len(a.policies))
		for j, ap := range a.policies {
			ids[j] = ap.policyID
			if ap.inline != nil {
				ids[j] = ap.inline.id
			}
		}
		out[i] = AccessApp{
			ID: a.id, AUD: a.aud, Type: a.fields.str("type"), Name: a.fields.str("name"),
			Domain: a.fields.str("domain"), Policies: ids, Object: obj,
		}
	}
	return out
}

// AccessPolicies returns the reusable policies in creation order.
func (s *Server) AccessPolicies() []AccessPolicy {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := s.appCounts()
	ps := slices.SortedFunc(maps.Values(s.policies), func(a, b *accessPolicy) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]AccessPolicy, len(ps))
	for i, p := range ps {
		obj, _ := json.Marshal(p.object(counts[p.id]))
		out[i] = AccessPolicy{
			ID: p.id, Name: p.fields.str("name"), Decision: p.fields.str("decision"),
			AppCount: counts[p.id], Object: obj,
		}
	}
	return out
}
