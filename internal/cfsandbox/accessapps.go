package cfsandbox

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// domainTypes are application types served on a hostname, which need a
// domain (or a public destination it can be taken from).
var domainTypes = map[string]bool{"self_hosted": true, "ssh": true, "vnc": true, "rdp": true}

// appDefaults are members the API fills for self-hosted applications when
// absent (values of a fresh dashboard app; the exact set is unconfirmed).
func appDefaults(typ string) map[string]any {
	if !domainTypes[typ] {
		return map[string]any{}
	}
	return map[string]any{
		"allowed_idps": []any{}, "app_launcher_visible": true, "auto_redirect_to_identity": false,
		"session_duration": "24h", "enable_binding_cookie": false, "http_only_cookie_attribute": true,
		"options_preflight_bypass": false,
	}
}

func (s *Server) app(c *call) (*accessApp, error) {
	if a := s.apps[c.params["app_id"]]; a != nil {
		return a, nil
	}
	return nil, errAccessNotFound("application")
}

// appFields validates an application body and returns its stored members.
// A missing type means self_hosted. A self-hosted app needs a domain; when
// only destinations are given, the first public one becomes the domain.
// Several apps may share a domain: we choose the permissive behaviour, since
// whether Cloudflare refuses a second app on one domain is unconfirmed.
func appFields(body fields) (fields, error) {
	f := withoutServerOwned(body)
	if f.str("type") == "" {
		f["type"] = json.RawMessage(`"self_hosted"`)
	}
	typ := f.str("type")
	if !domainTypes[typ] {
		return f, nil
	}
	if strings.TrimSpace(f.str("name")) == "" {
		return nil, errAccess("application name is required")
	}
	if f.str("domain") == "" {
		var dests []struct{ Type, URI string }
		_ = json.Unmarshal(f["destinations"], &dests)
		for _, d := range dests {
			if (d.Type == "" || d.Type == "public") && d.URI != "" {
				f["domain"], _ = json.Marshal(d.URI)
				break
			}
		}
	}
	if f.str("domain") == "" {
		return nil, errAccess("a %s application needs a domain", typ)
	}
	if err := checkAppDomain(f.str("domain")); err != nil {
		return nil, err
	}
	return f, nil
}

// checkAppDomain accepts a hostname, optionally a wildcard, optionally
// followed by a path: "app.example.com/api/webhook/" (the reference's
// domain: "The primary hostname and path secured by Access").
func checkAppDomain(d string) error {
	host, path, _ := strings.Cut(d, "/")
	h := strings.TrimPrefix(host, "*.")
	if !emailDomainRE.MatchString(h) {
		return errAccess("domain %q: %q is not a hostname", d, host)
	}
	if strings.ContainsAny(path, " ?#") {
		return errAccess("domain %q: the path may not hold spaces, a query or a fragment", d)
	}
	return nil
}

// checkIdPs: allowed_idps name identity providers of the account, and
// auto_redirect_to_identity (skip the login page for the only IdP) needs
// exactly one, listed or, with none listed, in the account. [unconfirmed]
// The refusal's wording and code; the dashboard offers "Instant Auth" only
// with one identity provider selected.
func (s *Server) checkIdPs(f fields) error {
	var ids []string
	if raw, ok := f["allowed_idps"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &ids); err != nil {
			return errAccess("allowed_idps must be a list of identity provider ids")
		}
	}
	for _, id := range ids {
		if s.idps[id] == nil {
			return errAccess("allowed_idps: unknown identity provider %s", id)
		}
	}
	var redirect bool
	_ = json.Unmarshal(f["auto_redirect_to_identity"], &redirect)
	n := len(ids)
	if n == 0 {
		n = len(s.idps)
	}
	if redirect && n != 1 {
		return errAccess("auto_redirect_to_identity needs exactly one identity provider, the application allows %d", n)
	}
	return nil
}

