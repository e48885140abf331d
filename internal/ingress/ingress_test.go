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

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{`[]`, `{"ingress":{}}`, `{"ingress":[1]}`} {
		if _, err := Parse(json.RawMessage(doc)); err == nil {
			t.Errorf("Parse(%s) succeeded, want an error", doc)
		}
	}
}
