package origin

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/schematest"
)

func TestSchemaModelParity(t *testing.T) {
	t.Parallel()
	a := Attribute("Options.")
	schematest.Parity(t, "origin_request", a.Attributes, Model{})
	if got, want := schematest.Names(a.Attributes), schematest.Names(AttrTypes); !reflect.DeepEqual(got, want) {
		t.Errorf("schema attributes %v, object type %v", got, want)
	}
	rule := a.Attributes["ip_rules"].(schema.ListNestedAttribute).NestedObject.Attributes
	schematest.Parity(t, "ip_rules", rule, IPRuleModel{})
	if got, want := schematest.Names(rule), schematest.Names(IPRuleAttrTypes); !reflect.DeepEqual(got, want) {
		t.Errorf("ip_rules attributes %v, object type %v", got, want)
	}
	if got, want := a.GetType().(types.ObjectType).AttrTypes, AttrTypes; !reflect.DeepEqual(got, want) {
		t.Errorf("schema type %v, AttrTypes %v", got, want)
	}
	// One attribute per key the provider manages on the wire.
	if len(a.Attributes) != len(ingress.ManagedKeys()) {
		t.Errorf("%d attributes for %d managed wire keys %v", len(a.Attributes), len(ingress.ManagedKeys()), ingress.ManagedKeys())
	}
	for name, attribute := range a.Attributes {
		if attribute.GetMarkdownDescription() == "" {
			t.Errorf("%s has no description", name)
		}
	}
}

// every sets every attribute, with values other than their zero values.
func every() types.Object {
	ports := types.ListValueMust(types.Int64Type, []attr.Value{types.Int64Value(443), types.Int64Value(22)})
	ruleType := types.ObjectType{AttrTypes: IPRuleAttrTypes}
	rules := types.ListValueMust(ruleType, []attr.Value{
		types.ObjectValueMust(IPRuleAttrTypes, map[string]attr.Value{
			"prefix": types.StringValue("10.0.0.0/8"), "ports": ports, "allow": types.BoolValue(true),
		}),
		types.ObjectValueMust(IPRuleAttrTypes, map[string]attr.Value{
			"prefix": types.StringValue("0.0.0.0/0"), "ports": types.ListNull(types.Int64Type), "allow": types.BoolValue(false),
		}),
	})
	return types.ObjectValueMust(AttrTypes, map[string]attr.Value{
		"connect_timeout": types.Int64Value(30), "tls_timeout": types.Int64Value(10), "tcp_keep_alive": types.Int64Value(15),
		"keep_alive_timeout": types.Int64Value(90), "keep_alive_connections": types.Int64Value(100),
		"no_happy_eyeballs": types.BoolValue(true), "http_host_header": types.StringValue("app.internal"),
		"origin_server_name": types.StringValue("origin.internal"), "match_sni_to_host": types.BoolValue(true),
		"ca_pool": types.StringValue("/etc/ca.pem"), "no_tls_verify": types.BoolValue(false),
		"disable_chunked_encoding": types.BoolValue(true), "http2_origin": types.BoolValue(true),
		"bastion_mode": types.BoolValue(true), "proxy_address": types.StringValue("127.0.0.1"),
		"proxy_port": types.Int64Value(1080), "proxy_type": types.StringValue("socks"), "ip_rules": rules,
	})
}

func TestWireRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	values := FromWire(nil, true).Attributes()
	values["ip_rules"] = types.ListValueMust(types.ObjectType{AttrTypes: IPRuleAttrTypes}, nil)
	values["proxy_type"] = types.StringValue("")
	emptyRules := types.ObjectValueMust(AttrTypes, values)
	for name, obj := range map[string]types.Object{"every key": every(), "empty list and empty proxy type": emptyRules} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wire, diags := ToWire(ctx, obj)
			if diags.HasError() {
				t.Fatal(diags)
			}
			b, err := json.Marshal(wire)
			if err != nil {
				t.Fatal(err)
			}
			var back ingress.OriginRequest
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if got := FromWire(&back, false); !got.Equal(obj) {
				t.Errorf("round trip through %s\n got %v\nwant %v", b, got, obj)
			}
		})
	}
	b, _ := json.Marshal(mustWire(t, every()))
	for _, key := range ingress.ManagedKeys() {
		if !strings.Contains(string(b), `"`+key+`":`) {
			t.Errorf("wire form %s lacks %s", b, key)
		}
	}
}

func mustWire(t *testing.T, obj types.Object) *ingress.OriginRequest {
	t.Helper()
	o, diags := ToWire(context.Background(), obj)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return o
}

func TestFromWireEmpty(t *testing.T) {
	t.Parallel()
	var onlyAccess ingress.OriginRequest
	if err := json.Unmarshal([]byte(`{"access":{"required":true,"teamName":"t","audTag":["a"]}}`), &onlyAccess); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]*ingress.OriginRequest{"nil": nil, "no key": {}, "only unmanaged keys": &onlyAccess} {
		if got := FromWire(o, false); !got.IsNull() {
			t.Errorf("%s without the attribute in configuration: %v, want null", name, got)
		}
		got := FromWire(o, true)
		if got.IsNull() {
			t.Errorf("%s with origin_request = {}: null, want an object of nulls", name)
		}
		for k, v := range got.Attributes() {
			if !v.IsNull() {
				t.Errorf("%s: %s = %v, want null", name, k, v)
			}
		}
	}
	if o, diags := ToWire(context.Background(), Null()); o != nil || diags.HasError() {
		t.Errorf("ToWire(null) = %+v, %v", o, diags)
	}
}