// appPolicies reads an application's policies: each item a bare policy id,
// a link {"id", "precedence"}, or an inline policy object (an app-scoped
// policy). Inline objects carrying the id of one of the app's own inline
// policies update it. Precedence defaults to the position, from 1.
func (s *Server) appPolicies(raw json.RawMessage, prev []appPolicy, t time.Time) ([]appPolicy, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errAccess("policies must be a list")
	}
	own := map[string]*accessPolicy{}
	for _, ap := range prev {
		if ap.inline != nil {
			own[ap.inline.id] = ap.inline
		}
	}
	out := make([]appPolicy, 0, len(items))
	seenID, seenPrec := map[string]bool{}, map[int]bool{}
	for i, item := range items {
		ap, err := s.appPolicy(item, own, t)
		if err != nil {
			return nil, err
		}
		if ap.precedence == 0 {
			ap.precedence = i + 1
		}
		id := ap.policyID
		if ap.inline != nil {
			id = ap.inline.id
		}
		if seenID[id] {
			return nil, errAccess("policy %s is listed twice", id)
		}
		if seenPrec[ap.precedence] {
			return nil, errAccess("precedence %d is used twice", ap.precedence)
		}
		seenID[id], seenPrec[ap.precedence] = true, true
		out = append(out, ap)
	}
	slices.SortStableFunc(out, func(a, b appPolicy) int { return cmp.Compare(a.precedence, b.precedence) })
	return out, nil
}

func (s *Server) appPolicy(item json.RawMessage, own map[string]*accessPolicy, t time.Time) (appPolicy, error) {
	var id string
	if json.Unmarshal(item, &id) == nil {
		if s.policies[id] == nil {
			return appPolicy{}, errAccess("unknown policy %s", id)
		}
		return appPolicy{policyID: id}, nil
	}
	var f fields
	if err := json.Unmarshal(item, &f); err != nil || f == nil {
		return appPolicy{}, errAccess("a policy must be an id or an object")
	}
	var prec float64
	if raw, ok := f["precedence"]; ok {
		if err := json.Unmarshal(raw, &prec); err != nil || prec < 1 || prec != float64(int(prec)) {
			return appPolicy{}, errAccess("precedence must be a positive integer")
		}
	}
	ap := appPolicy{precedence: int(prec)}
	id = f.str("id")
	switch {
	case id != "" && s.policies[id] != nil:
		ap.policyID = id
	case id != "" && own[id] != nil:
		p := *own[id]
		p.fields, p.updated = withoutServerOwned(f), t
		if err := s.validatePolicy(p.fields); err != nil {
			return appPolicy{}, err
		}
		ap.inline = &p
	case id != "":
		return appPolicy{}, errAccess("unknown policy %s", id)
	default:
		p, err := s.newPolicy(f, false, t)
		if err != nil {
			return appPolicy{}, err
		}
		ap.inline = p
	}
	return ap, nil
}

// object renders an application with its policies expanded into full
// policy objects carrying their precedence.
func (s *Server) appObject(a *accessApp, counts map[string]int) map[string]any {
	out := appDefaults(a.fields.str("type"))
	for k, v := range a.fields {
		out[k] = v
	}
	policies := make([]map[string]any, 0, len(a.policies))
	for _, ap := range a.policies {
		p := ap.inline
		if p == nil {
			p = s.policies[ap.policyID]
		}
		obj := p.object(counts[p.id])
		obj["precedence"] = ap.precedence
		// An application's policy list does not say whether a policy is
		// reusable, nor how many apps link it (cloudflare-go v7's
		// AccessApplicationGetResponseSelfHostedApplicationPolicy): the
		// policy itself does.
		delete(obj, "reusable")
		delete(obj, "app_count")
		policies = append(policies, obj)
	}
	if a.fields.str("type") == "self_hosted" {
		tieDomains(out, a.fields)
	}
	out["id"] = a.id
	out["aud"] = a.aud
	out["created_at"] = a.created
	out["updated_at"] = a.updated
	out["policies"] = policies
	return out
}

