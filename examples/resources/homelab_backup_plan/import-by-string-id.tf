# Adopt an existing restic repository with Terraform >= 1.5 or OpenTofu.
# The id is the repository string; the next apply checks that it opens with
# the configured password.
import {
  to = homelab_backup_plan.b2
  id = "b2:homelab-backup:restic"
}

resource "homelab_backup_plan" "b2" {
  name               = "homelab"
  repository         = "b2:homelab-backup:restic"
  password_reference = "op://homelab/restic/password"
  paths              = ["/var/lib/jellyfin"]
}
