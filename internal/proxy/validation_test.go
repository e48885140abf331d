package proxy_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// TestAccProxy_validation checks every plan-time validation: each config
// fails at plan, before any API call, with a diagnostic that names the
// problem.
func TestAccProxy_validation(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	provider := s.ProviderConfig("")
	tests := []struct {
		name   string
		config string
		want   string
	}{
		{"invalid hostname", provider + `
resource "homelab_proxy" "x" {
  hostname = "Bad_Host.example.com"
  service  = "http://127.0.0.1:80"
}`, `(?s)Invalid Hostname.*must be lowercase`},
		{"hostname without a dot", provider + `
resource "homelab_proxy" "x" {
  hostname = "localhost"
  service  = "http://127.0.0.1:80"
}`, `(?s)Invalid Hostname.*not a valid hostname`},
		{"invalid name", provider + `
resource "homelab_proxy" "x" {
  name    = "my.app"
  service = "http://127.0.0.1:80"
}`, `(?s)Invalid Proxy Name.*"my\.app" is not a valid name`},
		{"name and hostname", provider + `
resource "homelab_proxy" "x" {
  name     = "app"
  hostname = "app.example.com"
  service  = "http://127.0.0.1:80"
}`, `(?s)Invalid Attribute Combination`},
		{"neither name nor hostname", provider + `
resource "homelab_proxy" "x" {
  service = "http://127.0.0.1:80"
}`, `(?s)Invalid Attribute Combination.*name.*hostname`},
		{"unsupported scheme", provider + `
resource "homelab_proxy" "x" {
  name    = "app"
  service = "ftp://127.0.0.1:21"
}`, `(?s)Invalid Service.*unsupported scheme "ftp"`},
		{"port out of range", provider + `
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:70000"
}`, `(?s)Invalid Service.*port must be from\s+1 to 65535`},
		{"port zero", provider + `
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:0"
}`, `(?s)Invalid Service.*port must be from\s+1 to 65535`},
		{"origin with a path", provider + `
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:80/app"
}`, `(?s)Invalid Service.*has a path`},
		{"invalid path regex", provider + `
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:80"
  path    = "^/api/("
}`, `(?s)Invalid Path.*not a valid regular\s+expression`},
		{"invalid session duration", provider + `
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:80"
  access  = { session_duration = "1 day" }
}`, `(?s)Invalid Session Duration`},
		{"invalid e-mail", provider + `
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:80"
  access  = { allowed_emails = ["not-an-email"] }
}`, `(?s)must be an e-mail\s+address`},
		{"timeout of zero", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { connect_timeout = 0 }
}`, `(?s)Invalid Origin Timeout.*origin_request\.connect_timeout: 0 is not a\s+timeout`},
		{"timeout in milliseconds", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { keep_alive_timeout = 90000 }
}`, `(?s)Invalid Origin Timeout.*origin_request\.keep_alive_timeout: 90000 seconds is\s+more than a day.*for 90000\s+milliseconds write 90`},
		{"tls timeout negative", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { tls_timeout = -1 }
}`, `(?s)Invalid Origin Timeout.*origin_request\.tls_timeout`},
		{"tcp keep-alive too long", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { tcp_keep_alive = 86401 }
}`, `(?s)Invalid Origin Timeout.*origin_request\.tcp_keep_alive`},
		{"keep-alive connections zero", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { keep_alive_connections = 0 }
}`, `(?s)Invalid Keep-Alive Connections.*origin_request\.keep_alive_connections:\s+0`},
		{"proxy port out of range", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { proxy_port = 70000 }
}`, `(?s)Invalid Proxy Port.*origin_request\.proxy_port: 70000 is not a\s+port.*1 to 65535`},
		{"proxy type unknown", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { proxy_type = "socks5" }
}`, `(?s)Invalid Proxy Type.*"socks5" is not accepted as origin_request\.proxy_type.*"socks"`},
		{"proxy address with a port", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { proxy_address = "127.0.0.1:1080" }
}`, `(?s)Invalid Proxy Address.*"127\.0\.0\.1:1080".*origin_request\.proxy_address.*proxy_port`},
		{"ip rule without a prefix length", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { ip_rules = [{ prefix = "10.0.0.1", allow = true }] }
}`, `(?s)Invalid IP Rule Prefix.*origin_request\.ip_rules\[0\]\.prefix.*10\.0\.0\.1/32`},
		{"ip rule port out of range", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { ip_rules = [{ prefix = "10.0.0.0/8", ports = [443, 0], allow = true }] }
}`, `(?s)Invalid IP Rule Port.*origin_request\.ip_rules\[0\]\.ports\[1\]: 0 is not a\s+port`},
		{"ip rule without allow", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { ip_rules = [{ prefix = "10.0.0.0/8" }] }
}`, `(?s)attribute "allow" is\s+required`},
		{"host header with a space", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { http_host_header = "app internal" }
}`, `(?s)Invalid HTTP Host Header.*origin_request\.http_host_header`},
		{"origin server name with a scheme", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { origin_server_name = "https://origin" }
}`, `(?s)Invalid Origin Server Name.*origin_request\.origin_server_name.*without scheme`},
		{"empty CA pool", provider + `
