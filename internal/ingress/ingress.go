// Package ingress reads and edits a Cloudflare Tunnel's remote
// configuration document. It is pure: the caller fetches and stores the
// document. Rules and keys that this provider does not own are carried
// through byte for byte.
package ingress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
)

// DefaultCatchAll is the service of the catch-all rule added when a
// document has none: Cloudflare rejects configurations without one.
const DefaultCatchAll = "http_status:404"

// Rule is one ingress rule.
type Rule struct {
	Hostname      string
	Path          string
	Service       string
	OriginRequest *OriginRequest
	// raw is the rule as read; rules never edited are written back from it.
	raw json.RawMessage
	// extra holds the rule's keys other than the four above, byte for byte.
	extra map[string]json.RawMessage
}

type ruleJSON struct {
	Hostname      string         `json:"hostname,omitempty"`
	Path          string         `json:"path,omitempty"`
	Service       string         `json:"service"`
	OriginRequest *OriginRequest `json:"originRequest,omitempty"`
}

// ruleKeys are the rule members Rule reads; the others are kept verbatim.
var ruleKeys = map[string]bool{"hostname": true, "path": true, "service": true, "originRequest": true}

func parseRule(raw json.RawMessage) (Rule, error) {
	var w ruleJSON
	if err := json.Unmarshal(raw, &w); err != nil {
		return Rule{}, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return Rule{}, err
	}
	r := Rule{Hostname: w.Hostname, Path: w.Path, Service: w.Service, OriginRequest: w.OriginRequest, raw: raw}
	for k, v := range members {
		if !ruleKeys[k] {
			if r.extra == nil {
				r.extra = map[string]json.RawMessage{}
			}
			r.extra[k] = v
		}
	}
	return r, nil
}

// IsCatchAll reports a rule that matches every request.
func (r Rule) IsCatchAll() bool { return r.Hostname == "" && r.Path == "" }

// IsWildcard reports a rule whose hostname is a wildcard such as
// *.apps.example.com.
func (r Rule) IsWildcard() bool { return strings.HasPrefix(r.Hostname, "*.") }

// Matches reports whether the rule is the one for this hostname and path.
func (r Rule) Matches(hostname, path string) bool {
	return strings.EqualFold(r.Hostname, hostname) && r.Path == path
}

// Raw is the rule as Cloudflare stores it.
func (r Rule) Raw() json.RawMessage {
	if r.raw != nil {
		return r.raw
	}
	out := make(map[string]json.RawMessage, len(r.extra)+4)
	for k, v := range r.extra {
		out[k] = v
	}
	w := r.wire()
	b, _ := json.Marshal(w)
	var members map[string]json.RawMessage
	_ = json.Unmarshal(b, &members)
	for k, v := range members {
		out[k] = v
	}
	b, _ = json.Marshal(out)
	return b
}

func (r Rule) wire() ruleJSON {
	w := ruleJSON{Hostname: r.Hostname, Path: r.Path, Service: r.Service}
	if !r.OriginRequest.Empty() {
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
		r, err := parseRule(raw)
		if err != nil {
			return nil, fmt.Errorf("tunnel configuration has a malformed ingress rule %d: %w", i, err)
		}
		d.Rules = append(d.Rules, r)
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
// it exists and adding it before the catch-all otherwise. The service and
// the managed origin options come from r; the keys the provider does not
// manage, in the rule and in its originRequest, stay as they are. It
// reports whether the document changed.
func (d *Document) Upsert(r Rule) bool {
	r.raw = nil
	for i, existing := range d.Rules {
		if existing.Matches(r.Hostname, r.Path) {
			if existing.Service == r.Service && existing.OriginRequest.SameManaged(r.OriginRequest) {
				return false
			}
			r.extra = maps.Clone(existing.extra)
			r.OriginRequest = r.OriginRequest.withUnmanagedOf(existing.OriginRequest)
			d.Rules[i] = r
			return true
		}
	}
	r.OriginRequest = r.OriginRequest.withUnmanagedOf(nil)
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

// Normalize puts the rules in the order Cloudflare and cloudflared need,
// where the first match wins: a rule with a path before the rule of the same
// hostname without one, a wildcard rule (*.apps.example.com) after every
// rule it covers (a.apps.example.com, *.x.apps.example.com, with or without
// a path), and exactly one catch-all, last. Other rules keep their order:
// a rule moves only to get ahead of a rule that would shadow it. An
// existing catch-all is kept; otherwise http_status:404 is added.
func (d *Document) Normalize() {
	var catchAll *Rule
	pathRulesByHost := map[string][]int{}
	wildcards := false
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
		wildcards = wildcards || r.IsWildcard()
	}
	// bySuffix lists, for each domain, the rules of hostnames below it.
	var bySuffix map[string][]int
	if wildcards {
		bySuffix = map[string][]int{}
		for i, r := range d.Rules {
			h := strings.ToLower(r.Hostname)
			for j := strings.IndexByte(h, '.'); j >= 0; {
				h = h[j+1:]
				bySuffix[h] = append(bySuffix[h], i)
				j = strings.IndexByte(h, '.')
			}
		}
	}
	out := make([]Rule, 0, len(d.Rules)+1)
	emitted := make([]bool, len(d.Rules))
	var emit func(i int)
	emit = func(i int) {
		emitted[i] = true
		r := d.Rules[i]
		host := strings.ToLower(r.Hostname)
		// Hoist the later rules this one would shadow, each after the
		// rules it would shadow in turn. The order is acyclic: each hoisted
		// rule is strictly more specific than the one it goes before.
		if r.Path == "" {
			for _, j := range pathRulesByHost[host] {
				if !emitted[j] {
					emit(j)
				}
			}
		}
		if r.IsWildcard() {
			for _, j := range bySuffix[host[2:]] {
				if !emitted[j] && !strings.EqualFold(d.Rules[j].Hostname, r.Hostname) && !d.Rules[j].IsCatchAll() {
					emit(j)
				}
			}
		}
		out = append(out, r)
	}
	for i, r := range d.Rules {
		if !emitted[i] && !r.IsCatchAll() {
			emit(i)
		}
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
