data "homelab_tunnel" "homelab" {}

output "tunnel_status" {
  value = data.homelab_tunnel.homelab.status
}

# How many cloudflared connections the tunnel has now.
output "tunnel_connections" {
  value = length(data.homelab_tunnel.homelab.connections)
}
