package ingress

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// services lists the rules of a document as "hostname path service" lines.
func services(t *testing.T, doc json.RawMessage) []string {
	t.Helper()
	var d struct {
		Ingress []ruleJSON `json:"ingress"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("unmarshal %s: %v", doc, err)
	}
	out := make([]string, len(d.Ingress))
	for i, r := range d.Ingress {
		fields := []string{}
		for _, f := range []string{r.Hostname, r.Path, r.Service} {
			if f != "" {
				fields = append(fields, f)
			}
		}
		out[i] = strings.Join(fields, " ")
	}
	return out
}

func TestEdits(t *testing.T) {
	t.Parallel()
	foreign := `{"hostname":"legacy.example.com","service":"http://10.0.0.9:80","originRequest":{"caPool":"/etc/ca.pem","keepAliveConnections":7}}`
	tests := []struct {
		name    string
		doc     string
		edit    func(d *Document) bool
		want    []string
		changed bool
	}{
		{
			name: "empty document gets the rule and a catch-all",
			doc:  ``,
			edit: func(d *Document) bool {
				return d.Upsert(Rule{Hostname: "a.example.com", Service: "http://127.0.0.1:1"})
			},
			want:    []string{"a.example.com http://127.0.0.1:1", "http_status:404"},
			changed: true,
		},
		{
			name: "new rule goes before an existing catch-all, which is kept",
			doc:  `{"ingress":[` + foreign + `,{"service":"http_status:503"}]}`,
			edit: func(d *Document) bool {
				return d.Upsert(Rule{Hostname: "a.example.com", Service: "http://127.0.0.1:1"})
			},
			want:    []string{"legacy.example.com http://10.0.0.9:80", "a.example.com http://127.0.0.1:1", "http_status:503"},
			changed: true,
		},
		{
			name: "path rule is placed before the same hostname without a path",
			doc:  `{"ingress":[{"hostname":"a.example.com","service":"http://127.0.0.1:1"},{"service":"http_status:404"}]}`,
			edit: func(d *Document) bool {
				return d.Upsert(Rule{Hostname: "a.example.com", Path: "^/api", Service: "http://127.0.0.1:2"})
			},
			want:    []string{"a.example.com ^/api http://127.0.0.1:2", "a.example.com http://127.0.0.1:1", "http_status:404"},
			changed: true,
		},
		{
			name: "update keeps the position",
			doc:  `{"ingress":[{"hostname":"a.example.com","service":"http://127.0.0.1:1"},{"hostname":"b.example.com","service":"http://127.0.0.1:2"},{"service":"http_status:404"}]}`,
			edit: func(d *Document) bool {
				return d.Upsert(Rule{Hostname: "a.example.com", Service: "http://127.0.0.1:9"})
			},
			want:    []string{"a.example.com http://127.0.0.1:9", "b.example.com http://127.0.0.1:2", "http_status:404"},
			changed: true,
		},
		{
			name: "identical rule is no change",
			doc:  `{"ingress":[{"hostname":"a.example.com","service":"http://127.0.0.1:1","originRequest":{"noTLSVerify":true}},{"service":"http_status:404"}]}`,
			edit: func(d *Document) bool {
				return d.Upsert(Rule{Hostname: "A.example.com", Service: "http://127.0.0.1:1", OriginRequest: &OriginRequest{NoTLSVerify: ptr(true)}})
			},
			want:    []string{"a.example.com http://127.0.0.1:1", "http_status:404"},
			changed: false,
		},
		{
			name: "origin request change is a change",
			doc:  `{"ingress":[{"hostname":"a.example.com","service":"http://127.0.0.1:1"},{"service":"http_status:404"}]}`,
			edit: func(d *Document) bool {
				return d.Upsert(Rule{Hostname: "a.example.com", Service: "http://127.0.0.1:1", OriginRequest: &OriginRequest{ConnectTimeout: ptr(int64(30))}})
			},
			want:    []string{"a.example.com http://127.0.0.1:1", "http_status:404"},
			changed: true,
		},
		{
			name:    "remove leaves foreign rules and the catch-all",
			doc:     `{"ingress":[` + foreign + `,{"hostname":"a.example.com","service":"http://127.0.0.1:1"},{"service":"http_status:404"}]}`,
			edit:    func(d *Document) bool { return d.Remove("a.example.com", "") },
			want:    []string{"legacy.example.com http://10.0.0.9:80", "http_status:404"},
			changed: true,
		},
		{
			name:    "remove of a missing rule is no change",
			doc:     `{"ingress":[{"service":"http_status:404"}]}`,
			edit:    func(d *Document) bool { return d.Remove("a.example.com", "") },
			want:    []string{"http_status:404"},
			changed: false,
		},
		{
			name:    "remove matches the path exactly",
			doc:     `{"ingress":[{"hostname":"a.example.com","path":"^/api","service":"http://127.0.0.1:2"},{"hostname":"a.example.com","service":"http://127.0.0.1:1"},{"service":"http_status:404"}]}`,
			edit:    func(d *Document) bool { return d.Remove("a.example.com", "^/api") },
			want:    []string{"a.example.com http://127.0.0.1:1", "http_status:404"},
			changed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse(json.RawMessage(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.edit(d); got != tt.changed {
				t.Errorf("changed = %v, want %v", got, tt.changed)
			}
			out, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if got := services(t, out); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rules = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestForeignRulesAndKeysSurviveVerbatim(t *testing.T) {
	t.Parallel()
	foreign := `{"hostname":"legacy.example.com","service":"http://10.0.0.9:80","originRequest":{"caPool":"/etc/ca.pem","access":{"required":true,"teamName":"t","audTag":["x"]}}}`
	doc := `{"ingress":[` + foreign + `,{"service":"http_status:404"}],"warp-routing":{"enabled":true},"originRequest":{"connectTimeout":10}}`
	d, err := Parse(json.RawMessage(doc))
	if err != nil {
		t.Fatal(err)
	}
	d.Upsert(Rule{Hostname: "a.example.com", Service: "http://127.0.0.1:1"})
	out, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if string(got["warp-routing"]) != `{"enabled":true}` || string(got["originRequest"]) != `{"connectTimeout":10}` {
		t.Errorf("top-level keys changed: %s", out)
	}
	var rules []json.RawMessage
	if err := json.Unmarshal(got["ingress"], &rules); err != nil {
		t.Fatal(err)
	}
	if string(rules[0]) != foreign {
		t.Errorf("foreign rule changed:\n got %s\nwant %s", rules[0], foreign)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []Rule
		want []string
	}{
		{"catch-all in the middle moves last", []Rule{{Service: "http_status:418"}, {Hostname: "a.x.com", Service: "s1"}}, []string{"a.x.com s1", "http_status:418"}},
		{"several path rules keep their order", []Rule{
			{Hostname: "a.x.com", Service: "root"},
			{Hostname: "b.x.com", Service: "b"},
			{Hostname: "a.x.com", Path: "^/one", Service: "one"},
			{Hostname: "a.x.com", Path: "^/two", Service: "two"},
		}, []string{"a.x.com ^/one one", "a.x.com ^/two two", "a.x.com root", "b.x.com b", "http_status:404"}},
		{"hostname compare ignores case", []Rule{{Hostname: "A.x.com", Service: "root"}, {Hostname: "a.x.com", Path: "^/p", Service: "p"}}, []string{"a.x.com ^/p p", "A.x.com root", "http_status:404"}},
		{"specific rule added after a wildcard moves before it", []Rule{
			{Hostname: "*.apps.x.com", Service: "wild"},
			{Hostname: "b.x.com", Service: "b"},
			{Hostname: "a.apps.x.com", Service: "a"},
		}, []string{"a.apps.x.com a", "*.apps.x.com wild", "b.x.com b", "http_status:404"}},
		{"a wildcard covers every level below it, deeper wildcards first", []Rule{
			{Hostname: "*.apps.x.com", Service: "wild"},
			{Hostname: "*.eu.apps.x.com", Service: "eu"},
			{Hostname: "db.eu.apps.x.com", Service: "db"},
		}, []string{"db.eu.apps.x.com db", "*.eu.apps.x.com eu", "*.apps.x.com wild", "http_status:404"}},
		{"specific path rules and bare rules both go before the wildcard", []Rule{
			{Hostname: "*.apps.x.com", Service: "wild"},
			{Hostname: "a.apps.x.com", Service: "a"},
			{Hostname: "a.apps.x.com", Path: "^/api", Service: "api"},
			{Hostname: "*.apps.x.com", Path: "^/health", Service: "health"},
		}, []string{"a.apps.x.com ^/api api", "a.apps.x.com a", "*.apps.x.com ^/health health", "*.apps.x.com wild", "http_status:404"}},
		{"the wildcard's own domain and other domains stay in place", []Rule{
			{Hostname: "*.apps.x.com", Service: "wild"},
			{Hostname: "apps.x.com", Service: "apex"},
			{Hostname: "a.other.com", Service: "o"},
			{Hostname: "xapps.x.com", Service: "look-alike"},
		}, []string{"*.apps.x.com wild", "apps.x.com apex", "a.other.com o", "xapps.x.com look-alike", "http_status:404"}},
		{"rules already in order do not move", []Rule{
			{Hostname: "a.apps.x.com", Service: "a"},
			{Hostname: "c.x.com", Service: "c"},
			{Hostname: "*.apps.x.com", Service: "wild"},
		}, []string{"a.apps.x.com a", "c.x.com c", "*.apps.x.com wild", "http_status:404"}},
		{"wildcard matching ignores case", []Rule{
			{Hostname: "*.Apps.x.com", Service: "wild"},
			{Hostname: "A.apps.X.com", Service: "a"},
		}, []string{"A.apps.X.com a", "*.Apps.x.com wild", "http_status:404"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := &Document{Rules: tt.in}
			out, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if got := services(t, out); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rules = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWildcardUpsertKeepsSpecificRulesFirst(t *testing.T) {
	t.Parallel()
	d, err := Parse(json.RawMessage(`{"ingress":[{"service":"http_status:404"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	d.Upsert(Rule{Hostname: "*.apps.example.com", Service: "http://127.0.0.1:1"})
	d.Upsert(Rule{Hostname: "a.apps.example.com", Service: "http://127.0.0.1:2"})
	d.Upsert(Rule{Hostname: "*.apps.example.com", Service: "http://127.0.0.1:3"}) // an update keeps its place
	out, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.apps.example.com http://127.0.0.1:2", "*.apps.example.com http://127.0.0.1:3", "http_status:404"}
	if got := services(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("rules = %q, want %q", got, want)
	}
}

// everyKey sets every managed key to a value other than its zero value.
func everyKey() *OriginRequest {
	return &OriginRequest{
		ConnectTimeout: ptr(int64(30)), TLSTimeout: ptr(int64(10)), TCPKeepAlive: ptr(int64(30)),
		NoHappyEyeballs: ptr(true), KeepAliveConnections: ptr(int64(100)), KeepAliveTimeout: ptr(int64(90)),
		HTTPHostHeader: ptr("app.internal"), OriginServerName: ptr("origin.internal"), MatchSNIToHost: ptr(true),
		CAPool: ptr("/etc/ssl/ca.pem"), NoTLSVerify: ptr(true), DisableChunkedEncoding: ptr(true), BastionMode: ptr(true),
		ProxyAddress: ptr("127.0.0.1"), ProxyPort: ptr(int64(1080)), ProxyType: ptr("socks"),
		IPRules:     &[]IPRule{{Prefix: "10.0.0.0/8", Ports: &[]int64{443, 80}, Allow: true}, {Prefix: "0.0.0.0/0"}},
		HTTP2Origin: ptr(true),
	}
}

func TestOriginRequestWireKeys(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(everyKey())
	if err != nil {
		t.Fatal(err)
	}
	// cloudflared's names (config.OriginRequestConfig) and types: seconds as
	// integers, ipRules as {prefix, ports, allow}.
	want := `{"bastionMode":true,"caPool":"/etc/ssl/ca.pem","connectTimeout":30,"disableChunkedEncoding":true,` +
		`"http2Origin":true,"httpHostHeader":"app.internal","ipRules":[{"prefix":"10.0.0.0/8","ports":[443,80],"allow":true},` +
		`{"prefix":"0.0.0.0/0","allow":false}],"keepAliveConnections":100,"keepAliveTimeout":90,"matchSNItoHost":true,` +
		`"noHappyEyeballs":true,"noTLSVerify":true,"originServerName":"origin.internal","proxyAddress":"127.0.0.1",` +
		`"proxyPort":1080,"proxyType":"socks","tcpKeepAlive":30,"tlsTimeout":10}`
	if string(b) != want {
		t.Errorf("wire form\n got %s\nwant %s", b, want)
	}
	if got := len(ManagedKeys()); got != 18 {
		t.Errorf("%d managed keys, want the 18 cloudflared documents besides access", got)
	}
	var back OriginRequest
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, everyKey()) {
		t.Errorf("round trip changed the options:\n got %+v\nwant %+v", back, *everyKey())
	}
}

func TestOriginRequestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     *OriginRequest
		extra    []string
	}{
		{"false and empty values are kept", `{"noTLSVerify":false,"proxyType":"","ipRules":[],"connectTimeout":0}`,
			&OriginRequest{NoTLSVerify: ptr(false), ProxyType: ptr(""), IPRules: &[]IPRule{}, ConnectTimeout: ptr(int64(0))}, nil},
		{"access and unknown keys are unmanaged", `{"access":{"required":true,"teamName":"t","audTag":["a"]},"futureKey":1,"caPool":"/ca.pem"}`,
			&OriginRequest{CAPool: ptr("/ca.pem")}, []string{"access", "futureKey"}},
		{"a managed key of the wrong type is kept verbatim", `{"connectTimeout":"30s","tlsTimeout":1.5,"noTLSVerify":true}`,
			&OriginRequest{NoTLSVerify: ptr(true)}, []string{"connectTimeout", "tlsTimeout"}},
		{"null is not set, and written back as found", `{"connectTimeout":null}`, &OriginRequest{}, []string{"connectTimeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got OriginRequest
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if !got.SameManaged(tt.want) {
				t.Errorf("managed keys = %+v, want %+v", got, *tt.want)
			}
			if !reflect.DeepEqual(got.Unmanaged(), tt.extra) {
				t.Errorf("unmanaged keys = %v, want %v", got.Unmanaged(), tt.extra)
			}
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			_ = json.Unmarshal(out, &a)
			_ = json.Unmarshal([]byte(tt.in), &b)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("written back as %s, want %s", out, tt.in)
			}
		})
	}
}

