package cfsandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/dns"
	"github.com/cloudflare/cloudflare-go/v7/shared"
	"github.com/cloudflare/cloudflare-go/v7/zero_trust"
	"github.com/cloudflare/cloudflare-go/v7/zones"
)

// Field parity with cloudflare-go v7: every answer of the local API is
// compared, field by field, with the response type the SDK declares for
// that endpoint, walked by reflection over its json tags. A field the
// type declares and the answer lacks, a field of another JSON type, and a
// field the type does not know all fail, except those listed in
// parityExceptions with the reason the real API answers so.

// parityException is a difference the real API has too: in the cases
// whose names start with one of cases, at field (a path from the result,
// list indexes left out).
type parityException struct {
	cases  []string
	field  string
	reason string
}

// unsetAccessSettings are optional settings of a self-hosted application
// that our tests never set. [unconfirmed] The API's reference shows them
// all, set; whether it answers unset ones as defaults or leaves them out
// is not documented, and the official provider reads every one as
// optional and computed, so either answer passes it.
var unsetAccessSettings = []string{
	"allow_authenticate_via_warp", "allow_iframe", "cors_headers", "custom_deny_message", "custom_deny_url",
	"custom_non_identity_deny_url", "custom_pages", "eager_redirect_cookie_setting", "logo_url", "mfa_config",
	"oauth_configuration", "path_cookie_attribute", "read_service_tokens_from_header", "same_site_cookie_attribute",
	"scim_config", "service_auth_401_redirect", "skip_interstitial", "tags", "use_clientless_isolation_app_launcher_url",
	"policies.account_id", "policies.approval_groups", "policies.connection_rules", "policies.mfa_config",
	"policies.purpose_justification_prompt",
}

var parityExceptions = append([]parityException{
	{[]string{"A ", "AAAA ", "TXT ", "CNAME ", "record "}, ".meta.dead_glue", metaReason},
	{[]string{"A ", "AAAA ", "TXT ", "CNAME ", "record "}, ".meta.is_glue", metaReason},
	{[]string{"A ", "AAAA ", "TXT ", "CNAME ", "record "}, ".meta.shadowed_by", metaReason},
	{[]string{"A ", "AAAA ", "TXT ", "CNAME ", "record "}, ".meta.shadowed_records_count", metaReason},
	{[]string{"A ", "AAAA ", "TXT ", "CNAME "}, ".comment_modified_on", "the SDK's own field doc: \"Omitted if there is no comment\" (the record has none)"},
	{[]string{"A ", "AAAA ", "TXT ", "CNAME "}, ".tags_modified_on", "the SDK's own field doc: \"Omitted if there are no tags\" (the record has none)"},
	{[]string{"A ", "AAAA ", "TXT ", "CNAME "}, ".zone_id", zoneFieldsReason},
	{[]string{"A ", "AAAA ", "TXT ", "CNAME "}, ".zone_name", zoneFieldsReason},
	{[]string{"A ", "AAAA ", "TXT ", "CNAME "}, ".locked", zoneFieldsReason},
	{[]string{"tunnel configuration"}, ".config.originRequest", echoReason},
	{[]string{"tunnel configuration"}, ".config.ingress.originRequest", echoReason},
	{[]string{"tunnel configuration"}, ".config.ingress.path", echoReason},
	{[]string{"tunnel configuration"}, ".config.ingress.hostname", "the catch-all rule has no hostname: cloudflared's ingress rules end with one that matches everything (developers.cloudflare.com/cloudflare-one/connections/connect-networks/configure-tunnels/local-management/configuration-file/)"},
	{[]string{"Access application"}, ".created_at", accessTimesReason},
	{[]string{"Access application"}, ".updated_at", accessTimesReason},
	{[]string{"Access identity provider"}, ".scim_config.secret", "[unconfirmed] the SCIM secret is answered once, when SCIM provisioning is turned on; these providers have it off"},
	{[]string{"Access organization"}, ".created_at", orgTimesReason},
	{[]string{"Access organization"}, ".updated_at", orgTimesReason},
	{[]string{"Access organization"}, ".custom_pages.forbidden", orgUnsetReason},
	{[]string{"Access organization"}, ".custom_pages.identity_denied", orgUnsetReason},
	{[]string{"Access organization"}, ".login_design.background_color", orgUnsetReason},
	{[]string{"Access organization"}, ".login_design.footer_text", orgUnsetReason},
	{[]string{"Access organization"}, ".login_design.header_text", orgUnsetReason},
	{[]string{"Access organization"}, ".login_design.logo_path", orgUnsetReason},
	{[]string{"Access organization"}, ".login_design.text_color", orgUnsetReason},
	{[]string{"Access organization"}, ".mfa_config", orgUnsetReason},
	{[]string{"Access organization"}, ".mfa_piv_key_requirements", orgUnsetReason},
}, unsetAccessExceptions()...)

