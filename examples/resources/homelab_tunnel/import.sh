# A tunnel is imported by its id or by the name of a live tunnel; nothing is replaced.
terraform import homelab_tunnel.homelab f70ff985-a4ef-4643-bbbc-4a0ed4fc8415
terraform import homelab_tunnel.homelab homelab
