package cfsandbox

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Tunnel identifies a tunnel added with AddTunnel.
type Tunnel struct {
	ID     string
	Name   string
	Secret string // base64, as cloudflared and the token carry it
}

type tunnel struct {
	id        string
	name      string
	secret    string
	configSrc string // "cloudflare" (remotely managed) or "local"
	created   time.Time
	deleted   time.Time // zero while live; deletion is soft
	seq       uint64
	config    tunnelConfig
}

func (t *tunnel) live() bool { return t.deleted.IsZero() }

// Tunnel error codes. Only 1013 is quoted from a real response.
const (
	codeTunnelNotFound  = 1003 // 404; unconfirmed
	codeTunnelInvalid   = 1001 // 400; unconfirmed
	codeTunnelDuplicate = 1013 // 409 "You already have a tunnel with this name"
)

func errTunnelNotFound() *apiError {
	return newError(http.StatusNotFound, codeTunnelNotFound, "Tunnel not found")
}

func errTunnelDuplicate() *apiError {
	return newError(http.StatusConflict, codeTunnelDuplicate, "You already have a tunnel with this name")
}

func errTunnelInvalid(msg string) *apiError {
	return newError(http.StatusBadRequest, codeTunnelInvalid, msg)
}

// AddTunnel adds a remotely managed (config_src "cloudflare") tunnel with a
// fresh secret. It fails if a live tunnel already has the name.
func (s *Server) AddTunnel(name string) (Tunnel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.liveName[name]; taken {
		return Tunnel{}, errors.New("cfsandbox: a tunnel named " + name + " already exists")
	}
	t := s.insertTunnel(name, newTunnelSecret(), "cloudflare", now())
	return Tunnel{ID: t.id, Name: t.name, Secret: t.secret}, nil
}

func (s *Server) insertTunnel(name, secret, src string, at time.Time) *tunnel {
	t := &tunnel{id: newUUID(), name: name, secret: secret, configSrc: src, created: at, seq: s.nextSeq()}
	s.tunnels[t.id] = t
	s.liveName[name] = t.id
	return t
}

// tunnel finds the path's tunnel; deleted tunnels are found only with
// includeDeleted (GET shows them, with deleted_at set).
func (s *Server) tunnel(c *call, includeDeleted bool) (*tunnel, error) {
	t := s.tunnels[c.params["tunnel_id"]]
	if t == nil || (!includeDeleted && !t.live()) {
		return nil, errTunnelNotFound()
	}
	return t, nil
}

// tunnelJSON is the shared.CloudflareTunnel shape. No connector ever runs
// here, so status is always "inactive" and connections empty.
func (s *Server) tunnelJSON(t *tunnel) map[string]any {
	var deleted any
	if !t.live() {
		deleted = t.deleted
	}
	return map[string]any{
		"id":                t.id,
		"account_tag":       s.accountID,
		"name":              t.name,
		"created_at":        t.created,
		"deleted_at":        deleted,
		"conns_active_at":   nil,
		"conns_inactive_at": t.created,
		"connections":       []any{},
		"metadata":          map[string]any{},
		"remote_config":     t.configSrc == "cloudflare",
		"config_src":        t.configSrc,
		"status":            "inactive",
		"tun_type":          "cfd_tunnel",
	}
}

type tunnelInput struct {
	Name         *string `json:"name"`
	ConfigSrc    *string `json:"config_src"`
	TunnelSecret *string `json:"tunnel_secret"`
}

func parseTunnelInput(body []byte) (tunnelInput, error) {
	var in tunnelInput
	if err := json.Unmarshal(body, &in); err != nil {
		return in, errTunnelInvalid("Malformed JSON in request body")
	}
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		return in, errTunnelInvalid("Tunnel name must not be empty")
	}
	if in.TunnelSecret != nil {
		// The API asks for at least 32 bytes, base64 encoded.
		if b, err := base64.StdEncoding.DecodeString(*in.TunnelSecret); err != nil || len(b) < 32 {
			return in, errTunnelInvalid("tunnel_secret must be at least 32 bytes, base64 encoded")
		}
	}
	return in, nil
}

// createTunnel: name is required; config_src defaults to "local" as in the
// API schema; a missing secret is generated (remotely managed tunnels are
// usually created without one).
func (s *Server) createTunnel(c *call) (reply, error) {
	in, err := parseTunnelInput(c.body)
	if err != nil {
		return reply{}, err
	}
	if in.Name == nil {
		return reply{}, errTunnelInvalid("Tunnel name is required")
	}
	src := "local"
	if in.ConfigSrc != nil {
		src = *in.ConfigSrc
	}
	if src != "local" && src != "cloudflare" {
		return reply{}, errTunnelInvalid("config_src must be \"local\" or \"cloudflare\"")
	}
	if _, taken := s.liveName[*in.Name]; taken {
		return reply{}, errTunnelDuplicate()
	}
	secret := newTunnelSecret()
	if in.TunnelSecret != nil {
		secret = *in.TunnelSecret
	}
	return ok(s.tunnelJSON(s.insertTunnel(*in.Name, secret, src, c.now)))
}

