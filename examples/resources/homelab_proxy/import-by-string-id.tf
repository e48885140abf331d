# Adopt the DNS record, ingress rule and Access application of an existing
# hostname with Terraform >= 1.5 or OpenTofu.
import {
  to = homelab_proxy.jellyfin
  id = "jellyfin-home.example.com"
}

resource "homelab_proxy" "jellyfin" {
  name    = "jellyfin"
  service = "http://127.0.0.1:8096"
}
