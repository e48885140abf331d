# A service token is imported by its id. Its secret cannot be read back: the
# next bump of secret_version rotates it and delivers the new one.
terraform import homelab_access_service_token.ha_ios 3f2c8a1e-5b7d-4c9a-8e21-6d0f4b3a9c57
