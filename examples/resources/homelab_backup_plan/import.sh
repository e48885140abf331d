# A plan is imported by its repository string. The import records the
# repository only: the password (password_wo or password_reference), the
# paths and the rest come from the configuration, and the next apply opens
# the repository with that password and records its id. Nothing is
# initialized or changed in the repository.
terraform import homelab_backup_plan.b2 b2:homelab-backup:restic
