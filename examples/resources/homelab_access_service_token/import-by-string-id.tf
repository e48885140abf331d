import {
  to = homelab_access_service_token.ha_ios
  id = "3f2c8a1e-5b7d-4c9a-8e21-6d0f4b3a9c57"
}
