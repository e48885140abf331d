# Every hostname the provider's default tunnel publishes, whoever made it.
data "homelab_proxies" "all" {}

# The host firewall opens exactly the origin ports the tunnel reaches.
output "allowed_tcp_ports" {
  value = data.homelab_proxies.all.allowed_tcp_ports
}

# Hostnames published without an Access application in front of them.
output "unprotected_hostnames" {
  value = [for p in data.homelab_proxies.all.proxies : p.hostname if !p.protected]
}