resource "homelab_proxy" "x" {
  name           = "app"
  service        = "http://127.0.0.1:80"
  access         = { enabled = false }
  origin_request = { ca_pool = "" }
}`, `(?s)Invalid CA Pool.*origin_request\.ca_pool`},
		{"duplicate hostname", provider + `
resource "homelab_proxy" "a" {
  name    = "app"
  service = "http://127.0.0.1:80"
}
resource "homelab_proxy" "b" {
  hostname = "app-home.example.com"
  service  = "http://127.0.0.1:81"
}`, `(?s)Duplicate Hostname.*"app-home\.example\.com" is published by more than one`},
		{"access without e-mails", `
provider "homelab" {
  domain = "example.com"
  cloudflare = {
    api_token  = "` + s.API.Token() + `"
    account_id = "` + s.API.AccountID() + `"
    tunnel_id  = "` + s.Tunnel.ID + `"
    base_url   = "` + s.URL + `"
  }
}
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:80"
}`, `(?s)Access Without Allowed E-mails.*access = \{ enabled = false \}`},
		{"missing api token", `
provider "homelab" {
  domain = "example.com"
  cloudflare = { account_id = "abc", tunnel_id = "t", base_url = "` + s.URL + `" }
}
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:80"
  access  = { enabled = false }
}`, `(?s)Missing Cloudflare API Token.*CLOUDFLARE_API_TOKEN`},
		{"missing tunnel", `
provider "homelab" {
  domain = "example.com"
  cloudflare = { api_token = "x", account_id = "abc", base_url = "` + s.URL + `" }
}
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:80"
  access  = { enabled = false }
}`, `(?s)Missing Tunnel ID.*CLOUDFLARE_TUNNEL_ID`},
		{"missing domain", `
provider "homelab" {
  cloudflare = { api_token = "x", account_id = "abc", tunnel_id = "t", base_url = "` + s.URL + `" }
}
resource "homelab_proxy" "x" {
  name    = "app"
  service = "http://127.0.0.1:80"
  access  = { enabled = false }
}`, `(?s)Missing Domain.*set hostname`},
	}
	// The group returns once every parallel case has finished.
	t.Run("group", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				resource.Test(t, resource.TestCase{
					PreCheck:                 func() { acctest.PreCheck(t) },
					ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
					Steps: []resource.TestStep{{
						Config:      tt.config,
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(tt.want),
					}},
				})
			})
		}
	})
	if n := s.API.Total(); n != 0 {
		t.Errorf("validation made %d API requests, want none: %v", n, s.API.Counts())
	}
}