const (
	metaReason = "[unconfirmed] glue and shadowing facts appear only for records they apply to; the API reference's record examples answer \"meta\": {}"
	// The records' zone_id, zone_name and locked are in real answers (a
	// 2023 answer quoted in the official provider's issues) and the
	// official provider v5 still reads zone_name; v7's types dropped them.
	zoneFieldsReason  = "real answers carry zone_id, zone_name and locked, which v7's generated types no longer declare"
	echoReason        = "the API answers the configuration as it was PUT: optional keys left out stay out"
	orgTimesReason    = "the API reference's organization answer lists created_at and updated_at; v7's Organization type does not declare them"
	orgUnsetReason    = "[unconfirmed] optional login-page and MFA settings these tests never set; the official provider reads each as optional"
	accessTimesReason = "real answers carry created_at and updated_at (cloudflare-go v0's hand-written AccessApplication decodes both); v7's self-hosted type does not declare them"
)

func unsetAccessExceptions() []parityException {
	var out []parityException
	for _, f := range unsetAccessSettings {
		out = append(out, parityException{[]string{"Access application"}, "." + f, "never set by these tests; see unsetAccessSettings"})
		if p, ok := strings.CutPrefix(f, "policies."); ok {
			out = append(out, parityException{[]string{"Access polic"}, "." + p, "never set by these tests; see unsetAccessSettings"})
		}
	}
	return out
}

// excused reports whether the difference d (a shapeDiff line) of case name
// is a listed exception.
func excused(name, d string) bool {
	at, _, _ := strings.Cut(d, ":")
	field := strings.TrimPrefix(at, "result")
	field = indexRE.ReplaceAllString(field, "")
	for _, e := range parityExceptions {
		if e.field != field {
			continue
		}
		for _, c := range e.cases {
			if strings.HasPrefix(name, c) {
				return true
			}
		}
	}
	return false
}

var indexRE = regexp.MustCompile(`\[\d+\]`)

// shapeDiff lists how v, decoded JSON, differs from what t declares.
func shapeDiff(path string, t reflect.Type, v any) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil // null decodes into any type
	}
	if t == reflect.TypeFor[time.Time]() {
		s, ok := v.(string)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an RFC 3339 string", path, v)}
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return []string{fmt.Sprintf("%s: %q is not RFC 3339", path, s)}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Interface:
		return nil // a union: any shape
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an object", path, v)}
		}
		var out []string
		fields, required := jsonFields(t)
		// A union (the SDK keeps the variant in an unexported field named
		// union) carries the fields of all its variants: only the fields
		// present are checked.
		_, union := t.FieldByName("union")
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			fv, present := obj[name]
			if !present {
				switch {
				case union:
				case required[name]:
					out = append(out, fmt.Sprintf("%s.%s: missing (required)", path, name))
				default:
					out = append(out, fmt.Sprintf("%s.%s: missing", path, name))
				}
				continue
			}
			out = append(out, shapeDiff(path+"."+name, fields[name], fv)...)
		}
		for _, name := range slices.Sorted(maps.Keys(obj)) {
			if _, known := fields[name]; !known {
				out = append(out, fmt.Sprintf("%s.%s: not in %s", path, name, t.Name()))
			}
		}
		return out
	case reflect.Slice, reflect.Array:
		list, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an array", path, v)}
		}
		var out []string
		for i, e := range list {
			out = append(out, shapeDiff(fmt.Sprintf("%s[%d]", path, i), t.Elem(), e)...)
		}
		return out
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an object", path, v)}
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			out = append(out, shapeDiff(path+"."+k, t.Elem(), obj[k])...)
		}
		return out
	case reflect.String:
		if _, ok := v.(string); !ok {
			return []string{fmt.Sprintf("%s: %T, want a string", path, v)}
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return []string{fmt.Sprintf("%s: %T, want a boolean", path, v)}
		}
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if _, ok := v.(float64); !ok {
			return []string{fmt.Sprintf("%s: %T, want a number", path, v)}
		}
	default:
		return []string{fmt.Sprintf("%s: the SDK type %s has kind %s, which the walk does not know", path, t, t.Kind())}
	}
	return nil
}

