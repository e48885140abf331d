# One restic plan fed by the services it protects. Each homelab_service
# declares what of it must be backed up; the plan joins them, so adding a
# service to the homelab adds its data to the backup, the way the NixOS
# homelab aggregates config.homelab.backupPaths. Paths and excludes are
# cleaned, de-duplicated and sorted by the plan.
#
# The repository password and the Backblaze B2 keys come from 1Password
# (provider block: onepassword.service_account_token or
# OP_SERVICE_ACCOUNT_TOKEN) and are never stored in state.

terraform {
  required_providers {
    homelab = {
      source = "homelab-tf/homelab"
    }
  }
}

provider "homelab" {
  domain      = "example.com"
  host_prefix = "home"
}

resource "homelab_service" "jellyfin" {
  name      = "jellyfin"
  namespace = "media"
  helm = {
    repo_url = "https://jellyfin.github.io/jellyfin-helm"
    chart    = "jellyfin"
    version  = "2.1.0"
  }
  backup = {
    paths    = ["/var/lib/jellyfin/config", "/var/lib/jellyfin/data"]
    excludes = ["/var/lib/jellyfin/data/transcodes"]
  }
}

resource "homelab_service" "home_assistant" {
  name      = "home-assistant"
  namespace = "home"
  helm = {
    repo_url = "https://pajikos.github.io/home-assistant-helm-chart"
    chart    = "home-assistant"
    version  = "0.3.0"
  }
  backup = {
    paths    = ["/var/lib/hass"]
    excludes = ["/var/lib/hass/home-assistant.log*", "*.db-wal"]
  }
}

resource "homelab_service" "vaultwarden" {
  name      = "vaultwarden"
  namespace = "security"
  helm = {
    repo_url = "https://guerzon.github.io/vaultwarden"
    chart    = "vaultwarden"
    version  = "0.31.0"
  }
  backup = {
    paths = ["/var/lib/vaultwarden"]
  }
}

locals {
  services = [
    homelab_service.jellyfin,
    homelab_service.home_assistant,
    homelab_service.vaultwarden,
  ]
}

resource "homelab_backup_plan" "b2" {
  name               = "homelab"
  repository         = "b2:homelab-backup:restic"
  password_reference = "op://homelab/restic/password"
  environment_references = {
    B2_ACCOUNT_ID  = "op://homelab/backblaze/account id"
    B2_ACCOUNT_KEY = "op://homelab/backblaze/application key"
  }

  paths    = flatten([for s in local.services : s.backup.paths])
  excludes = flatten([for s in local.services : s.backup.excludes])
  tags     = ["homelab"]
  host     = "nixos"
  schedule = "0 3 * * *"

  retention = {
    keep_daily   = 7
    keep_weekly  = 4
    keep_monthly = 6
  }
}

# For a systemd timer: the command and the exclude file, no secrets in them.
output "backup_command" {
  value = homelab_backup_plan.b2.backup_command
}

output "forget_command" {
  value = homelab_backup_plan.b2.forget_command
}

# For Backrest: paste into the `plans` and `repos` lists of its config.json,
# and start Backrest with RESTIC_PASSWORD, B2_ACCOUNT_ID and B2_ACCOUNT_KEY
# in its environment.
output "backrest_plan" {
  value = homelab_backup_plan.b2.backrest_plan
}

output "backrest_repo" {
  value = homelab_backup_plan.b2.backrest_repo
}