func TestChecks(t *testing.T) {
	t.Parallel()
	ints := []struct {
		name  string
		check func(int64) error
		ok    []int64
		bad   map[int64]string
	}{
		{"timeout", checkTimeout(30), []int64{1, 30, 86400},
			map[int64]string{0: "no limit", -5: "default of 30", 86401: "more than a day", 300000: "for 300000 milliseconds write 300", 30e9: "for 30000000000 nanoseconds (a Go duration) write 30", 1e15: "from 1 to 86400."}},
		{"keep-alive connections", checkKeepAliveConnections, []int64{1, 100, 2147483647},
			map[int64]string{0: "default of 100", 2147483648: "1 to 2147483647"}},
		{"proxy port", checkProxyPort, []int64{1, 1080, 65535}, map[int64]string{0: "picks a free port", 65536: "1 to 65535"}},
		{"rule port", checkRulePort, []int64{1, 65535}, map[int64]string{0: "every port", -1: "1 to 65535", 70000: "not a port"}},
	}
	for _, tt := range ints {
		for _, v := range tt.ok {
			if err := tt.check(v); err != nil {
				t.Errorf("%s %d: %v", tt.name, v, err)
			}
		}
		for v, want := range tt.bad {
			if err := tt.check(v); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s %d: %v, want an error containing %q", tt.name, v, err, want)
			}
		}
	}
	strs := []struct {
		name  string
		check func(string) error
		ok    []string
		bad   map[string]string
	}{
		{"proxy type", checkProxyType, []string{"", "socks"}, map[string]string{"SOCKS5": `"socks"`, "http": `"" (the regular proxy)`}},
		{"proxy address", checkProxyAddress, []string{"127.0.0.1", "::1", "0.0.0.0"},
			map[string]string{"localhost": "IP address", "127.0.0.1:1080": "proxy_port", "": "such as 127.0.0.1"}},
		{"prefix", checkPrefix, []string{"10.0.0.0/8", "192.168.1.10/32", "fd00::/8", "0.0.0.0/0"},
			map[string]string{"10.0.0.1": "write 10.0.0.1/32", "fd00::1": "fd00::1/128", "10.0.0.0/33": "CIDR prefix", "lan": "10.0.0.0/8"}},
		{"host header", checkHostHeader, []string{"app.internal", "app.internal:8080"},
			map[string]string{"": "non-empty", "a b": "without spaces", "a\r\nX: y": "without spaces"}},
		{"server name", checkServerName, []string{"origin.internal", "nas"},
			map[string]string{"": "host name", "https://origin": "without scheme", "origin:443": "port", "a..b": "such as origin.internal"}},
		{"CA pool", checkCAPool, []string{"/etc/ca.pem", `C:\certs\ca.pem`},
			map[string]string{"": "PEM file", "/etc/ca.pem\n": "surrounding spaces"}},
	}
	for _, tt := range strs {
		for _, v := range tt.ok {
			if err := tt.check(v); err != nil {
				t.Errorf("%s %q: %v", tt.name, v, err)
			}
		}
		for v, want := range tt.bad {
			if err := tt.check(v); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s %q: %v, want an error containing %q", tt.name, v, err, want)
			}
		}
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := path.Root("origin_request")
	with := func(set map[string]attr.Value) types.Object {
		values := FromWire(nil, true).Attributes()
		for k, v := range set {
			values[k] = v
		}
		return types.ObjectValueMust(AttrTypes, values)
	}
	tests := []struct {
		name    string
		obj     types.Object
		service string
		want    []string // attribute paths warned about
	}{
		{"null", Null(), "http://a", nil},
		{"every key, https", every(), "https://127.0.0.1", []string{"origin_request.origin_server_name"}},
		{"http/2 to plain http", with(map[string]attr.Value{"http2_origin": types.BoolValue(true)}), "http://127.0.0.1:80",
			[]string{"origin_request.http2_origin"}},
		{"http/2 on tunnel defaults", with(map[string]attr.Value{"http2_origin": types.BoolValue(true)}), "", nil},
		{"ca pool with no TLS verify", with(map[string]attr.Value{"no_tls_verify": types.BoolValue(true), "ca_pool": types.StringValue("/ca.pem")}),
			"https://a", []string{"origin_request.ca_pool"}},
		{"ca pool with TLS verify", with(map[string]attr.Value{"no_tls_verify": types.BoolValue(false), "ca_pool": types.StringValue("/ca.pem")}),
			"https://a", nil},
		{"unknown server name", with(map[string]attr.Value{"match_sni_to_host": types.BoolValue(true), "origin_server_name": types.StringUnknown()}),
			"https://a", nil},
	}
	for _, tt := range tests {
		diags := Warnings(ctx, at, tt.obj, tt.service)
		var got []string
		for _, d := range diags {
			if d.Severity() != diag.SeverityWarning {
				t.Errorf("%s: %s is not a warning", tt.name, d.Summary())
			}
			if wp, ok := d.(diag.DiagnosticWithPath); ok {
				got = append(got, wp.Path().String())
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: warnings on %v, want %v (%v)", tt.name, got, tt.want, diags)
		}
	}
}
