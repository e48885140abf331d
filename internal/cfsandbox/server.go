// Package cfsandbox is a stateful, in-memory implementation of the parts of
// the Cloudflare v4 API that the homelab provider uses: zones, DNS records,
// Cloudflare Tunnels with their remote configuration, and Access
// (applications, reusable policies, groups, identity providers, the Zero
// Trust organization and service tokens). It is written from the wire
// shapes the Cloudflare API reference documents
// (developers.cloudflare.com/api), never from a client library, so that a
// misunderstanding cannot hide on both sides of the wire.
//
// Besides the API it counts requests per endpoint and injects faults (latency,
// 429 bursts, a real sliding-window limiter, 5xx), which the performance and
// reliability tests need. Behaviour the documentation does not pin down is
// marked "unconfirmed" where it is chosen.
//
// # Facts it follows, and their sources
//
//   - Every answer is the v4 envelope {success, errors, messages, result}
//     (+ result_info on lists), page/per_page pagination, an empty page
//     past the end (API reference, "Pagination").
//   - Field for field, answers match the response types cloudflare-go v7
//     declares for each endpoint; parity_test.go checks this by reflection,
//     and lists, with reasons, the few places where the real API differs
//     from those types.
//   - DNS: names are stored as lowercase Punycode FQDNs (the "name" field's
//     doc: "Complete DNS record name, including the zone name, in
//     Punycode"); refusals answer HTTP 400 with 81053/81054 (CNAME
//     exclusivity), 81057/81058 (existing and identical records, the
//     latter also the document lock's create-if-absent, see
//     internal/cloudflare/lock.go), 9000 (bad name), 9021 (bad TTL), and 404
//     with 81044 for an unknown record: codes from real answers quoted in
//     clients' issues (ddns-go, aaPanel, SynologyCloudflareDDNS) and
//     cloudflare's own troubleshooting page "Records with the same name";
//     proxied records have ttl 1 ("automatic"). The batch endpoint takes at
//     most 200 records on the Free plan, all or nothing (DNS docs, "Batch
//     record changes").
//   - Tunnels: remotely managed tunnels (config_src "cloudflare"); a
//     duplicate live name answers 409 with code 1013; deletion is soft
//     (deleted_at, is_deleted filter); a configuration without a catch-all
//     rule last is refused with 1056; the token is base64 of
//     {"a": account tag, "t": tunnel id, "s": secret} (cloudflared,
//     connection/connection.go, TunnelToken). A tunnel with a connected
//     cloudflared cannot be deleted (code 1022, "Cannot delete tunnel
//     because it has active connections", terraform-provider-cloudflare
//     #5255; the HTTP status is unconfirmed) until DELETE .../connections
//     cleans them up; its status is inactive until a connector has ever
//     connected, then healthy or down (API reference, "Cloudflare Tunnel").
//   - Access: reusable policies are account-scoped and linked from
//     applications by id and precedence; an application's domain,
//     destinations and self_hosted_domains describe the same hostnames.
//     A domain may carry a path ("ha.example.com/api/webhook/": the
//     reference's domain is "the primary hostname and path secured by
//     Access"). allowed_idps name the account's identity providers, and
//     auto_redirect_to_identity needs exactly one (the dashboard's
//     "Instant Auth" is offered only then; the refusal is unconfirmed).
//   - Access rules: each include, exclude or require rule is an object
//     with exactly one selector of the reference's "Access rule" union
//     (cloudflare-go v7's zero_trust.AccessRule); the selectors the
//     provider writes are checked member by member: email.email,
//     email_domain.domain, group.id and service_token.token_id (which
//     must exist), ip.ip (an address or CIDR), geo.country_code (ISO
//     3166-1 alpha-2), everyone and any_valid_service_token (empty). The
//     decisions are allow, deny, bypass and non_identity ("Service Auth",
//     which the Access docs describe as authentication "that do[es] not
//     require an identity provider IdP login, such as service tokens and
//     mutual TLS"; that identity selectors are refused in it is our
//     choice).
//   - Access groups and identity providers: account-scoped, UUID ids, list
//     / get / create / delete answering {"id"} on delete; identity
//     provider types are the reference's list (github, google, oidc,
//     onetimepin, ...), each with a config object.
//   - The Zero Trust organization: one per account, GET
//     /accounts/{id}/access/organizations; auth_domain is
//     "<team name>.cloudflareaccess.com", and the team name is what
//     cloudflared's originRequest.access.teamName takes.
//   - Service tokens: client_id is "<32 hex>.access"; the client_secret is
//     answered only by create and rotate (cloudflare-go v7 declares it in
//     AccessServiceTokenNewResponse and AccessServiceTokenRotateResponse
//     only); duration is a Go duration or "forever", default 8760h;
//     refresh sets expires_at to now + duration; rotate keeps the previous
//     secret valid until previous_client_secret_expires_at, by default now
//     (v7's field docs); a higher client_secret_version in an update also
//     rotates, without answering the secret.
//   - Limits: 1,200 requests per rolling 5 minutes per token, beyond which
//     the API answers 429 with code 971 and Retry-After
//     (developers.cloudflare.com/fundamentals/api/reference/limits).
package cfsandbox