// jsonFields maps a struct's JSON names to their types, embedded structs
// flattened, fields tagged "-" (the SDK's metadata) left out, and says
// which the SDK marks required.
func jsonFields(t reflect.Type) (types map[string]reflect.Type, required map[string]bool) {
	out, req := map[string]reflect.Type{}, map[string]bool{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			inner, innerReq := jsonFields(f.Type)
			for n, ft := range inner {
				out[n], req[n] = ft, innerReq[n]
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name], req[name] = f.Type, f.Tag.Get("api") == "required"
	}
	return out, req
}

// parityCase is one answer of the local API and the SDK type that
// describes it.
type parityCase struct {
	name   string
	result func(h *harness) json.RawMessage
	typ    reflect.Type
	list   bool // the result is an array of typ
}

func TestFieldParityWithSDK(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	created := func(method, path string, body any) func(*harness) json.RawMessage {
		return func(h *harness) json.RawMessage {
			h.t.Helper()
			return h.ok(method, path, body, nil).env.Result
		}
	}
	var cnameID, appID, policyID string
	var rec, app, pol struct {
		ID string `json:"id"`
	}
	h.ok("POST", h.zonePath("/dns_records"), map[string]any{"type": "CNAME", "name": "app", "content": h.tunnel.ID + ".cfargotunnel.com", "proxied": true, "ttl": 1, "comment": "c", "tags": []string{"owner:homelab"}}, &rec)
	cnameID = rec.ID
	h.ok("POST", h.accountPath("/access/policies"), map[string]any{"name": "allow", "decision": "allow", "include": []any{map[string]any{"email": map[string]any{"email": "me@example.com"}}}}, &pol)
	policyID = pol.ID
	h.ok("POST", h.accountPath("/access/apps"), map[string]any{"type": "self_hosted", "name": "app", "domain": "app.example.com", "policies": []any{map[string]any{"id": policyID}}}, &app)
	appID = app.ID
	var group, idp, tok struct {
		ID string `json:"id"`
	}
	h.ok("POST", h.accountPath("/access/groups"), map[string]any{"name": "admins", "include": []any{map[string]any{"email": map[string]any{"email": "me@example.com"}}}}, &group)
	h.ok("POST", h.accountPath("/access/identity_providers"), map[string]any{"name": "GitHub", "type": "github", "config": map[string]any{"client_id": "id", "client_secret": "s"}}, &idp)
	h.ok("POST", h.accountPath("/access/service_tokens"), map[string]any{"name": "ci"}, &tok)
	h.ok("PUT", h.accountPath("/cfd_tunnel/"+h.tunnel.ID+"/configurations"), map[string]any{"config": map[string]any{"ingress": []any{map[string]any{"hostname": "app.example.com", "service": "http://127.0.0.1:80"}, map[string]any{"service": "http_status:404"}}}}, nil)
	connected, err := h.s.AddTunnel("connected")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.Connect(connected.ID); err != nil {
		t.Fatal(err)
	}

	cases := []parityCase{
		{name: "zones list", result: created("GET", "/zones", nil), typ: reflect.TypeFor[zones.Zone](), list: true},
		{name: "zone", result: created("GET", h.zonePath(""), nil), typ: reflect.TypeFor[zones.Zone]()},
		{name: "A create", result: created("POST", h.zonePath("/dns_records"), map[string]any{"type": "A", "name": "a", "content": "192.0.2.1", "ttl": 300, "private_routing": true}), typ: reflect.TypeFor[dns.RecordResponseARecord]()},
		{name: "AAAA create", result: created("POST", h.zonePath("/dns_records"), map[string]any{"type": "AAAA", "name": "aaaa", "content": "2001:db8::1", "ttl": 300}), typ: reflect.TypeFor[dns.RecordResponseAAAARecord]()},
		{name: "TXT create", result: created("POST", h.zonePath("/dns_records"), map[string]any{"type": "TXT", "name": "_txt", "content": "hello", "ttl": 60, "comment": "lock"}), typ: reflect.TypeFor[dns.RecordResponseTXTRecord]()},
		{name: "CNAME get", result: created("GET", h.zonePath("/dns_records/"+cnameID), nil), typ: reflect.TypeFor[dns.RecordResponseCNAMERecord]()},
		{name: "CNAME list", result: created("GET", h.zonePath("/dns_records?type=CNAME"), nil), typ: reflect.TypeFor[dns.RecordResponseCNAMERecord](), list: true},
		{name: "record delete", result: created("DELETE", h.zonePath("/dns_records/"+cnameID), nil), typ: reflect.TypeFor[dns.RecordDeleteResponse]()},
		{name: "tunnel get", result: created("GET", h.accountPath("/cfd_tunnel/"+h.tunnel.ID), nil), typ: reflect.TypeFor[shared.CloudflareTunnel]()},
		{name: "tunnel list", result: created("GET", h.accountPath("/cfd_tunnel"), nil), typ: reflect.TypeFor[shared.CloudflareTunnel](), list: true},
		{name: "connected tunnel", result: created("GET", h.accountPath("/cfd_tunnel/"+connected.ID), nil), typ: reflect.TypeFor[shared.CloudflareTunnel]()},
		{name: "tunnel connections", result: created("GET", h.accountPath("/cfd_tunnel/"+connected.ID+"/connections"), nil), typ: reflect.TypeFor[zero_trust.Client](), list: true},
		{name: "tunnel create", result: created("POST", h.accountPath("/cfd_tunnel"), map[string]any{"name": "new", "config_src": "cloudflare"}), typ: reflect.TypeFor[shared.CloudflareTunnel]()},
		{name: "tunnel configuration", result: created("GET", h.accountPath("/cfd_tunnel/"+h.tunnel.ID+"/configurations"), nil), typ: reflect.TypeFor[zero_trust.TunnelCloudflaredConfigurationGetResponse]()},
		{name: "Access application", result: created("GET", h.accountPath("/access/apps/"+appID), nil), typ: reflect.TypeFor[zero_trust.AccessApplicationGetResponseSelfHostedApplication]()},
		{name: "Access applications", result: created("GET", h.accountPath("/access/apps"), nil), typ: reflect.TypeFor[zero_trust.AccessApplicationGetResponseSelfHostedApplication](), list: true},
		{name: "Access policy", result: created("GET", h.accountPath("/access/policies/"+policyID), nil), typ: reflect.TypeFor[zero_trust.AccessPolicyGetResponse]()},
		{name: "Access policies", result: created("GET", h.accountPath("/access/policies"), nil), typ: reflect.TypeFor[zero_trust.AccessPolicyGetResponse](), list: true},
		{name: "Access group create", result: created("POST", h.accountPath("/access/groups"), map[string]any{"name": "g2", "include": []any{map[string]any{"group": map[string]any{"id": group.ID}}}}), typ: reflect.TypeFor[zero_trust.AccessGroupNewResponse]()},
		{name: "Access group", result: created("GET", h.accountPath("/access/groups/"+group.ID), nil), typ: reflect.TypeFor[zero_trust.AccessGroupGetResponse]()},
		{name: "Access groups", result: created("GET", h.accountPath("/access/groups"), nil), typ: reflect.TypeFor[zero_trust.AccessGroupListResponse](), list: true},
		{name: "Access identity provider create", result: created("POST", h.accountPath("/access/identity_providers"), map[string]any{"name": "PIN", "type": "onetimepin", "config": map[string]any{}}), typ: reflect.TypeFor[zero_trust.IdentityProvider]()},
		{name: "Access identity provider", result: created("GET", h.accountPath("/access/identity_providers/"+idp.ID), nil), typ: reflect.TypeFor[zero_trust.IdentityProvider]()},
		{name: "Access identity providers", result: created("GET", h.accountPath("/access/identity_providers"), nil), typ: reflect.TypeFor[zero_trust.IdentityProviderListResponse](), list: true},
		{name: "Access organization", result: created("GET", h.accountPath("/access/organizations"), nil), typ: reflect.TypeFor[zero_trust.Organization]()},
		{name: "service token create", result: created("POST", h.accountPath("/access/service_tokens"), map[string]any{"name": "ci2", "duration": "24h"}), typ: reflect.TypeFor[zero_trust.AccessServiceTokenNewResponse]()},
		{name: "service token", result: created("GET", h.accountPath("/access/service_tokens/"+tok.ID), nil), typ: reflect.TypeFor[zero_trust.ServiceToken]()},
		{name: "service tokens", result: created("GET", h.accountPath("/access/service_tokens"), nil), typ: reflect.TypeFor[zero_trust.ServiceToken](), list: true},
		{name: "service token update", result: created("PUT", h.accountPath("/access/service_tokens/"+tok.ID), map[string]any{"name": "ci"}), typ: reflect.TypeFor[zero_trust.ServiceToken]()},
		{name: "service token refresh", result: created("POST", h.accountPath("/access/service_tokens/"+tok.ID+"/refresh"), nil), typ: reflect.TypeFor[zero_trust.ServiceToken]()},
		{name: "service token rotate", result: created("POST", h.accountPath("/access/service_tokens/"+tok.ID+"/rotate"), map[string]any{}), typ: reflect.TypeFor[zero_trust.AccessServiceTokenRotateResponse]()},
		{name: "service token delete", result: created("DELETE", h.accountPath("/access/service_tokens/"+tok.ID), nil), typ: reflect.TypeFor[zero_trust.ServiceToken]()},
		{name: "Access identity provider delete", result: created("DELETE", h.accountPath("/access/identity_providers/"+idp.ID), nil), typ: reflect.TypeFor[zero_trust.IdentityProviderDeleteResponse]()},
		{name: "Access group delete", result: created("DELETE", h.accountPath("/access/groups/"+group.ID), nil), typ: reflect.TypeFor[zero_trust.AccessGroupDeleteResponse]()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.result(h.in(t))
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			typ := tc.typ
			if tc.list {
				typ = reflect.SliceOf(typ)
			}
			for _, d := range shapeDiff("result", typ, v) {
				if excused(tc.name, d) {
					continue
				}
				t.Errorf("%s", d)
			}
		})
	}
}

