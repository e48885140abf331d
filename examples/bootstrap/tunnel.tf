# The Cloudflare Tunnel, made from nothing: remotely managed, its secret made
# by Cloudflare and never in state. An existing live tunnel named "homelab"
# is adopted (or import it: `tofu import homelab_tunnel.homelab homelab`).
resource "homelab_tunnel" "homelab" {
  name           = "homelab"
  secret_version = 1 # bump to rotate; the Secret below gets the new token in the same apply
}

# The token cloudflared runs with, fetched at apply into the Secret its
# Deployment reads as TUNNEL_TOKEN; never in the plan or the state.
ephemeral "homelab_tunnel_token" "homelab" {
  tunnel_id = homelab_tunnel.homelab.id
}

resource "homelab_bootstrap_secret" "cloudflared" {
  name             = "cloudflared-token"
  namespace        = "cloudflared"
  create_namespace = true
  data_wo          = { TUNNEL_TOKEN = ephemeral.homelab_tunnel_token.homelab.token }
  data_wo_version  = homelab_tunnel.homelab.secret_version
}
