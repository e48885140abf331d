# Every name under apps.example.com that has no proxy of its own reaches
# one reverse proxy (Traefik, Caddy) that routes by Host: one wildcard
# CNAME, one wildcard ingress rule and one Access application on
# *.apps.example.com.
resource "homelab_proxy" "apps" {
  hostname = "*.apps.example.com"
  service  = "https://127.0.0.1:443"

  origin_request = {
    match_sni_to_host = true # the reverse proxy picks its certificate by SNI
    no_tls_verify     = true
  }
}

# A more specific hostname of the same domain keeps its own rule, DNS
# record and Access application; its rule stays before the wildcard rule,
# whichever was created first, so the wildcard never shadows it.
resource "homelab_proxy" "grafana" {
  hostname = "grafana.apps.example.com"
  service  = "http://127.0.0.1:3000"
}
