data "homelab_tunnel" "homelab" {}

output "tunnel_status" {
  value = data.homelab_tunnel.homelab.status
}

# The token for `cloudflared tunnel run --token`, e.g. for a NixOS host's
# environment file. It is sensitive: Terraform redacts it in output.
output "cloudflared_token" {
  value     = data.homelab_tunnel.homelab.token
  sensitive = true
}
