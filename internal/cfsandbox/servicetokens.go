package cfsandbox

import (
	"cmp"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// Service tokens, as the API reference's "Access Service Tokens" describes
// them: a client id ("<32 hex>.access") and a client secret that the API
// answers only on create and rotate (cloudflare-go v7: the client_secret
// member exists in AccessServiceTokenNewResponse and
// AccessServiceTokenRotateResponse only; get, list, update, refresh and
// delete answer ServiceToken, which has none). duration is a Go-style
// duration ("300ms", "2h45m") or "forever", default 8760h (one year);
// refresh pushes expires_at to now + duration; rotate makes a new secret
// and keeps the previous one valid until previous_client_secret_expires_at
// (default: now, so it stops at once).

type serviceToken struct {
	id, name, clientID, secret string
	duration                   string
	enabled                    bool
	version                    int
	expires                    time.Time
	previousSecret             string
	previousUntil              time.Time
	seq                        uint64
}

const defaultTokenDuration = "8760h"

// foreverExpiry is the expiry answered for a token of duration "forever".
// [unconfirmed] The reference does not say what expires_at holds then.
var foreverExpiry = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

func newClientID() string     { return newHexID() + ".access" }
func newClientSecret() string { return hex.EncodeToString(randomBytes(32)) }

// parseTokenDuration checks a duration member.
func parseTokenDuration(d string) (time.Duration, error) {
	if d == "forever" {
		return 0, nil
	}
	v, err := time.ParseDuration(d)
	if err != nil || v <= 0 {
		return 0, errAccess("duration %q must be a positive duration such as 8760h, or forever", d)
	}
	return v, nil
}

func expiry(d string, from time.Time) time.Time {
	if d == "forever" {
		return foreverExpiry
	}
	v, _ := time.ParseDuration(d)
	return from.Add(v).Round(time.Second)
}

func (t *serviceToken) object() map[string]any {
	return map[string]any{
		"id": t.id, "name": t.name, "client_id": t.clientID, "duration": t.duration,
		"enabled": t.enabled, "expires_at": t.expires,
	}
}

// withSecret is the answer to create and rotate: the token with its
// client_secret, without expires_at (v7's New and Rotate response types
// declare no expires_at).
func (t *serviceToken) withSecret() map[string]any {
	out := t.object()
	delete(out, "expires_at")
	out["client_secret"] = t.secret
	return out
}

func (s *Server) serviceToken(c *call) (*serviceToken, error) {
	if t := s.serviceTokens[c.params["service_token_id"]]; t != nil {
		return t, nil
	}
	return nil, errAccessNotFound("service token")
}

// tokenBody reads the members a create or update may set.
type tokenBody struct {
	Name                          *string    `json:"name"`
	Duration                      *string    `json:"duration"`
	Enabled                       *bool      `json:"enabled"`
	ClientSecretVersion           *float64   `json:"client_secret_version"`
	PreviousClientSecretExpiresAt *time.Time `json:"previous_client_secret_expires_at"`
}

func parseTokenBody(body []byte) (tokenBody, error) {
	var b tokenBody
	if len(strings.TrimSpace(string(body))) == 0 {
		return b, nil
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return b, errAccess("malformed JSON in request body")
	}
	if b.Duration != nil {
		if _, err := parseTokenDuration(*b.Duration); err != nil {
			return b, err
		}
	}
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" {
		return b, errAccess("service token name is required")
	}
	return b, nil
}

func (s *Server) listServiceTokens(c *call) (reply, error) {
	ts := slices.SortedFunc(maps.Values(s.serviceTokens), func(a, b *serviceToken) int { return cmp.Compare(a.seq, b.seq) })
	q := c.query
	out := []map[string]any{}
	for _, t := range ts {
		if q.Has("name") && t.name != q.Get("name") {
			continue
		}
		if q.Has("search") && !strings.Contains(strings.ToLower(t.name), strings.ToLower(q.Get("search"))) {
			continue
		}
		out = append(out, t.object())
	}
	return listReply(out, q, accessPages)
}

func (s *Server) createServiceToken(c *call) (reply, error) {
	b, err := parseTokenBody(c.body)
	if err != nil {
		return reply{}, err
	}
	if b.Name == nil {
		return reply{}, errAccess("service token name is required")
	}
	t := &serviceToken{
		id: newUUID(), name: *b.Name, clientID: newClientID(), secret: newClientSecret(),
		duration: defaultTokenDuration, enabled: true, version: 1, seq: s.nextSeq(),
	}
	if b.Duration != nil {
		t.duration = *b.Duration
	}
	if b.Enabled != nil {
		t.enabled = *b.Enabled
	}
	t.expires = expiry(t.duration, c.now)
	s.serviceTokens[t.id] = t
	return ok(t.withSecret())
}

func (s *Server) getServiceToken(c *call) (reply, error) {
	t, err := s.serviceToken(c)
	if err != nil {
		return reply{}, err
	}
	return ok(t.object())
}

// putServiceToken updates name, duration and enabled. A higher
// client_secret_version rotates the secret, but the answer (a
// ServiceToken) never carries it: only rotate gives it back.
func (s *Server) putServiceToken(c *call) (reply, error) {
	t, err := s.serviceToken(c)
	if err != nil {
		return reply{}, err
	}
	b, err := parseTokenBody(c.body)
	if err != nil {
		return reply{}, err
	}
	if b.Name != nil {
		t.name = *b.Name
	}
	if b.Duration != nil {
		t.duration = *b.Duration
	}
	if b.Enabled != nil {
		t.enabled = *b.Enabled
	}
	if v := b.ClientSecretVersion; v != nil {
		if *v != float64(int(*v)) || int(*v) < t.version {
			return reply{}, errAccess("client_secret_version must be an integer not below %d", t.version)
		}
		if int(*v) > t.version {
			t.rotate(c.now, b.PreviousClientSecretExpiresAt)
			t.version = int(*v)
		}
	}
	return ok(t.object())
}

func (t *serviceToken) rotate(now time.Time, previousUntil *time.Time) {
	t.previousSecret, t.previousUntil = t.secret, now
	if previousUntil != nil {
		t.previousUntil = *previousUntil
	}
	t.secret = newClientSecret()
	t.version++
}

func (s *Server) rotateServiceToken(c *call) (reply, error) {
	t, err := s.serviceToken(c)
	if err != nil {
		return reply{}, err
	}
	b, err := parseTokenBody(c.body)
	if err != nil {
		return reply{}, err
	}
	t.rotate(c.now, b.PreviousClientSecretExpiresAt)
	return ok(t.withSecret())
}

func (s *Server) refreshServiceToken(c *call) (reply, error) {
	t, err := s.serviceToken(c)
	if err != nil {
		return reply{}, err
	}
	t.expires = expiry(t.duration, c.now)
	return ok(t.object())
}

// deleteServiceToken answers the deleted token. Policies naming it keep
// the rule ([unconfirmed]: whether the API refuses to delete a token a
// policy names is not documented; we choose the permissive answer).
func (s *Server) deleteServiceToken(c *call) (reply, error) {
	t, err := s.serviceToken(c)
	if err != nil {
		return reply{}, err
	}
	delete(s.serviceTokens, t.id)
	return ok(t.object())
}
