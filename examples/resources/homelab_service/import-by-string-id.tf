# Adopt an existing ArgoCD Application with Terraform >= 1.5 or OpenTofu.
import {
  to = homelab_service.root
  id = "argocd/argocd-apps"
}

resource "homelab_service" "root" {
  name      = "argocd-apps"
  namespace = "argocd"

  git = {
    repo_url = "https://github.com/holdennguyen/homelab.git"
    path     = "k8s/apps/argocd"
  }
}
