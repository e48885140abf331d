# A web application: the hostname is derived from the provider's domain and
# host_prefix ("jellyfin-home.example.com"), and Access lets in the
# provider's access.allowed_emails.
resource "homelab_proxy" "jellyfin" {
  name    = "jellyfin"
  service = "http://127.0.0.1:8096"
}

# SSH through the tunnel under an explicit hostname, for
# `cloudflared access ssh`; one person only, for an hour at a time.
resource "homelab_proxy" "ssh" {
  hostname = "ssh.example.com"
  service  = "ssh://localhost:22"

  access = {
    allowed_emails   = ["me@example.com"]
    session_duration = "1h"
  }
}

# A public service: publishing without Access takes an explicit opt-out.
resource "homelab_proxy" "status" {
  name    = "status"
  service = "http://127.0.0.1:3001"

  access = {
    enabled = false
  }
}

# Only Home Assistant's webhooks, in public: requests to other paths of
# this hostname fall through to the tunnel's catch-all rule. The origin is
# HTTPS with a self-signed certificate, on a tunnel other than the default.
resource "homelab_proxy" "home_assistant_webhooks" {
  hostname  = "hooks-home.example.com"
  path      = "^/api/webhook/"
  service   = "https://127.0.0.1:8123"
  tunnel_id = "5b7c3a2e-9f61-4d8a-b0c4-7e2f1a9d6c35"

  origin_request = {
    no_tls_verify      = true
    origin_server_name = "homeassistant.local"
    http_host_header   = "homeassistant.local"
    connect_timeout    = 10
  }

  access = {
    enabled = false
  }
}
