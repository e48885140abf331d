# A whole homelab with this provider alone: the Cloudflare Tunnel and the
# cloudflared token Secret, services as ArgoCD Applications, each published
# through the tunnel and backed up by one restic plan; bootstrap Secrets
# made in the cluster; the aggregate view of the tunnel as outputs.
#
# `make demo` applies it against the local Cloudflare API and a local
# Kubernetes control plane. Against a real account and cluster, set the
# CLOUDFLARE_* variables and KUBE_CONFIG_PATH, and take the secrets from
# 1Password with `op://` references instead of variables.

terraform {
  required_version = ">= 1.11"
  required_providers {
    homelab = {
      source = "homelab-tf/homelab"
    }
  }
}

variable "domain" {
  type    = string
  default = "example.com"
}

variable "gitops_repo_url" {
  type        = string
  default     = "https://github.com/example/homelab.git"
  description = "The GitOps repository the root Application syncs; `make demo` gives a local one (file://)."
}

variable "backup_repository" {
  type        = string
  description = "restic repository string; a local path in the demo, e.g. b2:bucket:restic at home."
}

variable "restic_binary" {
  type    = string
  default = "restic"
}

variable "restic_password" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Repository password; sent write-only, never stored."
}

variable "infisical_db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "homelab" {
  domain      = var.domain
  host_prefix = "home"

  # api_token, account_id, zone_id and base_url come from the CLOUDFLARE_*
  # environment variables; the cluster from KUBE_CONFIG_PATH. The tunnel is
  # made below, so no tunnel_id is needed.
  cloudflare = {
    requests_per_second = 20
  }
  access = {
    allowed_emails = ["me@${var.domain}"]
  }
}

# The tunnel, remotely managed: Cloudflare makes its secret, and neither the
# provider nor the state holds it. Bump secret_version to rotate it.
resource "homelab_tunnel" "homelab" {
  name           = "homelab"
  secret_version = 1
}

# cloudflared's token, fetched at apply and written straight into the
# Secret a cloudflared Deployment reads (`cloudflared tunnel run` with
# TUNNEL_TOKEN); it is never in the plan or the state. A rotation writes
# the new token in the same apply.
ephemeral "homelab_tunnel_token" "homelab" {
  tunnel_id = homelab_tunnel.homelab.id
}

resource "homelab_bootstrap_secret" "cloudflared" {
  name             = "cloudflared-token"
  namespace        = "cloudflared"
  create_namespace = true
  data_wo          = { TUNNEL_TOKEN = ephemeral.homelab_tunnel_token.homelab.token }
  data_wo_version  = homelab_tunnel.homelab.secret_version
}

# ArgoCD's own namespace holds the repository credential; creating it here
# also creates the namespace the Applications live in.
resource "homelab_bootstrap_secret" "argocd_repo" {
  name             = "homelab-repo"
  namespace        = "argocd"
  create_namespace = true
  labels           = { "argocd.argoproj.io/secret-type" = "repository" }
  data_wo = {
    type = "git"
    url  = "https://github.com/example/homelab.git"
  }
  data_wo_version = 1
}

# Values Infisical needs before it can run, made once in the cluster.
resource "homelab_bootstrap_secret" "infisical" {
  name             = "infisical-secrets"
  namespace        = "infisical"
  create_namespace = true
  generate = {
    ENCRYPTION_KEY = { length = 16, encoding = "hex" }
    AUTH_SECRET    = { length = 32, encoding = "base64" }
  }
}

# The root Application (app of apps): everything else in git follows it.
# Apply returns once ArgoCD reports it Synced and Healthy; destroy deletes
# what it created, through ArgoCD's finalizer.
resource "homelab_service" "root" {
  name      = "argocd-apps"
  namespace = "argocd"
  component = "gitops"
  sync_wave = -1
  git = {
    repo_url        = var.gitops_repo_url
    path            = "k8s/apps/argocd"
    target_revision = "HEAD"
  }
  sync_policy = {
    automated = true, prune = true, self_heal = true
    retry     = { limit = 5, backoff = { duration = "5s", factor = 2, max_duration = "3m" } }
  }
  cascade_delete = true
  wait_for       = { healthy = true, synced = true, timeout = "5m" }

  depends_on = [homelab_bootstrap_secret.argocd_repo]
}

