# Every origin option cloudflared offers; each is optional, and unset ones
# take cloudflared's defaults (or the tunnel's). Timeouts are whole seconds.
resource "homelab_proxy" "nas" {
  name    = "nas"
  service = "https://192.168.1.10:5001"

  origin_request = {
    connect_timeout          = 10
    tls_timeout              = 10
    tcp_keep_alive           = 30
    keep_alive_timeout       = 90
    keep_alive_connections   = 100
    no_happy_eyeballs        = false
    http_host_header         = "nas.lan"
    origin_server_name       = "nas.lan"
    match_sni_to_host        = false
    ca_pool                  = "/etc/cloudflared/lan-ca.pem"
    no_tls_verify            = false
    disable_chunked_encoding = false
    http2_origin             = true
  }
}

# cloudflared runs a local SOCKS5 proxy for this rule; ip_rules, checked in
# order, let it reach the LAN's web and SSH ports and nothing else.
resource "homelab_proxy" "lan" {
  hostname = "lan.example.com"
  service  = "tcp://127.0.0.1:1080"

  origin_request = {
    bastion_mode  = false
    proxy_address = "127.0.0.1"
    proxy_port    = 1080
    proxy_type    = "socks"
    ip_rules = [
      { prefix = "192.168.1.0/24", ports = [80, 443, 22], allow = true },
      { prefix = "0.0.0.0/0", allow = false },
    ]
  }
}
