import {
  to = homelab_tunnel.homelab
  id = "homelab" # or the tunnel id
}
