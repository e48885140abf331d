terraform {
  required_providers {
    homelab = {
      source = "homelab-tf/homelab"
    }
  }
}

provider "homelab" {
  # Proxies named "jellyfin" are published as "jellyfin-home.example.com".
  domain      = "example.com"
  host_prefix = "home"

  cloudflare = {
    # api_token is best left to the environment: CLOUDFLARE_API_TOKEN.
    # account_id may come from CLOUDFLARE_ACCOUNT_ID.
    account_id = "0123456789abcdef0123456789abcdef"
    # zone_id defaults to the zone named like `domain` (or CLOUDFLARE_ZONE_ID).
    # tunnel_id may come from CLOUDFLARE_TUNNEL_ID.
    tunnel_id = "c1744f8b-faa1-48a4-9e5c-02ac921467fa"
    # base_url defaults to https://api.cloudflare.com/client/v4 (or CLOUDFLARE_BASE_URL).

    # Cloudflare allows 1,200 requests per rolling 5 minutes; requests go out
    # at the API's speed while that window has room. These are the defaults
    # (requests_per_second, an optional extra cap, has none).
    request_budget = 1200
    max_retries    = 4
  }

  # Default allow-list of every proxy's Access application.
  access = {
    allowed_emails = ["me@example.com", "partner@example.com"]
  }

  # Needed only by the Kubernetes resources.
  # kubernetes = {
  #   config_path    = "~/.kube/config" # or KUBE_CONFIG_PATH, then KUBECONFIG
  #   config_context = "kind-homelab"   # or KUBE_CTX
  # }

  # Needed only to resolve op:// references.
  # onepassword = {
  #   # service_account_token from OP_SERVICE_ACCOUNT_TOKEN
  # }
}
