# Secrets Infisical needs before it can run, so they cannot come from
# Infisical: made once in the cluster (like `openssl rand`), never stored.
resource "homelab_bootstrap_secret" "infisical" {
  name             = "infisical-secrets"
  namespace        = "infisical"
  create_namespace = true

  generate = {
    ENCRYPTION_KEY = { length = 16, encoding = "hex" }
    AUTH_SECRET    = { length = 32, encoding = "base64" }
  }
}

# The chart's database passwords, for the chart's existingSecret settings
# and for whoever needs to reach the databases.
resource "homelab_bootstrap_secret" "infisical_helm" {
  name      = "infisical-helm-secrets"
  namespace = "argocd"

  references = {
    postgresPassword = "op://homelab/infisical/postgres_password"
    redisPassword    = "op://homelab/infisical/redis_password"
  }

  depends_on = [helm_release.argocd]
}

# External Secrets Operator signs in to Infisical with this machine
# identity; rotate it in 1Password and apply again.
resource "homelab_bootstrap_secret" "infisical_machine_identity" {
  name             = "infisical-machine-identity"
  namespace        = "external-secrets"
  create_namespace = true

  references = {
    clientId     = "op://homelab/eso/client_id"
    clientSecret = "op://homelab/eso/client_secret"
  }
}

ephemeral "homelab_secret" "postgres_password" {
  reference = "op://homelab/infisical/postgres_password"
}

ephemeral "homelab_secret" "redis_password" {
  reference = "op://homelab/infisical/redis_password"
}

# Infisical from its Helm chart. The passwords are deep-merged over
# `values` at apply: they reach the Application in the cluster (ArgoCD
# Applications cannot take values from a Secret), never the state.
resource "homelab_service" "infisical" {
  name      = "infisical"
  namespace = "infisical"
  project   = "secrets"
  component = "secrets"

  helm = {
    repo_url = "https://dl.cloudsmith.io/public/infisical/helm-charts/helm/charts/"
    chart    = "infisical-standalone"
    version  = "1.7.2"
    values = yamlencode({
      infisical = {
        replicaCount  = 1
        kubeSecretRef = homelab_bootstrap_secret.infisical.name
        service       = { type = "NodePort", nodePort = 30445 }
      }
      postgresql = { enabled = true, auth = { username = "infisical", database = "infisicalDB" } }
      redis      = { enabled = true }
    })
    sensitive_values_wo = yamlencode({
      postgresql = { auth = { password = ephemeral.homelab_secret.postgres_password.value } }
      redis      = { auth = { password = ephemeral.homelab_secret.redis_password.value } }
    })
    sensitive_values_wo_version = 1 # bump after rotating the passwords in 1Password
  }

  sync_policy        = { automated = true, prune = true, self_heal = true, sync_options = ["CreateNamespace=true"] }
  ignore_differences = [{ group = "", kind = "Secret", json_pointers = ["/data"] }]

  proxy  = { port = 30445 }
  backup = { paths = ["/var/lib/infisical"] }

  depends_on = [helm_release.argocd, homelab_bootstrap_secret.infisical, homelab_bootstrap_secret.infisical_helm]
}