import (
	"bytes"
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// APIPrefix is the path under which the API is served, as on api.cloudflare.com.
const APIPrefix = "/client/v4"

// Options configures a Server.
type Options struct {
	Token     string // accepted bearer token; empty = random 40-char token
	AccountID string // empty = random 32 lowercase hex
	TeamName  string // the Zero Trust organization's team name; empty = DefaultTeamName
	// ConnectOnToken simulates a cloudflared started with every tunnel
	// token fetched: the tunnel gets a connector (see Connect), if it has
	// none, so that deleting it needs its connections cleaned up first.
	ConnectOnToken bool
}

// Server is the in-memory API. It is safe for concurrent use.
type Server struct {
	token     string
	tokenID   string
	accountID string
	routes    []*route

	connectOnToken bool

	counters counters
	faults   faultState

	mu       sync.Mutex // guards everything below
	seq      uint64     // creation order, for stable listings
	zones    map[string]*zone
	tunnels  map[string]*tunnel
	liveName map[string]string // live tunnel name -> id
	apps     map[string]*accessApp
	policies map[string]*accessPolicy
	groups   map[string]*accessGroup
	idps     map[string]*identityProvider
	org      organization

	serviceTokens map[string]*serviceToken
}

// New returns an empty server with one account and no zones.
func New(opts Options) *Server {
	s := &Server{
		token:          opts.Token,
		tokenID:        newHexID(),
		accountID:      opts.AccountID,
		connectOnToken: opts.ConnectOnToken,
		zones:          map[string]*zone{},
		tunnels:        map[string]*tunnel{},
		liveName:       map[string]string{},
		apps:           map[string]*accessApp{},
		policies:       map[string]*accessPolicy{},
		groups:         map[string]*accessGroup{},
		idps:           map[string]*identityProvider{},
		org:            organization{team: cmp.Or(opts.TeamName, DefaultTeamName), created: now()},

		serviceTokens: map[string]*serviceToken{},
	}
	if s.token == "" {
		s.token = newToken()
	}
	if s.accountID == "" {
		s.accountID = newHexID()
	}
	s.routes = buildRoutes()
	s.faults.reset(Faults{})
	return s
}

// Token returns the accepted bearer token.
func (s *Server) Token() string { return s.token }

// AccountID returns the only account's id.
func (s *Server) AccountID() string { return s.accountID }

func (s *Server) nextSeq() uint64 {
	s.seq++
	return s.seq
}

// apiMessage is an item of the envelope's errors or messages.
type apiMessage struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type resultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

type envelope struct {
	Success    bool         `json:"success"`
	Errors     []apiMessage `json:"errors"`
	Messages   []apiMessage `json:"messages"`
	Result     any          `json:"result"`
	ResultInfo *resultInfo  `json:"result_info,omitempty"`
}

// apiError is a failure answered with the error envelope.
type apiError struct {
	status  int
	code    int
	message string
}

func (e *apiError) Error() string { return e.message }

func newError(status, code int, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// Codes shared by all endpoints.
const (
	codeAuth     = 10000 // 403 "Authentication error"
	codeNoRoute  = 7000  // 404 "No route for that URI"
	codeBadID    = 7003  // 404 here; the real status for unknown identifiers is unconfirmed (400 or 404)
	codeMethod   = 10405 // 405; unconfirmed, the real API's answer to a wrong method is not documented
	codeRateLim  = 971   // 429, the body seen in 2025-2026
	codeInternal = 1000  // synthetic 5xx body; the real edge often answers 5xx with HTML
)

func errBadIdentifier(path string) *apiError {
	return newError(http.StatusNotFound, codeBadID,
		"Could not route to "+path+", perhaps your object identifier is invalid?")
}

// call is one request as a handler sees it.
type call struct {
	path   string // path below APIPrefix
	params map[string]string
	query  url.Values
	body   []byte
	now    time.Time
}

// reply is a handler's successful answer.
type reply struct {
	result   any
	info     *resultInfo
	messages []apiMessage
}

func ok(result any) (reply, error) { return reply{result: result}, nil }

type handler func(s *Server, c *call) (reply, error)

// route is one path template and its handlers by method.
type route struct {
	template string // "/zones/{zone_id}/dns_records"
	segs     []string
	methods  map[string]handler
}

func newRoute(template string, methods map[string]handler) *route {
	return &route{template: template, segs: strings.Split(strings.Trim(template, "/"), "/"), methods: methods}
}

func (rt *route) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var params map[string]string
	for i, pat := range rt.segs {
		if name, ok := strings.CutPrefix(pat, "{"); ok {
			if params == nil {
				params = map[string]string{}
			}
			params[strings.TrimSuffix(name, "}")] = segs[i]
		} else if pat != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// match finds the first route whose template fits the path; routes with a
// literal segment (dns_records/batch) are listed before parameterised ones.
func (s *Server) match(path string) (*route, map[string]string, string) {
	rest, found := strings.CutPrefix(path, APIPrefix+"/")
	if !found {
		return nil, nil, ""
	}
	rest = strings.TrimSuffix(rest, "/")
	segs := strings.Split(rest, "/")
	for _, seg := range segs {
		if seg == "" {
			return nil, nil, ""
		}
	}
	for _, rt := range s.routes {
		if params, ok := rt.match(segs); ok {
			return rt, params, "/" + rest
		}
	}
	return nil, nil, "/" + rest
}

// UnmatchedRoute is the route part of the counter key of requests that match
// no endpoint, e.g. "GET (no route)".
const UnmatchedRoute = "(no route)"

const maxBody = 8 << 20

// ServeHTTP serves the API under APIPrefix. Order: count the request, apply
// latency, then faults (429 burst, limiter, 5xx), then auth, then the handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, params, rel := s.match(r.URL.Path)
	key := r.Method + " " + UnmatchedRoute
	if rt != nil {
		key = r.Method + " " + rt.template
	}
	s.counters.add(key, time.Now())
	if !s.admit(w, r) {
		return
	}
	data, err := s.dispatch(w, r, rt, params, rel)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, data)
}

// admit applies latency, faults and auth. It reports whether the request may
// go on; when not, it has been answered (or its client went away).
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	if !s.faults.sleep(r.Context()) {
		return false
	}
	if e, retryAfter := s.faults.next(time.Now()); e != nil {
		if retryAfter > 0 {
			w.Header().Set("Retry-After", retryAfterHeader(retryAfter))
		}
		writeError(w, e)
		return false
	}
	if !s.authorized(r) {
		writeError(w, newError(http.StatusForbidden, codeAuth, "Authentication error"))
		return false
	}
	return true
}

