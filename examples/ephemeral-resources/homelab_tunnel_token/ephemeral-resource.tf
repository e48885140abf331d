# The token cloudflared runs with, fetched at apply and written straight
# into a Kubernetes Secret; it is never in the plan or the state.
resource "homelab_tunnel" "homelab" {
  name           = "homelab"
  secret_version = 1
}

ephemeral "homelab_tunnel_token" "homelab" {
  tunnel_id = homelab_tunnel.homelab.id
}

resource "homelab_bootstrap_secret" "cloudflared" {
  name             = "cloudflared-token"
  namespace        = "cloudflared"
  create_namespace = true
  data_wo          = { TUNNEL_TOKEN = ephemeral.homelab_tunnel_token.homelab.token }
  # A rotation changes the token: the same version writes it again.
  data_wo_version = homelab_tunnel.homelab.secret_version
}
