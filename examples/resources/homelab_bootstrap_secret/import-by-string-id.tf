import {
  to = homelab_bootstrap_secret.infisical
  id = "infisical/infisical-secrets"
}
