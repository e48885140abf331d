package cfsandbox

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Access identity providers (API reference, "Access Identity Providers"):
// a name shown on the login page, a type from the reference's list, and a
// config object whose members depend on the type (kept as sent; the
// one-time PIN takes an empty one).

var idpTypes = map[string]bool{
	"onetimepin": true, "azureAD": true, "saml": true, "centrify": true, "facebook": true, "github": true,
	"google-apps": true, "google": true, "linkedin": true, "oidc": true, "okta": true, "onelogin": true,
	"pingone": true, "yandex": true,
}

type identityProvider struct {
	id     string
	fields fields
	seq    uint64
}

func validateIdP(f fields) error {
	if strings.TrimSpace(f.str("name")) == "" {
		return errAccess("identity provider name is required")
	}
	if !idpTypes[f.str("type")] {
		return errAccess("identity provider type %q is not one of the supported types", f.str("type"))
	}
	var cfg map[string]json.RawMessage
	if err := json.Unmarshal(f["config"], &cfg); err != nil || cfg == nil {
		return errAccess("identity provider config must be an object")
	}
	return nil
}

func (p *identityProvider) object() map[string]any {
	out := map[string]any{
		"scim_config": map[string]any{
			"enabled": false, "identity_update_behavior": "no_action", "seat_deprovision": false,
			"user_deprovision": false, "scim_base_url": "",
		},
	}
	for k, v := range p.fields {
		out[k] = v
	}
	out["id"] = p.id
	return out
}

func (s *Server) identityProvider(c *call) (*identityProvider, error) {
	if p := s.idps[c.params["identity_provider_id"]]; p != nil {
		return p, nil
	}
	return nil, errAccessNotFound("identity provider")
}

func (s *Server) sortedIdPs() []*identityProvider {
	return slices.SortedFunc(maps.Values(s.idps), func(a, b *identityProvider) int { return cmp.Compare(a.seq, b.seq) })
}

func (s *Server) listIdPs(c *call) (reply, error) {
	ps := s.sortedIdPs()
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = p.object()
	}
	return listReply(out, c.query, accessPages)
}

func (s *Server) createIdP(c *call) (reply, error) {
	f, err := parseAccessBody(c.body)
	if err != nil {
		return reply{}, err
	}
	f = withoutServerOwned(f)
	if err := validateIdP(f); err != nil {
		return reply{}, err
	}
	p := &identityProvider{id: newUUID(), fields: f, seq: s.nextSeq()}
	s.idps[p.id] = p
	return ok(p.object())
}

func (s *Server) getIdP(c *call) (reply, error) {
	p, err := s.identityProvider(c)
	if err != nil {
		return reply{}, err
	}
	return ok(p.object())
}

// deleteIdP answers {"id"} (v7's IdentityProviderDeleteResponse).
func (s *Server) deleteIdP(c *call) (reply, error) {
	p, err := s.identityProvider(c)
	if err != nil {
		return reply{}, err
	}
	delete(s.idps, p.id)
	return ok(map[string]string{"id": p.id})
}