// dispatch runs the route's handler under the state lock and returns the
// encoded success envelope.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, rt *route, params map[string]string, rel string) ([]byte, *apiError) {
	if rt == nil {
		return nil, newError(http.StatusNotFound, codeNoRoute, "No route for that URI")
	}
	h := rt.methods[r.Method]
	if h == nil {
		w.Header().Set("Allow", strings.Join(allowed(rt), ", "))
		return nil, newError(http.StatusMethodNotAllowed, codeMethod, "Method "+r.Method+" not allowed for "+rt.template)
	}
	if a, ok := params["account_id"]; ok && a != s.accountID {
		return nil, errBadIdentifier(rel)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, newError(http.StatusRequestEntityTooLarge, codeDNSValidation, "Request body too large or unreadable")
	}
	c := &call{path: rel, params: params, query: r.URL.Query(), body: body, now: now()}

	s.mu.Lock()
	defer s.mu.Unlock()
	rep, err := h(s, c)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = newError(http.StatusInternalServerError, codeInternal, err.Error())
		}
		return nil, ae
	}
	// Marshal under the lock: results may share state with the store.
	data, err := marshal(envelope{
		Success: true, Errors: []apiMessage{}, Messages: nonNil(rep.messages),
		Result: rep.result, ResultInfo: rep.info,
	})
	if err != nil {
		return nil, newError(http.StatusInternalServerError, codeInternal, err.Error())
	}
	return data, nil
}

func allowed(rt *route) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if rt.methods[m] != nil {
			out = append(out, m)
		}
	}
	return out
}

// authorized accepts only "Authorization: Bearer <token>". Legacy
// X-Auth-Email/X-Auth-Key pairs are not supported and fail like a bad token.
func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

func nonNil(m []apiMessage) []apiMessage {
	if m == nil {
		return []apiMessage{}
	}
	return m
}

func writeError(w http.ResponseWriter, e *apiError) {
	data, _ := marshal(envelope{
		Errors:   []apiMessage{{Code: e.code, Message: e.message}},
		Messages: []apiMessage{},
	})
	writeJSON(w, e.status, data)
}

// marshal encodes without HTML escaping: messages carry "<https://...>" links
// verbatim, as the real API sends them.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func writeJSON(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
