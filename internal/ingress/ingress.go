// Package ingress reads and edits a Cloudflare Tunnel's remote
// configuration document. It is pure: the caller fetches and stores the
// document. Rules and keys that this provider does not own are carried
// through byte for byte.
package ingress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// DefaultCatchAll is the service of the catch-all rule added when a
// document has none: Cloudflare rejects configurations without one.
const DefaultCatchAll = "http_status:404"

// OriginRequest holds the originRequest options a proxy manages. Keys use
// Cloudflare's camelCase; nil means "not set".
type OriginRequest struct {
	NoTLSVerify      *bool   `json:"noTLSVerify,omitempty"`
	HTTPHostHeader   *string `json:"httpHostHeader,omitempty"`
	OriginServerName *string `json:"originServerName,omitempty"`
	ConnectTimeout   *int64  `json:"connectTimeout,omitempty"` // seconds
}

func (o *OriginRequest) empty() bool {
	return o == nil || (o.NoTLSVerify == nil && o.HTTPHostHeader == nil && o.OriginServerName == nil && o.ConnectTimeout == nil)
}

func (o *OriginRequest) equal(p *OriginRequest) bool {
	if o.empty() || p.empty() {
		return o.empty() == p.empty()
	}
	return eqPtr(o.NoTLSVerify, p.NoTLSVerify) && eqPtr(o.HTTPHostHeader, p.HTTPHostHeader) &&
		eqPtr(o.OriginServerName, p.OriginServerName) && eqPtr(o.ConnectTimeout, p.ConnectTimeout)
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Rule is one ingress rule.
type Rule struct {
	Hostname      string
	Path          string
	Service       string
	OriginRequest *OriginRequest
	// raw is the rule as read; rules never edited are written back from it.
	raw json.RawMessage
}

type ruleJSON struct {
	Hostname      string         `json:"hostname,omitempty"`
	Path          string         `json:"path,omitempty"`
	Service       string         `json:"service"`
	OriginRequest *OriginRequest `json:"originRequest,omitempty"`
}

// IsCatchAll reports a rule that matches every request.
func (r Rule) IsCatchAll() bool { return r.Hostname == "" && r.Path == "" }

// Matches reports whether the rule is the one for this hostname and path.
func (r Rule) Matches(hostname, path string) bool {
	return strings.EqualFold(r.Hostname, hostname) && r.Path == path
}

// Raw is the rule as Cloudflare stores it.
func (r Rule) Raw() json.RawMessage {
	if r.raw != nil {
		return r.raw
	}
	b, _ := json.Marshal(r.wire())
	return b
}

func (r Rule) wire() ruleJSON {
	w := ruleJSON{Hostname: r.Hostname, Path: r.Path, Service: r.Service}
	if !r.OriginRequest.empty() {
		w.OriginRequest = r.OriginRequest
	}
	return w
}

// Document is a tunnel configuration: its ingress rules plus every other
// top-level key, kept verbatim.
type Document struct {
	Rules []Rule
	rest  map[string]json.RawMessage
}

// Parse reads a `config` object. An empty or null document is a tunnel
// that was never configured.
func Parse(doc json.RawMessage) (*Document, error) {
	d := &Document{rest: map[string]json.RawMessage{}}
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return d, nil
	}
	if err := json.Unmarshal(trimmed, &d.rest); err != nil {
		return nil, fmt.Errorf("tunnel configuration is not a JSON object: %w", err)
	}
	rawIngress, ok := d.rest["ingress"]
	delete(d.rest, "ingress")
	if !ok || bytes.Equal(bytes.TrimSpace(rawIngress), []byte("null")) {
		return d, nil
	}
	var rules []json.RawMessage
	if err := json.Unmarshal(rawIngress, &rules); err != nil {
		return nil, fmt.Errorf("tunnel configuration has a malformed ingress list: %w", err)
	}
	for i, raw := range rules {
		var w ruleJSON
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, fmt.Errorf("tunnel configuration has a malformed ingress rule %d: %w", i, err)
		}
		d.Rules = append(d.Rules, Rule{Hostname: w.Hostname, Path: w.Path, Service: w.Service, OriginRequest: w.OriginRequest, raw: raw})
	}
	return d, nil
}

// Find returns the rule for a hostname and path.
func (d *Document) Find(hostname, path string) (Rule, bool) {
	for _, r := range d.Rules {
		if r.Matches(hostname, path) {
			return r, true
		}
	}
	return Rule{}, false
}

// Upsert sets the rule for r's hostname and path, keeping its position if
// it exists and adding it before the catch-all otherwise. It reports
// whether the document changed.
func (d *Document) Upsert(r Rule) bool {
	r.raw = nil
	for i, existing := range d.Rules {
		if existing.Matches(r.Hostname, r.Path) {
			if existing.Service == r.Service && existing.OriginRequest.equal(r.OriginRequest) {
				return false
			}
			d.Rules[i] = r
			return true
		}
	}
	d.Rules = append(d.Rules, r)
	return true
}

// Remove deletes the rule for a hostname and path and reports whether it
// was there.
func (d *Document) Remove(hostname, path string) bool {
	for i, r := range d.Rules {
		if r.Matches(hostname, path) {
			d.Rules = append(d.Rules[:i], d.Rules[i+1:]...)
			return true
		}
	}
	return false
}

// Normalize puts the rules in the order Cloudflare and cloudflared need:
// path rules before the rule for the same hostname without a path (the
// first match wins), and exactly one catch-all, last. An existing
// catch-all is kept; otherwise http_status:404 is added.
func (d *Document) Normalize() {
	var catchAll *Rule
	pathRulesByHost := map[string][]int{}
	for i, r := range d.Rules {
		if r.IsCatchAll() {
			rr := r
			catchAll = &rr // the last one wins, as it is the one Cloudflare serves
			continue
		}
		if r.Path != "" && r.Hostname != "" {
			h := strings.ToLower(r.Hostname)
			pathRulesByHost[h] = append(pathRulesByHost[h], i)
		}
	}
	out := make([]Rule, 0, len(d.Rules)+1)
	emitted := make([]bool, len(d.Rules))
	for i, r := range d.Rules {
		if emitted[i] || r.IsCatchAll() {
			continue
		}
		if r.Path == "" {
			// Hoist the later path rules of this hostname above it.
			for _, j := range pathRulesByHost[strings.ToLower(r.Hostname)] {
				if j > i && !emitted[j] {
					out = append(out, d.Rules[j])
					emitted[j] = true
				}
			}
		}
		out = append(out, r)
		emitted[i] = true
	}
	if catchAll == nil {
		catchAll = &Rule{Service: DefaultCatchAll}
	}
	out = append(out, *catchAll)
	d.Rules = out
}

// Marshal writes the document back, normalized.
func (d *Document) Marshal() (json.RawMessage, error) {
	d.Normalize()
	rules := make([]json.RawMessage, len(d.Rules))
	for i, r := range d.Rules {
		rules[i] = r.Raw()
	}
	out := make(map[string]json.RawMessage, len(d.rest)+1)
	for k, v := range d.rest {
		out[k] = v
	}
	ingress, err := json.Marshal(rules)
	if err != nil {
		return nil, err
	}
	out["ingress"] = ingress
	return json.Marshal(out)
}
