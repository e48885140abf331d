# A remotely managed tunnel: Cloudflare makes its secret, and neither the
# provider nor the state holds it.
resource "homelab_tunnel" "homelab" {
  name           = "homelab"
  secret_version = 1 # bump to rotate the secret
}

# Proxies publish hostnames through it.
resource "homelab_proxy" "jellyfin" {
  name      = "jellyfin"
  service   = "http://127.0.0.1:8096"
  tunnel_id = homelab_tunnel.homelab.id
}
