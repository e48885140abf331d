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
	// connectors are the cloudflared processes connected now (Connect
	// simulates one); activeAt and inactiveAt are when the first one came
	// and the last one went.
	connectors []*connector
	activeAt   time.Time
	inactiveAt time.Time
}

// connector is one cloudflared process with its connections to the edge.
type connector struct {
	id      string
	version string
	arch    string
	runAt   time.Time
	conns   []connection
}

type connection struct {
	id       string
	colo     string
	originIP string
	openedAt time.Time
}

func (t *tunnel) live() bool { return t.deleted.IsZero() }

// status is what the API reports: "inactive" until a connector has ever
// connected, then "healthy" while one is connected and "down" after the last
// one went. ("degraded", some connections failing, is never simulated.)
func (t *tunnel) status() string {
	switch {
	case len(t.connectors) > 0:
		return "healthy"
	case !t.activeAt.IsZero():
		return "down"
	}
	return "inactive"
}

// Tunnel error codes. 1013 is quoted from a real response; 1022 is the code
// clients report for deleting a tunnel with live connections (its message is
// the one quoted in terraform-provider-cloudflare issue #5255, its HTTP
// status is unconfirmed).
const (
	codeTunnelNotFound    = 1003 // 404; unconfirmed
	codeTunnelInvalid     = 1001 // 400; unconfirmed
	codeTunnelDuplicate   = 1013 // 409 "You already have a tunnel with this name"
	codeTunnelConnections = 1022 // 400; status unconfirmed
)

func errTunnelNotFound() *apiError {
	return newError(http.StatusNotFound, codeTunnelNotFound, "Tunnel not found")
}

func errTunnelDuplicate() *apiError {
	return newError(http.StatusConflict, codeTunnelDuplicate, "You already have a tunnel with this name")
}

func errTunnelHasConnections() *apiError {
	return newError(http.StatusBadRequest, codeTunnelConnections, "Cannot delete tunnel because it has active connections")
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
	t := &tunnel{id: newUUID(), name: name, secret: secret, configSrc: src, created: at, inactiveAt: at, seq: s.nextSeq()}
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

// tunnelJSON is the shared.CloudflareTunnel shape. Its `connections` field
// is deprecated and always empty; the connections endpoint lists them.
func (s *Server) tunnelJSON(t *tunnel) map[string]any {
	return map[string]any{
		"id":                t.id,
		"account_tag":       s.accountID,
		"name":              t.name,
		"created_at":        t.created,
		"deleted_at":        timeOrNull(t.deleted),
		"conns_active_at":   timeOrNull(t.activeAt),
		"conns_inactive_at": timeOrNull(t.inactiveAt),
		"connections":       []any{},
		"metadata":          map[string]any{},
		"remote_config":     t.configSrc == "cloudflare",
		"config_src":        t.configSrc,
		"status":            t.status(),
		"tun_type":          "cfd_tunnel",
	}
}

func timeOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
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
			q.Has("status") && q.Get("status") != t.status(),
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
// A tunnel with a connected cloudflared cannot be deleted until its
// connections are cleaned up (DELETE .../connections).
func (s *Server) deleteTunnel(c *call) (reply, error) {
	t, err := s.tunnel(c, false)
	if err != nil {
		return reply{}, err
	}
	if len(t.connectors) > 0 {
		return reply{}, errTunnelHasConnections()
	}
	t.deleted = c.now
	delete(s.liveName, t.name)
	return ok(s.tunnelJSON(t))
}

// tunnelToken mints the token cloudflared runs with (with
// Options.ConnectOnToken, a cloudflared then connects with it):
// base64(json{"a": account tag, "t": tunnel id, "s": base64 secret}).
func (s *Server) tunnelToken(c *call) (reply, error) {
	t, err := s.tunnel(c, false)
	if err != nil {
		return reply{}, err
	}
	if s.connectOnToken && len(t.connectors) == 0 {
		s.connect(t, c.now)
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

// listTunnelConnections lists the connectors (the SDK's `Client`) with
// their connections to the edge.
func (s *Server) listTunnelConnections(c *call) (reply, error) {
	t, err := s.tunnel(c, true)
	if err != nil {
		return reply{}, err
	}
	out := make([]map[string]any, 0, len(t.connectors))
	for _, k := range t.connectors {
		conns := make([]map[string]any, len(k.conns))
		for i, conn := range k.conns {
			conns[i] = map[string]any{
				"id": conn.id, "uuid": conn.id, "client_id": k.id, "client_version": k.version,
				"colo_name": conn.colo, "origin_ip": conn.originIP, "opened_at": conn.openedAt,
			}
		}
		out = append(out, map[string]any{
			"id": k.id, "arch": k.arch, "version": k.version, "run_at": k.runAt,
			"config_version": t.config.version, "features": []string{"ha-origin", "management_logs"}, "conns": conns,
		})
	}
	return ok(out)
}

// deleteTunnelConnections removes every connector, or the one named by
// client_id, whatever its state (the API's "clean up connections"). Its
// result is an empty object (the SDK types it as any; unconfirmed).
func (s *Server) deleteTunnelConnections(c *call) (reply, error) {
	t, err := s.tunnel(c, false)
	if err != nil {
		return reply{}, err
	}
	only := c.query.Get("client_id")
	kept := t.connectors[:0]
	for _, k := range t.connectors {
		if only != "" && k.id != only {
			kept = append(kept, k)
		}
	}
	t.connectors = kept
	if len(kept) == 0 && !t.activeAt.IsZero() {
		t.inactiveAt = c.now
	}
	return ok(map[string]any{})
}

// Connection is a simulated cloudflared connector of a tunnel.
type Connection struct {
	ConnectorID string
	ConnIDs     []string
}

// Connect simulates `cloudflared tunnel run` on a live tunnel: a connector
// with two connections to the edge, as the API lists them, which blocks a
// plain DELETE of the tunnel until its connections are cleaned up.
func (s *Server) Connect(tunnelID string) (Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tunnels[tunnelID]
	if t == nil || !t.live() {
		return Connection{}, errors.New("cfsandbox: no live tunnel " + tunnelID)
	}
	return s.connect(t, now()), nil
}

func (s *Server) connect(t *tunnel, at time.Time) Connection {
	k := &connector{id: newUUID(), version: "2026.11.0", arch: "linux_amd64", runAt: at}
	for _, colo := range []string{"ams01", "fra08"} {
		k.conns = append(k.conns, connection{id: newUUID(), colo: colo, originIP: "192.0.2.10", openedAt: at})
	}
	t.connectors = append(t.connectors, k)
	if t.activeAt.IsZero() || len(t.connectors) == 1 {
		t.activeAt = at
	}
	out := Connection{ConnectorID: k.id}
	for _, conn := range k.conns {
		out.ConnIDs = append(out.ConnIDs, conn.id)
	}
	return out
}

// Connectors returns the number of connectors connected to a tunnel now.
func (s *Server) Connectors(tunnelID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tunnels[tunnelID]; t != nil {
		return len(t.connectors)
	}
	return 0
}