func TestUpsertKeepsUnmanagedKeysOfTheRule(t *testing.T) {
	t.Parallel()
	access := `{"required":true,"teamName":"team","audTag":["aud1"]}`
	doc := `{"ingress":[{"hostname":"a.example.com","service":"http://127.0.0.1:1","x-note":"kept",` +
		`"originRequest":{"access":` + access + `,"noTLSVerify":true,"connectTimeout":"1m"}},{"service":"http_status:404"}]}`
	d, err := Parse(json.RawMessage(doc))
	if err != nil {
		t.Fatal(err)
	}
	if d.Upsert(Rule{Hostname: "a.example.com", Service: "http://127.0.0.1:1", OriginRequest: &OriginRequest{NoTLSVerify: ptr(true)}}) {
		t.Error("an unchanged managed part reported a change")
	}
	if !d.Upsert(Rule{Hostname: "a.example.com", Service: "http://127.0.0.1:2", OriginRequest: &OriginRequest{TLSTimeout: ptr(int64(5))}}) {
		t.Fatal("a new service reported no change")
	}
	out, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Ingress []map[string]json.RawMessage `json:"ingress"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	rule := got.Ingress[0]
	if string(rule["x-note"]) != `"kept"` || string(rule["service"]) != `"http://127.0.0.1:2"` {
		t.Errorf("rule = %s", out)
	}
	var or map[string]json.RawMessage
	if err := json.Unmarshal(rule["originRequest"], &or); err != nil {
		t.Fatal(err)
	}
	// noTLSVerify is managed and no longer wanted; access and the
	// unreadable connectTimeout are not the provider's and stay as they were.
	if len(or) != 3 || string(or["access"]) != access || string(or["connectTimeout"]) != `"1m"` || string(or["tlsTimeout"]) != "5" {
		t.Errorf("originRequest = %s", rule["originRequest"])
	}
}

func TestSetOriginRequest(t *testing.T) {
	t.Parallel()
	doc := `{"ingress":[{"hostname":"a.example.com","service":"http://127.0.0.1:1"},{"service":"http_status:404"}],` +
		`"originRequest":{"connectTimeout":10,"access":{"required":true}}}`
	d, err := Parse(json.RawMessage(doc))
	if err != nil {
		t.Fatal(err)
	}
	o, err := d.OriginRequest()
	if err != nil || o == nil || *o.ConnectTimeout != 10 || !reflect.DeepEqual(o.Unmanaged(), []string{"access"}) {
		t.Fatalf("OriginRequest() = %+v, %v", o, err)
	}
	if changed, err := d.SetOriginRequest(&OriginRequest{ConnectTimeout: ptr(int64(10))}); changed || err != nil {
		t.Errorf("same defaults: changed %v, %v", changed, err)
	}
	if changed, err := d.SetOriginRequest(&OriginRequest{KeepAliveTimeout: ptr(int64(90))}); !changed || err != nil {
		t.Fatalf("new defaults: changed %v, %v", changed, err)
	}
	out, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	_ = json.Unmarshal(out, &got)
	if string(got["originRequest"]) != `{"access":{"required":true},"keepAliveTimeout":90}` {
		t.Errorf("originRequest = %s", got["originRequest"])
	}
	if changed, _ := d.SetOriginRequest(nil); !changed {
		t.Error("clearing the managed keys reported no change")
	}
	if o, _ := d.OriginRequest(); o == nil || !reflect.DeepEqual(o.Unmanaged(), []string{"access"}) || !o.SameManaged(nil) {
		t.Errorf("after clearing: %+v", o)
	}
	empty, _ := Parse(json.RawMessage(`{"ingress":[{"service":"http_status:404"}],"originRequest":{"tlsTimeout":3}}`))
	if changed, _ := empty.SetOriginRequest(nil); !changed {
		t.Error("clearing reported no change")
	}
	if out, _ := empty.Marshal(); strings.Contains(string(out), "originRequest") {
		t.Errorf("an empty originRequest is written: %s", out)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{`[]`, `{"ingress":{}}`, `{"ingress":[1]}`} {
		if _, err := Parse(json.RawMessage(doc)); err == nil {
			t.Errorf("Parse(%s) succeeded, want an error", doc)
		}
	}
}
