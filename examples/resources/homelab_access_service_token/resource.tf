# A service token for the Home Assistant iOS app: its client id and secret
# go straight into a Kubernetes Secret, and never into state.
resource "homelab_access_service_token" "ha_ios" {
  name           = "home-assistant-ios"
  duration       = "8760h"
  renew_before   = "720h" # refresh the expiry when it is this close
  secret_version = 1      # bump to rotate the client secret
  deliver_to = {
    kubernetes_secret = { namespace = "home-assistant", name = "cf-access", create_namespace = true }
  }
}

# The same, delivered into a 1Password item instead.
resource "homelab_access_service_token" "ci" {
  name = "ci-deploys"
  deliver_to = {
    onepassword_item = { vault = "homelab", title = "CI Access token" }
  }
}
