# One public hostname per service that asks for one, from the services'
# `proxy` objects: known at plan time, so the set of proxies is too.
locals {
  services = {
    argocd    = homelab_service.root
    infisical = homelab_service.infisical
  }
  proxied = { for key, svc in local.services : key => svc.proxy if svc.proxy != null }
}

resource "homelab_proxy" "service" {
  for_each = local.proxied

  name      = each.value.name    # argocd-home.example.com, infisical-home.example.com
  service   = each.value.service # http://127.0.0.1:<NodePort>
  tunnel_id = homelab_tunnel.homelab.id
}

output "urls" {
  description = "Public URL of each service."
  value       = { for key, p in homelab_proxy.service : key => "https://${p.hostname}" }
}

output "backup_paths" {
  description = "What homelab_backup_plan should back up, gathered from the services."
  value       = flatten([for svc in values(local.services) : svc.backup.paths if svc.backup != null])
}