// tieDomains fills a self-hosted application's three views of its
// hostnames the way the API keeps them tied: domain (the primary),
// destinations (the public ones first) and the older self_hosted_domains.
// Whichever the client sent is kept; the others follow from domain.
func tieDomains(out map[string]any, f fields) {
	domain := f.str("domain")
	if _, ok := f["destinations"]; !ok {
		out["destinations"] = []any{map[string]any{"type": "public", "uri": domain}}
	}
	if _, ok := f["self_hosted_domains"]; !ok {
		var dests []struct{ Type, URI string }
		if raw, ok := f["destinations"]; ok {
			_ = json.Unmarshal(raw, &dests)
		}
		hosts := []string{}
		for _, d := range dests {
			if (d.Type == "" || d.Type == "public") && d.URI != "" {
				hosts = append(hosts, d.URI)
			}
		}
		if len(hosts) == 0 {
			hosts = []string{domain}
		}
		out["self_hosted_domains"] = hosts
	}
}

// listApps supports name, domain (substring, case-insensitive, or exact with
// exact=true), aud and search (name or domain).
func (s *Server) listApps(c *call) (reply, error) {
	q := c.query
	exact := q.Get("exact") == "true"
	match := func(have, want string) bool {
		if exact {
			return have == want
		}
		return strings.Contains(strings.ToLower(have), strings.ToLower(want))
	}
	var apps []*accessApp
	for _, a := range s.apps {
		name, domain := a.fields.str("name"), a.fields.str("domain")
		switch {
		case q.Has("name") && !match(name, q.Get("name")),
			q.Has("domain") && !match(domain, q.Get("domain")),
			q.Has("aud") && a.aud != q.Get("aud"),
			q.Has("search") && !match(name, q.Get("search")) && !match(domain, q.Get("search")):
			continue
		}
		apps = append(apps, a)
	}
	slices.SortFunc(apps, func(a, b *accessApp) int { return cmp.Compare(a.seq, b.seq) })
	page, info := paginate(apps, q, accessPages)
	counts := s.appCounts()
	out := make([]map[string]any, len(page))
	for i, a := range page {
		out[i] = s.appObject(a, counts)
	}
	return reply{result: out, info: info}, nil
}

func (s *Server) createApp(c *call) (reply, error) {
	body, err := parseAccessBody(c.body)
	if err != nil {
		return reply{}, err
	}
	f, err := appFields(body)
	if err != nil {
		return reply{}, err
	}
	if err := s.checkIdPs(f); err != nil {
		return reply{}, err
	}
	a := &accessApp{id: newUUID(), aud: newAUD(), fields: f, created: c.now, updated: c.now, seq: s.nextSeq()}
	if raw, ok := body["policies"]; ok && string(raw) != "null" {
		if a.policies, err = s.appPolicies(raw, nil, c.now); err != nil {
			return reply{}, err
		}
	}
	s.apps[a.id] = a
	return ok(s.appObject(a, s.appCounts()))
}

func (s *Server) getApp(c *call) (reply, error) {
	a, err := s.app(c)
	if err != nil {
		return reply{}, err
	}
	return ok(s.appObject(a, s.appCounts()))
}

// putApp replaces the application's members. Without a policies member the
// links are kept (unconfirmed); with one, even empty, they are replaced.
func (s *Server) putApp(c *call) (reply, error) {
	a, err := s.app(c)
	if err != nil {
		return reply{}, err
	}
	body, err := parseAccessBody(c.body)
	if err != nil {
		return reply{}, err
	}
	f, err := appFields(body)
	if err != nil {
		return reply{}, err
	}
	if err := s.checkIdPs(f); err != nil {
		return reply{}, err
	}
	policies := a.policies
	if raw, ok := body["policies"]; ok {
		policies = nil
		if string(raw) != "null" {
			if policies, err = s.appPolicies(raw, a.policies, c.now); err != nil {
				return reply{}, err
			}
		}
	}
	a.fields, a.policies, a.updated = f, policies, c.now
	return ok(s.appObject(a, s.appCounts()))
}

// deleteApp removes the application and its app-scoped policies; reusable
// policies stay, with a lower app_count.
func (s *Server) deleteApp(c *call) (reply, error) {
	a, err := s.app(c)
	if err != nil {
		return reply{}, err
	}
	delete(s.apps, a.id)
	return ok(map[string]string{"id": a.id})
}
