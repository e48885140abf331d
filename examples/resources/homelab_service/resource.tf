# The ArgoCD root Application (app of apps): every other Application is
# in git under k8s/apps/argocd.
resource "homelab_service" "root" {
  name      = "argocd-apps"
  namespace = "argocd"
  sync_wave = -1

  git = {
    repo_url = "https://github.com/holdennguyen/homelab.git"
    path     = "k8s/apps/argocd"
  }
  sync_policy = {
    automated = true, prune = true, self_heal = true
    retry     = { limit = 5, backoff = { duration = "5s", factor = 2, max_duration = "3m" } }
  }
  # ArgoCD deletes what the root created when it is destroyed; apply
  # returns once ArgoCD reports the root Synced and Healthy.
  cascade_delete = true
  wait_for       = { synced = true, healthy = true, timeout = "5m" }
}

# A chart whose values live in the GitOps repository (ArgoCD multi-source:
# the chart, and the repository as `$values`).
resource "homelab_service" "jellyfin" {
  name      = "jellyfin"
  namespace = "media"

  helm = {
    repo_url        = "https://jellyfin.github.io/jellyfin-helm"
    chart           = "jellyfin"
    version         = "2.1.0"
    value_files     = ["$values/k8s/apps/jellyfin/values.yaml"]
    values_from_git = { repo_url = "https://github.com/holdennguyen/homelab.git", target_revision = "HEAD" }
  }
  sync_policy = { automated = true, sync_options = ["CreateNamespace=true"] }
}

# Infisical from its Helm chart. The database passwords come from
# 1Password at apply time and are deep-merged over `values`: they reach
# the Application in the cluster, never the state or the plan.
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
      infisical  = { replicaCount = 1 }
      postgresql = { enabled = true, auth = { username = "infisical", database = "infisicalDB" } }
    })
    sensitive_values_wo = yamlencode({
      postgresql = { auth = { password = ephemeral.homelab_secret.infisical_db.value } }
    })
    sensitive_values_wo_version = 1 # bump to send sensitive_values_wo again
  }

  sync_policy        = { automated = true, prune = true, self_heal = true, sync_options = ["CreateNamespace=true"] }
  ignore_differences = [{ group = "", kind = "Secret", json_pointers = ["/data"] }]
  wait_for           = { healthy = true, timeout = "10m" }

  proxy  = { port = 30445 }                   # read back as homelab_service.infisical.proxy
  backup = { paths = ["/var/lib/infisical"] } # read back as homelab_service.infisical.backup
}

ephemeral "homelab_secret" "infisical_db" {
  reference = "op://homelab/infisical/db_password"
}

# The service's proxy object feeds homelab_proxy: infisical-home.example.com
# to http://127.0.0.1:30445.
resource "homelab_proxy" "infisical" {
  name    = homelab_service.infisical.proxy.name
  service = homelab_service.infisical.proxy.service
}
