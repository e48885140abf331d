package proxies

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

const tunnelID = "f70ff985-a4ef-4643-bbbc-4a0ed4fc8415"

func rules(t *testing.T, doc string) []ingress.Rule {
	t.Helper()
	d, err := ingress.Parse(json.RawMessage(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d.Rules
}

func TestJoin(t *testing.T) {
	t.Parallel()
	cname := func(id, name, content string) cloudflare.DNSRecord {
		return cloudflare.DNSRecord{ID: id, Name: name, Type: "CNAME", Content: content}
	}
	cases := []struct {
		name    string
		doc     string
		records []cloudflare.DNSRecord
		apps    []cloudflare.AccessApp
		want    []Published
	}{
		{
			name: "empty configuration publishes nothing",
			doc:  `{}`,
		},
		{
			name: "catch-all only",
			doc:  `{"ingress":[{"service":"http_status:404"}]}`,
		},
		{
			name: "record, app and port joined by hostname",
			doc:  `{"ingress":[{"hostname":"jellyfin-home.example.com","service":"http://127.0.0.1:8096"},{"service":"http_status:404"}]}`,
			records: []cloudflare.DNSRecord{
				cname("rec1", "jellyfin-home.example.com", tunnelID+".cfargotunnel.com"),
				cname("other", "unrelated.example.com", tunnelID+".cfargotunnel.com"),
			},
			apps: []cloudflare.AccessApp{{ID: "app1", Domain: "jellyfin-home.example.com"}},
			want: []Published{{Hostname: "jellyfin-home.example.com", Service: "http://127.0.0.1:8096", Port: 8096,
				DNSRecordID: "rec1", AccessApplicationID: "app1", Protected: true}},
		},
		{
			name: "record to another tunnel is not this tunnel's route",
			doc:  `{"ingress":[{"hostname":"a.example.com","service":"https://10.0.0.2"},{"service":"http_status:404"}]}`,
			records: []cloudflare.DNSRecord{
				cname("rec1", "a.example.com", "00000000-0000-4000-8000-000000000000.cfargotunnel.com"),
			},
			want: []Published{{Hostname: "a.example.com", Service: "https://10.0.0.2", Port: 443}},
		},
		{
			name: "case-insensitive names, A record ignored",
			doc:  `{"ingress":[{"hostname":"SSH.example.com","service":"ssh://localhost"},{"service":"http_status:404"}]}`,
			records: []cloudflare.DNSRecord{
				{ID: "a1", Name: "ssh.example.com", Type: "A", Content: "192.0.2.1"},
				cname("rec2", "ssh.example.com", tunnelID+".CFARGOTUNNEL.com"),
			},
			apps: []cloudflare.AccessApp{{ID: "app2", Domain: "ssh.example.com/"}},
			want: []Published{{Hostname: "SSH.example.com", Service: "ssh://localhost", Port: 22,
				DNSRecordID: "rec2", AccessApplicationID: "app2", Protected: true}},
		},
		{
			name: "path rule and bare rule of one hostname, unix socket and wildcard app",
			doc: `{"ingress":[{"hostname":"grafana.example.com","path":"^/api","service":"unix:/run/grafana.sock"},` +
				`{"hostname":"grafana.example.com","service":"http://localhost:3000"},{"service":"http_status:404"}]}`,
			apps: []cloudflare.AccessApp{{ID: "wild", Domain: "*.example.com"}},
			want: []Published{
				{Hostname: "grafana.example.com", Path: "^/api", Service: "unix:/run/grafana.sock", Protected: true},
				{Hostname: "grafana.example.com", Service: "http://localhost:3000", Port: 3000, Protected: true},
			},
		},
		{
			name: "hand-written rule with an origin the provider would refuse",
			doc:  `{"ingress":[{"hostname":"legacy.example.com","service":"ftp://10.0.0.9"},{"service":"http_status:404"}]}`,
			want: []Published{{Hostname: "legacy.example.com", Service: "ftp://10.0.0.9"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Join(tunnelID, rules(t, tc.doc), tc.records, tc.apps)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Join =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func TestAllowedTCPPorts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ports []int
		want  []int
	}{
		{nil, nil},
		{[]int{0, 0}, nil},
		{[]int{8096, 22, 8096, 0, 443, 22}, []int{22, 443, 8096}},
	}
	for _, tc := range cases {
		var published []Published
		for _, p := range tc.ports {
			published = append(published, Published{Port: p})
		}
		if got := AllowedTCPPorts(published); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("AllowedTCPPorts(%v) = %v, want %v", tc.ports, got, tc.want)
		}
	}
}

func TestIngressJSONKeepsRulesVerbatim(t *testing.T) {
	t.Parallel()
	doc := `{"ingress":[{"hostname":"a.example.com","service":"http://localhost:1","originRequest":{"noTLSVerify":true,"unknownKey":7}},{"service":"http_status:404"}],"warp-routing":{"enabled":true}}`
	got, err := IngressJSON(rules(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"hostname":"a.example.com","service":"http://localhost:1","originRequest":{"noTLSVerify":true,"unknownKey":7}},{"service":"http_status:404"}]`
	if got != want {
		t.Errorf("IngressJSON =\n%s\nwant\n%s", got, want)
	}
}

func TestHostnames(t *testing.T) {
	t.Parallel()
	got := Hostnames([]Published{{Hostname: "b.example.com"}, {Hostname: "A.example.com"}, {Hostname: "b.example.com", Path: "^/x"}})
	if want := []string{"a.example.com", "b.example.com"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hostnames = %v, want %v", got, want)
	}
}