// listTunnels supports name, uuid, is_deleted, status, include_prefix,
// exclude_prefix and existed_at. Without is_deleted, deleted tunnels are
// listed too, as the API does.
func (s *Server) listTunnels(c *call) (reply, error) {
	q := c.query
	var existedAt time.Time
	if v := q.Get("existed_at"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return reply{}, errTunnelInvalid("existed_at must be an RFC 3339 date-time")
		}
		existedAt = t
	}
	keep := func(t *tunnel) bool {
		switch {
		case q.Has("name") && t.name != q.Get("name"),
			q.Has("uuid") && t.id != q.Get("uuid"),
			q.Get("is_deleted") == "true" && t.live(),
			q.Get("is_deleted") == "false" && !t.live(),
			q.Has("status") && q.Get("status") != "inactive",
			q.Has("include_prefix") && !strings.HasPrefix(t.name, q.Get("include_prefix")),
			q.Has("exclude_prefix") && strings.HasPrefix(t.name, q.Get("exclude_prefix")),
			!existedAt.IsZero() && (t.created.After(existedAt) || (!t.live() && t.deleted.Before(existedAt))):
			return false
		}
		return true
	}
	var tunnels []*tunnel
	for _, t := range s.tunnels {
		if keep(t) {
			tunnels = append(tunnels, t)
		}
	}
	slices.SortFunc(tunnels, func(a, b *tunnel) int { return cmp.Compare(a.seq, b.seq) })
	page, info := paginate(tunnels, q, tunnelPages)
	out := make([]map[string]any, len(page))
	for i, t := range page {
		out[i] = s.tunnelJSON(t)
	}
	return reply{result: out, info: info}, nil
}

func (s *Server) getTunnel(c *call) (reply, error) {
	t, err := s.tunnel(c, true)
	if err != nil {
		return reply{}, err
	}
	return ok(s.tunnelJSON(t))
}

// patchTunnel renames a tunnel or replaces its secret.
func (s *Server) patchTunnel(c *call) (reply, error) {
	t, err := s.tunnel(c, false)
	if err != nil {
		return reply{}, err
	}
	in, err := parseTunnelInput(c.body)
	if err != nil {
		return reply{}, err
	}
	if in.Name != nil && *in.Name != t.name {
		if _, taken := s.liveName[*in.Name]; taken {
			return reply{}, errTunnelDuplicate()
		}
		delete(s.liveName, t.name)
		t.name = *in.Name
		s.liveName[t.name] = t.id
	}
	if in.TunnelSecret != nil {
		t.secret = *in.TunnelSecret
	}
	return ok(s.tunnelJSON(t))
}

// deleteTunnel soft-deletes a live tunnel and returns it with deleted_at set
// (that the real response carries deleted_at is unconfirmed). Deleting an
// already deleted tunnel is a 404 (unconfirmed), which clients treat as done.
func (s *Server) deleteTunnel(c *call) (reply, error) {
	t, err := s.tunnel(c, false)
	if err != nil {
		return reply{}, err
	}
	t.deleted = c.now
	delete(s.liveName, t.name)
	return ok(s.tunnelJSON(t))
}

// tunnelToken mints the token cloudflared runs with:
// base64(json{"a": account tag, "t": tunnel id, "s": base64 secret}).
func (s *Server) tunnelToken(c *call) (reply, error) {
	t, err := s.tunnel(c, false)
	if err != nil {
		return reply{}, err
	}
	return ok(tunnelToken(s.accountID, t.id, t.secret))
}

func tunnelToken(account, id, secret string) string {
	data, _ := json.Marshal(struct {
		A string `json:"a"`
		T string `json:"t"`
		S string `json:"s"`
	}{account, id, secret})
	return base64.StdEncoding.EncodeToString(data)
}

// No connector ever connects to this server.
func (s *Server) listTunnelConnections(c *call) (reply, error) {
	if _, err := s.tunnel(c, true); err != nil {
		return reply{}, err
	}
	return ok([]any{})
}

func (s *Server) deleteTunnelConnections(c *call) (reply, error) {
	if _, err := s.tunnel(c, false); err != nil {
		return reply{}, err
	}
	return ok(map[string]any{})
}
