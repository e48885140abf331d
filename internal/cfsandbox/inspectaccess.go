package cfsandbox

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Set-up and inspection of Access groups, identity providers and service
// tokens, for tests. Everything returned is a copy.

// ServiceToken is a service token as the server holds it, secret included:
// tests compare it with what a sink received. The API itself never answers
// the secret after create and rotate.
type ServiceToken struct {
	ID, Name, ClientID, ClientSecret, Duration string
	Version                                    int
	ExpiresAt                                  time.Time
}

// ServiceTokens returns the service tokens in creation order.
func (s *Server) ServiceTokens() []ServiceToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := slices.SortedFunc(maps.Values(s.serviceTokens), func(a, b *serviceToken) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]ServiceToken, len(ts))
	for i, t := range ts {
		out[i] = ServiceToken{
			ID: t.id, Name: t.name, ClientID: t.clientID, ClientSecret: t.secret,
			Duration: t.duration, Version: t.version, ExpiresAt: t.expires,
		}
	}
	return out
}

// DeleteServiceToken removes a token as someone outside Terraform would;
// it reports whether the token existed.
func (s *Server) DeleteServiceToken(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.serviceTokens[id]
	delete(s.serviceTokens, id)
	return ok
}

// SetServiceTokenExpiry moves a token's expiry, as time passing would.
func (s *Server) SetServiceTokenExpiry(id string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.serviceTokens[id]
	if t == nil {
		return false
	}
	t.expires = at.UTC().Round(time.Second)
	return true
}

// AddIdentityProvider adds an identity provider of type typ ("github",
// "oidc", "onetimepin", ...) with an empty config and returns its id.
func (s *Server) AddIdentityProvider(name, typ string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := fields{}
	f["name"], _ = json.Marshal(name)
	f["type"], _ = json.Marshal(typ)
	f["config"] = json.RawMessage(`{}`)
	p := &identityProvider{id: newUUID(), fields: f, seq: s.nextSeq()}
	s.idps[p.id] = p
	return p.id
}

// AddGroup adds an Access group that includes the given e-mail addresses
// and returns its id.
func (s *Server) AddGroup(name string, emails ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	include := make([]map[string]map[string]string, len(emails))
	for i, e := range emails {
		include[i] = map[string]map[string]string{"email": {"email": e}}
	}
	f := fields{}
	f["name"], _ = json.Marshal(name)
	f["include"], _ = json.Marshal(include)
	t := now()
	g := &accessGroup{id: newUUID(), fields: f, created: t, updated: t, seq: s.nextSeq()}
	s.groups[g.id] = g
	return g.id
}

// TeamName returns the Zero Trust organization's team name.
func (s *Server) TeamName() string { return s.org.team }
