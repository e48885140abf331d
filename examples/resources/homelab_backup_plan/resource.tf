# A nightly plan to Backblaze B2. The repository is created with
# `restic init` on the first apply when it does not exist yet; the password
# and the B2 keys come from 1Password and are never stored.
resource "homelab_backup_plan" "b2" {
  name               = "homelab"
  repository         = "b2:homelab-backup:restic"
  password_reference = "op://homelab/restic/password"
  environment_references = {
    B2_ACCOUNT_ID  = "op://homelab/backblaze/account id"
    B2_ACCOUNT_KEY = "op://homelab/backblaze/application key"
  }

  paths    = ["/var/lib/jellyfin", "/var/lib/hass", "/etc/nixos"]
  excludes = ["/var/lib/jellyfin/cache", "*.tmp"]
  tags     = ["homelab"]
  host     = "nixos"
  schedule = "0 3 * * *"

  retention = {
    keep_daily   = 7
    keep_weekly  = 4
    keep_monthly = 6
  }
}

# A local repository with a write-only password, e.g. from an ephemeral
# resource or an ephemeral variable (Terraform or OpenTofu >= 1.11).
ephemeral "homelab_secret" "restic" {
  reference = "op://homelab/restic/password"
}

resource "homelab_backup_plan" "local" {
  name                = "local"
  repository          = "/srv/restic"
  password_wo         = ephemeral.homelab_secret.restic.value
  password_wo_version = 1
  paths               = ["/home"]
  retention           = { keep_last = 10 }
  restic_binary       = "/run/current-system/sw/bin/restic"
}

# Run the plan from a systemd timer or cron with
# RESTIC_PASSWORD (or RESTIC_PASSWORD_FILE) and the B2 variables set:
output "backup_command" {
  value = join(" ", homelab_backup_plan.b2.backup_command)
}

# Or give it to Backrest: one entry of `plans` and one of `repos`.
output "backrest_plan" {
  value = jsondecode(homelab_backup_plan.b2.backrest_plan)
}
