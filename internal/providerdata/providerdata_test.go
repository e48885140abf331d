package providerdata

import (
	"strings"
	"testing"
)

func TestHostnameForAndNameFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		domain, prefix, name, hostname string
	}{
		{"example.com", "home", "jellyfin", "jellyfin-home.example.com"},
		{"example.com", "", "jellyfin", "jellyfin.example.com"},
		{"lab.example.org", "x", "a-b", "a-b-x.lab.example.org"},
	}
	for _, tt := range tests {
		d := &Data{Domain: tt.domain, HostPrefix: tt.prefix}
		if got := d.HostnameFor(tt.name); got != tt.hostname {
			t.Errorf("HostnameFor(%q) = %q, want %q", tt.name, got, tt.hostname)
		}
		if got := d.NameFor(tt.hostname); got != tt.name {
			t.Errorf("NameFor(%q) = %q, want %q", tt.hostname, got, tt.name)
		}
	}
	d := &Data{Domain: "example.com", HostPrefix: "home"}
	for _, h := range []string{"ssh.example.com", "a.b-home.example.com", "-home.example.com", "x-home.example.org"} {
		if got := d.NameFor(h); got != "" {
			t.Errorf("NameFor(%q) = %q, want no name", h, got)
		}
	}
	if got := (&Data{}).NameFor("a.example.com"); got != "" {
		t.Errorf("NameFor without a domain = %q, want no name", got)
	}
}

func TestClaimHostname(t *testing.T) {
	t.Parallel()
	d := &Data{}
	if !d.ClaimHostname("a.example.com") || !d.ClaimHostname("b.example.com") {
		t.Fatal("first claims refused")
	}
	if d.ClaimHostname("a.example.com") {
		t.Fatal("second claim of the same hostname accepted")
	}
}

func TestCloudflareClientNamesMissingSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		settings CloudflareSettings
		want     []string
	}{
		{CloudflareSettings{AccountID: "a"}, []string{"Missing Cloudflare API Token", "cloudflare.api_token", "CLOUDFLARE_API_TOKEN"}},
		{CloudflareSettings{APIToken: "t"}, []string{"Missing Cloudflare Account ID", "cloudflare.account_id", "CLOUDFLARE_ACCOUNT_ID"}},
	}
	for _, tt := range tests {
		d := &Data{Cloudflare: tt.settings}
		client, diags := d.CloudflareClient()
		if client != nil || !diags.HasError() {
			t.Fatalf("CloudflareClient(%+v) = %v, %v; want an error", tt.settings, client, diags)
		}
		text := diags[0].Summary() + " " + diags[0].Detail()
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("diagnostic %q does not mention %q", text, w)
			}
		}
	}
	d := &Data{Cloudflare: CloudflareSettings{APIToken: "t", AccountID: "a", RequestsPerSecond: 4}}
	first, diags := d.CloudflareClient()
	second, _ := d.CloudflareClient()
	if diags.HasError() || first == nil || first != second {
		t.Fatalf("CloudflareClient built %p and %p (%v), want one shared client", first, second, diags)
	}
}
