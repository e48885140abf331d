package cfsandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// tunnelConfig is a tunnel's remote configuration. The document is kept
// exactly as the client sent it (compacted), so unknown keys such as
// "warp-routing" and every originRequest key survive a round trip.
type tunnelConfig struct {
	version int
	created time.Time
	doc     json.RawMessage
}

// Configuration error codes: 1056 is documented by the official provider for
// a last rule that is not a catch-all; 1055 for the other validation
// failures is unconfirmed (the message for empty ingress is cloudflared's).
const (
	codeConfigInvalid  = 1055
	codeConfigCatchAll = 1056
)

func errConfig(code int, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, code, "Bad Configuration: Validation failed: "+fmt.Sprintf(format, args...))
}

// emptyConfig is what GET answers for a tunnel never configured: version 0
// and no ingress rules (unconfirmed).
var emptyConfig = json.RawMessage(`{"ingress":[]}`)

func (s *Server) configJSON(t *tunnel) map[string]any {
	doc, created := t.config.doc, t.config.created
	if doc == nil {
		doc, created = emptyConfig, t.created
	}
	return map[string]any{
		"account_id": s.accountID,
		"tunnel_id":  t.id,
		"version":    t.config.version,
		"source":     "cloudflare",
		"created_at": created,
		"config":     doc,
	}
}

func (s *Server) getTunnelConfig(c *call) (reply, error) {
	t, err := s.tunnel(c, false)
	if err != nil {
		return reply{}, err
	}
	return ok(s.configJSON(t))
}

// putTunnelConfig replaces the whole document and bumps the version. There is
// no version check: the last writer wins, as on the real API.
func (s *Server) putTunnelConfig(c *call) (reply, error) {
	t, err := s.tunnel(c, false)
	if err != nil {
		return reply{}, err
	}
	var body struct {
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return reply{}, errConfig(codeConfigInvalid, "malformed JSON in request body")
	}
	if err := validateConfig(body.Config); err != nil {
		return reply{}, err
	}
	var doc bytes.Buffer
	if err := json.Compact(&doc, body.Config); err != nil {
		return reply{}, errConfig(codeConfigInvalid, "malformed config")
	}
	t.config = tunnelConfig{version: t.config.version + 1, created: c.now, doc: doc.Bytes()}
	return ok(s.configJSON(t))
}

type ingressRule struct {
	Hostname string `json:"hostname"`
	Path     string `json:"path"`
	Service  string `json:"service"`
}

// validateConfig reproduces cloudflared's ingress checks: at least one rule,
// every rule with a known service, every rule but the last with a hostname
// and not matching everything, and the last rule a catch-all.
func validateConfig(raw json.RawMessage) error {
	var doc struct {
		Ingress []ingressRule `json:"ingress"`
	}
	if len(raw) == 0 || string(raw) == "null" {
		return errConfig(codeConfigInvalid, "the request has no config object")
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return errConfig(codeConfigInvalid, "config must be an object with an ingress list: %v", err)
	}
	if len(doc.Ingress) == 0 {
		return errConfig(codeConfigInvalid, "The config file doesn't contain any ingress rules")
	}
	last := len(doc.Ingress) - 1
	for i, r := range doc.Ingress {
		if err := validateService(r.Service); err != nil {
			return errConfig(codeConfigInvalid, "Rule #%d: %v", i+1, err)
		}
		catchAll := (r.Hostname == "" || r.Hostname == "*") && r.Path == ""
		switch {
		case i == last && !catchAll:
			return errConfig(codeConfigCatchAll,
				"The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)")
		case i < last && r.Hostname == "":
			return errConfig(codeConfigCatchAll, "Rule #%d has no hostname; only the last rule may omit it", i+1)
		case i < last && catchAll:
			return errConfig(codeConfigCatchAll, "Rule #%d is matching all requests, but it isn't the last rule", i+1)
		}
	}
	return nil
}

var serviceSchemes = map[string]bool{
	"http": true, "https": true, "unix": true, "unix+tls": true,
	"tcp": true, "ssh": true, "rdp": true, "smb": true,
}

// validateService accepts the origins cloudflared knows: URLs with the
// schemes above, http_status:NNN, hello_world and bastion.
func validateService(svc string) error {
	switch {
	case svc == "":
		return fmt.Errorf("the rule has no service")
	case svc == "hello_world" || svc == "bastion":
		return nil
	}
	if code, ok := strings.CutPrefix(svc, "http_status:"); ok {
		if n, err := strconv.Atoi(code); err != nil || n < 100 || n > 599 {
			return fmt.Errorf("%q is not a valid HTTP status", code)
		}
		return nil
	}
	scheme, rest, found := strings.Cut(svc, ":")
	if !found || !serviceSchemes[scheme] {
		return fmt.Errorf("the service %q has no valid scheme (http, https, unix, unix+tls, tcp, ssh, rdp, smb, http_status:NNN, hello_world, bastion)", svc)
	}
	if strings.HasPrefix(scheme, "unix") {
		if strings.TrimLeft(rest, "/") == "" {
			return fmt.Errorf("the service %q has no socket path", svc)
		}
		return nil
	}
	host, hasSlashes := strings.CutPrefix(rest, "//")
	if !hasSlashes || host == "" || strings.HasPrefix(host, "/") {
		return fmt.Errorf("the service %q has no host", svc)
	}
	return nil
}