// paramFields lists the JSON names of an SDK params type, each
// param.Field[T] read through to T; nested params are walked.
func paramFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		ft := f.Type
		if v, ok := ft.FieldByName("Value"); ok && strings.HasPrefix(ft.Name(), "Field[") {
			ft = v.Type
		}
		out[name] = ft
	}
	return out
}

// TestRequestParityWithSDK: every field of the SDK's params type for a
// record creation is accepted and echoed as sent. The values sent are the
// ones a first answer carried, so no field is made up by hand.
func TestRequestParityWithSDK(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tc := range []struct {
		name   string
		typ    reflect.Type
		sample map[string]any
	}{
		{"A", reflect.TypeFor[dns.ARecordParam](), map[string]any{"type": "A", "name": "a1", "content": "192.0.2.7", "ttl": 300, "private_routing": true, "comment": "c", "tags": []string{"k:v"}, "settings": map[string]any{"ipv4_only": true, "ipv6_only": false}}},
		{"CNAME", reflect.TypeFor[dns.CNAMERecordParam](), map[string]any{"type": "CNAME", "name": "c1", "content": "target.example.net", "ttl": 1, "proxied": true, "comment": "c", "tags": []string{"k:v"}, "settings": map[string]any{"flatten_cname": false, "ipv4_only": false, "ipv6_only": false}}},
		{"TXT", reflect.TypeFor[dns.TXTRecordParam](), map[string]any{"type": "TXT", "name": "t1", "content": "hello", "ttl": 60, "comment": "c", "tags": []string{"k:v"}, "settings": map[string]any{"ipv4_only": false, "ipv6_only": false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.in(t)
			first := h.ok("POST", h.zonePath("/dns_records"), tc.sample, nil).env.Result
			var answer map[string]any
			if err := json.Unmarshal(first, &answer); err != nil {
				t.Fatal(err)
			}
			body := map[string]any{}
			for name := range paramFields(tc.typ) {
				v, ok := answer[name]
				if !ok {
					t.Errorf("%s: the params field is not in the answer, so it does not round-trip", name)
					continue
				}
				body[name] = v
			}
			body["name"] = "again-" + tc.sample["name"].(string)
			var again map[string]any
			if err := json.Unmarshal(h.ok("POST", h.zonePath("/dns_records"), body, nil).env.Result, &again); err != nil {
				t.Fatal(err)
			}
			for name, sent := range body {
				if name == "name" {
					continue
				}
				if got, want := jsonOf(t, again[name]), jsonOf(t, sent); got != want {
					t.Errorf("%s: sent %s, answered %s", name, want, got)
				}
			}
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
