# Infisical's bootstrap Secret: keys made once in the cluster, a database
# password from 1Password and a client id passed write-only. No value is
# stored in the state.
resource "homelab_bootstrap_secret" "infisical" {
  name             = "infisical-secrets"
  namespace        = "infisical"
  create_namespace = true

  generate = {
    ENCRYPTION_KEY = { length = 16, encoding = "hex" }    # like `openssl rand -hex 16`
    AUTH_SECRET    = { length = 32, encoding = "base64" } # like `openssl rand -base64 32`
  }
  references = {
    DB_PASSWORD = "op://homelab/infisical/db_password"
  }
  data_wo = {
    CLIENT_ID = ephemeral.homelab_secret.client_id.value
  }
  data_wo_version = 1 # bump to send data_wo again
}

ephemeral "homelab_secret" "client_id" {
  reference = "op://homelab/eso/client_id"
}