resource "homelab_service" "infisical" {
  name      = "infisical"
  namespace = "infisical"
  project   = "default"
  component = "secrets"
  helm = {
    repo_url                    = "https://dl.cloudsmith.io/public/infisical/helm-charts/helm/charts/"
    chart                       = "infisical-standalone"
    version                     = "1.7.2"
    values                      = yamlencode({ infisical = { replicaCount = 1 } })
    sensitive_values_wo         = yamlencode({ postgresql = { auth = { password = var.infisical_db_password } } })
    sensitive_values_wo_version = 1
  }
  sync_policy = { automated = true, self_heal = true, sync_options = ["CreateNamespace=true"] }
  proxy       = { port = 8080 }
  backup      = { paths = ["/var/lib/infisical"] }

  depends_on = [homelab_bootstrap_secret.argocd_repo, homelab_bootstrap_secret.infisical]
}

resource "homelab_service" "jellyfin" {
  name      = "jellyfin"
  namespace = "media"
  component = "media"
  helm = {
    repo_url = "https://jellyfin.github.io/jellyfin-helm"
    chart    = "jellyfin"
    version  = "2.1.0"
  }
  sync_policy = { automated = true, sync_options = ["CreateNamespace=true"] }
  proxy       = { port = 8096 }
  backup = {
    paths    = ["/var/lib/jellyfin", "/var/lib/jellyfin/config"]
    excludes = ["/var/lib/jellyfin/cache", "/var/lib/jellyfin/transcodes"]
  }

  depends_on = [homelab_bootstrap_secret.argocd_repo]
}

resource "homelab_service" "home_assistant" {
  name      = "home-assistant"
  namespace = "home"
  component = "automation"
  helm = {
    repo_url = "https://pajikos.github.io/home-assistant-helm-chart"
    chart    = "home-assistant"
    version  = "0.3.10"
  }
  sync_policy = { automated = true, sync_options = ["CreateNamespace=true"] }
  proxy       = { port = 8123, name = "ha" }
  backup      = { paths = ["/var/lib/hass"], excludes = ["*.log"] }

  depends_on = [homelab_bootstrap_secret.argocd_repo]
}

locals {
  services = {
    infisical      = homelab_service.infisical
    jellyfin       = homelab_service.jellyfin
    home_assistant = homelab_service.home_assistant
  }
}

# Every service with a proxy is published, behind Access by default.
resource "homelab_proxy" "service" {
  for_each  = local.services
  name      = each.value.proxy.name
  service   = each.value.proxy.service
  tunnel_id = homelab_tunnel.homelab.id
}

# SSH through the tunnel, for `cloudflared access ssh`.
resource "homelab_proxy" "ssh" {
  hostname  = "ssh.${var.domain}"
  service   = "ssh://127.0.0.1:22"
  tunnel_id = homelab_tunnel.homelab.id
  access = {
    session_duration = "1h"
  }
}

# A public status page: publishing without Access is an explicit choice.
resource "homelab_proxy" "status" {
  name      = "status"
  service   = "http://127.0.0.1:3001"
  tunnel_id = homelab_tunnel.homelab.id
  access = {
    enabled = false
  }
}

# One restic plan for every service's data.
resource "homelab_backup_plan" "homelab" {
  name                = "homelab"
  repository          = var.backup_repository
  password_wo         = var.restic_password
  password_wo_version = 1
  paths               = flatten([for s in local.services : s.backup.paths])
  excludes            = flatten([for s in local.services : s.backup.excludes])
  tags                = ["homelab"]
  host                = "homelab"
  schedule            = "0 3 * * *"
  retention           = { keep_daily = 7, keep_weekly = 4, keep_monthly = 6 }
  initialize          = true
  restic_binary       = var.restic_binary
}

data "homelab_proxies" "all" {
  tunnel_id  = homelab_tunnel.homelab.id
  depends_on = [homelab_proxy.service, homelab_proxy.ssh, homelab_proxy.status]
}

# Read after cloudflared got its token, so the status is the one it runs with.
data "homelab_tunnel" "homelab" {
  tunnel_id  = homelab_tunnel.homelab.id
  depends_on = [homelab_bootstrap_secret.cloudflared]
}

output "hostnames" {
  value = sort([for p in data.homelab_proxies.all.proxies : p.hostname])
}

output "unprotected_hostnames" {
  value = [for p in data.homelab_proxies.all.proxies : p.hostname if !p.protected]
}

output "allowed_tcp_ports" {
  value = data.homelab_proxies.all.allowed_tcp_ports
}

output "tunnel" {
  value = "${data.homelab_tunnel.homelab.name} ${homelab_tunnel.homelab.id} (${data.homelab_tunnel.homelab.status}, ${length(data.homelab_tunnel.homelab.connections)} connections)"
}

output "applications" {
  value = { for k, s in merge(local.services, { root = homelab_service.root }) : k => s.id }
}

output "backup_command" {
  value = join(" ", homelab_backup_plan.homelab.backup_command)
}

output "restic_repository_id" {
  value = homelab_backup_plan.homelab.repository_id
}
