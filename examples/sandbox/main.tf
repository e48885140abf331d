# The configuration `make demo` applies against the local sandbox (the
# in-memory Cloudflare API of internal/cfsandbox), with the provider built
# from this repository through a dev_overrides CLI configuration.
#
# Everything about the account comes from the environment:
#   CLOUDFLARE_BASE_URL    the sandbox's URL, e.g. http://127.0.0.1:8787/client/v4
#   CLOUDFLARE_API_TOKEN   the sandbox's token
#   CLOUDFLARE_ACCOUNT_ID  the sandbox's account
#   CLOUDFLARE_TUNNEL_ID   the tunnel created in the sandbox
#   CLOUDFLARE_ZONE_ID     optional: without it the zone "example.com" is looked up by name
# which is what cmd/homelab-sandbox prints as export lines when it starts.

terraform {
  required_version = ">= 1.11"

  required_providers {
    homelab = {
      source = "homelab-tf/homelab"
    }
  }
}

provider "homelab" {
  domain      = "example.com"
  host_prefix = "home"

  cloudflare = {
    # Far above Cloudflare's pace: the sandbox is local.
    requests_per_second = 50
  }

  access = {
    allowed_emails = ["me@example.com", "partner@example.com"]
  }
}

resource "homelab_proxy" "jellyfin" {
  name    = "jellyfin"
  service = "http://127.0.0.1:8096"
}

resource "homelab_proxy" "grafana" {
  name    = "grafana"
  service = "http://127.0.0.1:3000"

  access = {
    session_duration = "8h"
  }
}

resource "homelab_proxy" "home_assistant" {
  name    = "home-assistant"
  service = "http://127.0.0.1:8123"

  origin_request = {
    connect_timeout = 10
  }
}

resource "homelab_proxy" "ssh" {
  name    = "ssh"
  service = "ssh://localhost:22"

  access = {
    allowed_emails = ["me@example.com"]
  }
}

resource "homelab_proxy" "status" {
  name    = "status"
  service = "http://127.0.0.1:3001"

  access = {
    enabled = false
  }
}

locals {
  proxies = {
    jellyfin       = homelab_proxy.jellyfin
    grafana        = homelab_proxy.grafana
    home-assistant = homelab_proxy.home_assistant
    ssh            = homelab_proxy.ssh
    status         = homelab_proxy.status
  }
}

output "hostnames" {
  description = "Public hostname of each service."
  value       = { for name, p in local.proxies : name => p.hostname }
}

output "ports" {
  description = "Local port of each service's origin."
  value       = { for name, p in local.proxies : name => p.port }
}


output "protected" {
  description = "Whether Cloudflare Access guards each hostname."
  value       = { for name, p in local.proxies : name => p.access.enabled }
}
