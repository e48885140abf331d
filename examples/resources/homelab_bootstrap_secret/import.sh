# A Secret is imported by <namespace>/<name>; the keys it holds become the managed keys.
terraform import homelab_bootstrap_secret.infisical infisical/infisical-secrets
