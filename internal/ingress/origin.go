package ingress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
)

// OriginRequest holds the originRequest options the provider manages, in
// cloudflared's wire form: camelCase keys, timeouts in whole seconds (the
// API's integer fields; cloudflared reads them as seconds), nil meaning "not
// set". Keys it does not manage, such as access, and known keys whose value
// has another type than cloudflared's are kept verbatim and written back.
type OriginRequest struct {
	ConnectTimeout         *int64    // connectTimeout, seconds
	TLSTimeout             *int64    // tlsTimeout, seconds
	TCPKeepAlive           *int64    // tcpKeepAlive, seconds
	NoHappyEyeballs        *bool     // noHappyEyeballs
	KeepAliveConnections   *int64    // keepAliveConnections
	KeepAliveTimeout       *int64    // keepAliveTimeout, seconds
	HTTPHostHeader         *string   // httpHostHeader
	OriginServerName       *string   // originServerName
	MatchSNIToHost         *bool     // matchSNItoHost
	CAPool                 *string   // caPool
	NoTLSVerify            *bool     // noTLSVerify
	DisableChunkedEncoding *bool     // disableChunkedEncoding
	BastionMode            *bool     // bastionMode
	ProxyAddress           *string   // proxyAddress
	ProxyPort              *int64    // proxyPort
	ProxyType              *string   // proxyType: "" or "socks"
	IPRules                *[]IPRule // ipRules; a set but empty list is kept as []
	HTTP2Origin            *bool     // http2Origin

	// extra holds the keys not managed above, byte for byte.
	extra map[string]json.RawMessage
}

// IPRule is one entry of ipRules: cloudflared checks the rules in order and
// the first whose prefix and ports match decides.
type IPRule struct {
	Prefix string   `json:"prefix"`
	Ports  *[]int64 `json:"ports,omitempty"` // nil: every port
	Allow  bool     `json:"allow"`
}

// originFields maps each managed wire key to its field.
func (o *OriginRequest) originFields() map[string]any {
	return map[string]any{
		"connectTimeout":         &o.ConnectTimeout,
		"tlsTimeout":             &o.TLSTimeout,
		"tcpKeepAlive":           &o.TCPKeepAlive,
		"noHappyEyeballs":        &o.NoHappyEyeballs,
		"keepAliveConnections":   &o.KeepAliveConnections,
		"keepAliveTimeout":       &o.KeepAliveTimeout,
		"httpHostHeader":         &o.HTTPHostHeader,
		"originServerName":       &o.OriginServerName,
		"matchSNItoHost":         &o.MatchSNIToHost,
		"caPool":                 &o.CAPool,
		"noTLSVerify":            &o.NoTLSVerify,
		"disableChunkedEncoding": &o.DisableChunkedEncoding,
		"bastionMode":            &o.BastionMode,
		"proxyAddress":           &o.ProxyAddress,
		"proxyPort":              &o.ProxyPort,
		"proxyType":              &o.ProxyType,
		"ipRules":                &o.IPRules,
		"http2Origin":            &o.HTTP2Origin,
	}
}

// ManagedKeys are the originRequest keys OriginRequest manages, sorted.
func ManagedKeys() []string {
	return slices.Sorted(maps.Keys((&OriginRequest{}).originFields()))
}

// UnmarshalJSON reads an originRequest object. A managed key whose value is
// null or does not decode into cloudflared's type is kept as an unmanaged
// key and written back as found, so a hand-written oddity never makes the
// whole document unreadable.
func (o *OriginRequest) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*o = OriginRequest{}
	fields := o.originFields()
	for key, value := range raw {
		if field, ok := fields[key]; ok && !bytes.Equal(bytes.TrimSpace(value), []byte("null")) {
			if err := json.Unmarshal(value, field); err == nil {
				continue
			}
			// A failed decode may have set part of the field.
			o.clear(key)
		}
		if o.extra == nil {
			o.extra = map[string]json.RawMessage{}
		}
		o.extra[key] = value
	}
	return nil
}

func (o *OriginRequest) clear(key string) {
	reflect.ValueOf(o.originFields()[key]).Elem().SetZero()
}

// MarshalJSON writes the managed keys that are set and every unmanaged key.
func (o OriginRequest) MarshalJSON() ([]byte, error) {
	out := make(map[string]json.RawMessage, len(o.extra)+4)
	for k, v := range o.extra {
		out[k] = v
	}
	for key, field := range o.originFields() {
		b, err := json.Marshal(field)
		if err != nil {
			return nil, err
		}
		if string(b) != "null" {
			out[key] = b
		}
	}
	return json.Marshal(out)
}

// Empty reports options with no key at all, managed or not.
func (o *OriginRequest) Empty() bool {
	return o == nil || (o.managedEmpty() && len(o.extra) == 0)
}

func (o *OriginRequest) managedEmpty() bool {
	b, _ := json.Marshal(managedOnly(o))
	return string(b) == "{}"
}

// Unmanaged returns the keys the provider does not manage, sorted.
func (o *OriginRequest) Unmanaged() []string {
	if o == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(o.extra))
}

// SameManaged reports whether two options agree on every managed key.
func (o *OriginRequest) SameManaged(p *OriginRequest) bool {
	a, _ := json.Marshal(managedOnly(o))
	b, _ := json.Marshal(managedOnly(p))
	return bytes.Equal(a, b)
}

// managedOnly is a copy without the unmanaged keys.
func managedOnly(o *OriginRequest) OriginRequest {
	if o == nil {
		return OriginRequest{}
	}
	c := *o
	c.extra = nil
	return c
}

// withUnmanagedOf returns o's managed keys with the unmanaged keys of
// existing (o's own without one): what a write of o over existing stores.
func (o *OriginRequest) withUnmanagedOf(existing *OriginRequest) *OriginRequest {
	c := managedOnly(o)
	switch {
	case existing != nil:
		c.extra = maps.Clone(existing.extra)
	case o != nil:
		c.extra = maps.Clone(o.extra)
	}
	if c.managedEmpty() && len(c.extra) == 0 {
		return nil
	}
	return &c
}

// OriginRequest returns the document's top-level originRequest, the
// defaults of every rule, or nil when it has none.
func (d *Document) OriginRequest() (*OriginRequest, error) {
	raw, ok := d.rest["originRequest"]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	var o OriginRequest
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("tunnel configuration has a malformed originRequest: %w", err)
	}
	return &o, nil
}

// SetOriginRequest sets the managed keys of the top-level originRequest
// from o and keeps its unmanaged keys; with neither left, the key goes. It
// reports whether the document changed.
func (d *Document) SetOriginRequest(o *OriginRequest) (bool, error) {
	existing, err := d.OriginRequest()
	if err != nil {
		return false, err
	}
	if existing.SameManaged(o) {
		return false, nil
	}
	next := o.withUnmanagedOf(existing)
	if next == nil {
		delete(d.rest, "originRequest")
		return true, nil
	}
	b, err := json.Marshal(next)
	if err != nil {
		return false, err
	}
	d.rest["originRequest"] = b
	return true, nil
}
