package cfsandbox

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"strings"
)

// ruleKinds are the selectors an include, exclude or require rule may use:
// the members of the API reference's "Access rule" union (cloudflare-go
// v7's zero_trust.AccessRule). A rule is an object with exactly one of
// them. The kinds the provider writes are checked member by member
// (checkRule); the others are kept as sent.
var ruleKinds = map[string]bool{
	"any_valid_service_token": true, "auth_context": true, "auth_method": true, "azureAD": true,
	"certificate": true, "cloudflare_account_member": true, "common_name": true, "device_posture": true,
	"email": true, "email_domain": true, "email_list": true, "everyone": true, "external_evaluation": true,
	"geo": true, "github-organization": true, "group": true, "gsuite": true, "ip": true, "ip_list": true,
	"linked_app_token": true, "login_method": true, "oidc": true, "okta": true, "saml": true,
	"service_token": true, "user_risk_score": true,
}

// nonIdentityKinds are the selectors that need no identity-provider login,
// the only ones a non_identity ("Service Auth") policy can match on: the
// Access docs' "Service Auth" decision "enforces authentication flows that
// do not require an identity provider IdP login, such as service tokens
// and mutual TLS". [unconfirmed] That the API refuses identity selectors in
// such a policy, rather than never matching them, is our choice.
var nonIdentityKinds = map[string]bool{
	"any_valid_service_token": true, "service_token": true, "certificate": true, "common_name": true,
	"ip": true, "ip_list": true, "geo": true, "everyone": true, "device_posture": true, "linked_app_token": true,
}

var (
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
	// emailDomainRE: a domain without "@" (the reference's example is
	// "example.com").
	emailDomainRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
)

// checkRules validates one rule list (include, exclude or require) of a
// policy or group with the given decision ("" for a group).
func (s *Server) checkRules(list string, raw json.RawMessage, decision string) error {
	if raw == nil || string(raw) == "null" {
		return nil
	}
	var rules []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rules); err != nil {
		return errAccess("%s must be a list of rules", list)
	}
	for i, r := range rules {
		if len(r) != 1 {
			return errAccess("%s[%d]: a rule has exactly one selector", list, i)
		}
		for kind, body := range r {
			if !ruleKinds[kind] {
				return errAccess("%s[%d]: unknown rule selector %q", list, i, kind)
			}
			if decision == "non_identity" && !nonIdentityKinds[kind] {
				return errAccess("%s[%d]: a non_identity policy cannot use the identity selector %q", list, i, kind)
			}
			if err := s.checkRule(kind, body); err != nil {
				return errAccess("%s[%d].%s: %s", list, i, kind, err.Error())
			}
		}
	}
	return nil
}

type ruleError string

func (e ruleError) Error() string { return string(e) }

// checkRule validates the members of the selectors the provider writes,
// with the member names of the API reference (email.email,
// email_domain.domain, group.id, ip.ip, geo.country_code,
// service_token.token_id; everyone and any_valid_service_token are empty
// objects). Groups and service tokens must exist in the account.
func (s *Server) checkRule(kind string, body json.RawMessage) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return ruleError("must be an object")
	}
	member := func(name string) (string, error) {
		var v string
		if err := json.Unmarshal(m[name], &v); err != nil || strings.TrimSpace(v) == "" {
			return "", ruleError(name + " is required")
		}
		return v, nil
	}
	switch kind {
	case "email":
		v, err := member("email")
		if err != nil {
			return err
		}
		if at := strings.LastIndex(v, "@"); at < 1 || at == len(v)-1 {
			return ruleError("email " + v + " is not an e-mail address")
		}
	case "email_domain":
		v, err := member("domain")
		if err != nil {
			return err
		}
		if !emailDomainRE.MatchString(v) {
			return ruleError("domain " + v + " is not a domain")
		}
	case "group":
		v, err := member("id")
		if err != nil {
			return err
		}
		if s.groups[v] == nil {
			return ruleError("unknown group " + v)
		}
	case "ip":
		v, err := member("ip")
		if err != nil {
			return err
		}
		if _, err := netip.ParsePrefix(v); err != nil {
			if _, err := netip.ParseAddr(v); err != nil {
				return ruleError("ip " + v + " is not an IP address or CIDR range")
			}
		}
	case "geo":
		v, err := member("country_code")
		if err != nil {
			return err
		}
		if !countryRE.MatchString(v) {
			return ruleError("country_code " + v + " is not an ISO 3166-1 alpha-2 code")
		}
	case "service_token":
		v, err := member("token_id")
		if err != nil {
			return err
		}
		if s.serviceTokens[v] == nil {
			return ruleError("unknown service token " + v)
		}
	case "everyone", "any_valid_service_token":
		if len(m) != 0 {
			return ruleError("must be an empty object")
		}
	}
	return nil
}

// nonEmptyList reports whether raw is a JSON list with at least one item.
func nonEmptyList(raw json.RawMessage) bool {
	var items []json.RawMessage
	return json.Unmarshal(raw, &items) == nil && len(items) > 0
}
