package cfsandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Access error codes are unconfirmed: the documentation gives none.
const (
	codeAccessInvalid  = 12130 // 400
	codeAccessNotFound = 11021 // 404
)

func errAccess(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, codeAccessInvalid, "access.api.error.invalid_request: "+fmt.Sprintf(format, args...))
}

func errAccessNotFound(what string) *apiError {
	return newError(http.StatusNotFound, codeAccessNotFound, "access.api.error.not_found: "+what+" not found")
}

// accessPolicy is a reusable policy, or an app-scoped (legacy) one created
// inline in an application's policies.
type accessPolicy struct {
	id       string
	fields   fields // as sent, without server-owned members
	reusable bool
	created  time.Time
	updated  time.Time
	seq      uint64
}

// appPolicy is one entry of an application's policies: a link to a
// reusable policy, or an inline app-scoped policy.
type appPolicy struct {
	policyID   string
	inline     *accessPolicy
	precedence int
}

type accessApp struct {
	id       string
	aud      string
	fields   fields // as sent, without server-owned members and policies
	policies []appPolicy
	created  time.Time
	updated  time.Time
	seq      uint64
}

// serverOwned members are ignored in request bodies and set by the server.
var serverOwned = []string{"id", "aud", "created_at", "updated_at", "reusable", "app_count", "policies", "precedence"}

func parseAccessBody(body []byte) (fields, error) {
	var f fields
	if err := json.Unmarshal(body, &f); err != nil || f == nil {
		return nil, errAccess("malformed JSON in request body")
	}
	return f, nil
}

func withoutServerOwned(f fields) fields {
	out := maps.Clone(f)
	for _, k := range serverOwned {
		delete(out, k)
	}
	return out
}

func (f fields) str(key string) string {
	var v string
	_ = json.Unmarshal(f[key], &v)
	return v
}

// Policies.

var decisions = map[string]bool{"allow": true, "deny": true, "non_identity": true, "bypass": true}

// validatePolicy checks what the API requires of a policy: a name, a
// decision, at least one include rule, and rules of known shapes
// (accessrules.go), which are then kept verbatim.
func (s *Server) validatePolicy(f fields) error {
	if strings.TrimSpace(f.str("name")) == "" {
		return errAccess("policy name is required")
	}
	if !decisions[f.str("decision")] {
		return errAccess("policy decision must be one of allow, deny, non_identity, bypass")
	}
	var include []json.RawMessage
	if err := json.Unmarshal(f["include"], &include); err != nil || len(include) == 0 {
		return errAccess("policy include must be a non-empty list of rules")
	}
	for _, k := range []string{"include", "exclude", "require"} {
		if err := s.checkRules(k, f[k], f.str("decision")); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) newPolicy(f fields, reusable bool, t time.Time) (*accessPolicy, error) {
	f = withoutServerOwned(f)
	if err := s.validatePolicy(f); err != nil {
		return nil, err
	}
	return &accessPolicy{id: newUUID(), fields: f, reusable: reusable, created: t, updated: t, seq: s.nextSeq()}, nil
}

// policyDefaults are members the API fills when absent.
func policyDefaults() map[string]any {
	return map[string]any{
		"exclude": []any{}, "require": []any{}, "session_duration": "24h",
		"approval_required": false, "isolation_required": false, "purpose_justification_required": false,
	}
}

func (p *accessPolicy) object(appCount int) map[string]any {
	out := policyDefaults()
	for k, v := range p.fields {
		out[k] = v
	}
	out["id"] = p.id
	out["reusable"] = p.reusable
	out["created_at"] = p.created
	out["updated_at"] = p.updated
	if p.reusable {
		out["app_count"] = appCount
	}
	return out
}

// appCounts counts, per reusable policy, the applications linking it.
func (s *Server) appCounts() map[string]int {
	counts := map[string]int{}
	for _, a := range s.apps {
		for _, ap := range a.policies {
			if ap.policyID != "" {
				counts[ap.policyID]++
			}
		}
	}
	return counts
}

func (s *Server) policy(c *call) (*accessPolicy, error) {
	if p := s.policies[c.params["policy_id"]]; p != nil {
		return p, nil
	}
	return nil, errAccessNotFound("policy")
}

func (s *Server) listPolicies(c *call) (reply, error) {
	ps := slices.SortedFunc(maps.Values(s.policies), func(a, b *accessPolicy) int { return cmp.Compare(a.seq, b.seq) })
	counts := s.appCounts()
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = p.object(counts[p.id])
	}
	return listReply(out, c.query, accessPages)
}

func (s *Server) createPolicy(c *call) (reply, error) {
	f, err := parseAccessBody(c.body)
	if err != nil {
		return reply{}, err
	}
	p, err := s.newPolicy(f, true, c.now)
	if err != nil {
		return reply{}, err
	}
	s.policies[p.id] = p
	return ok(p.object(0))
}

func (s *Server) getPolicy(c *call) (reply, error) {
	p, err := s.policy(c)
	if err != nil {
		return reply{}, err
	}
	return ok(p.object(s.appCounts()[p.id]))
}

func (s *Server) putPolicy(c *call) (reply, error) {
	p, err := s.policy(c)
	if err != nil {
		return reply{}, err
	}
	f, err := parseAccessBody(c.body)
	if err != nil {
		return reply{}, err
	}
	f = withoutServerOwned(f)
	if err := s.validatePolicy(f); err != nil {
		return reply{}, err
	}
	p.fields, p.updated = f, c.now
	return ok(p.object(s.appCounts()[p.id]))
}

// deletePolicy refuses while applications still link the policy (400, the
// exact answer is unconfirmed): Cloudflare does not cascade.
func (s *Server) deletePolicy(c *call) (reply, error) {
	p, err := s.policy(c)
	if err != nil {
		return reply{}, err
	}
	if n := s.appCounts()[p.id]; n > 0 {
		return reply{}, errAccess("policy %s is still used by %d application(s)", p.id, n)
	}
	delete(s.policies, p.id)
	return ok(map[string]string{"id": p.id})
}
