# Resolve a 1Password reference at apply time and pass it to a write-only
# argument; the value is never in the plan or the state.
ephemeral "homelab_secret" "repo_token" {
  reference = "op://homelab/argocd/repo token/password"
}

resource "homelab_bootstrap_secret" "argocd_repo" {
  name      = "homelab-repo"
  namespace = "argocd"
  labels    = { "argocd.argoproj.io/secret-type" = "repository" }

  data_wo = {
    type     = "git"
    url      = "https://github.com/example/homelab.git"
    password = ephemeral.homelab_secret.repo_token.value
  }
  data_wo_version = 1
}
