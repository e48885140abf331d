# ArgoCD itself: it cannot deploy itself. Its chart installs the
# Application CRD that the homelab_service resources wait for.
resource "helm_release" "argocd" {
  name             = "argocd"
  repository       = "https://argoproj.github.io/argo-helm"
  chart            = "argo-cd"
  version          = "9.1.0"
  namespace        = "argocd"
  create_namespace = true
  wait             = true
  timeout          = 600

  values = [yamlencode({
    configs = { params = { "server.insecure" = true } }
    server  = { service = { type = "NodePort", nodePortHttp = 30080 } }
  })]
}

# The credential ArgoCD uses to read the GitOps repository. ArgoCD finds it
# by its label; the token comes from 1Password at apply time.
resource "homelab_bootstrap_secret" "argocd_repo" {
  name      = "repo-homelab"
  namespace = "argocd"
  labels    = { "argocd.argoproj.io/secret-type" = "repository" }

  data_wo = {
    type     = "git"
    url      = var.git_repo
    username = "git"
  }
  data_wo_version = 1
  references = {
    password = "op://homelab/argocd/repo token/password"
  }

  depends_on = [helm_release.argocd]
}

# The root Application (app of apps): every other Application, AppProject
# and manifest is in git under k8s/apps/argocd.
resource "homelab_service" "root" {
  name      = "argocd-apps"
  namespace = "argocd"
  sync_wave = -1

  git = {
    repo_url = var.git_repo
    path     = "k8s/apps/argocd"
  }
  sync_policy = { automated = true, prune = true, self_heal = true }

  # ArgoCD's own UI, published with the services.
  proxy = { port = 30080, name = "argocd" }

  depends_on = [helm_release.argocd, homelab_bootstrap_secret.argocd_repo]
}
