# A proxy is imported by its hostname. Whatever exists of its DNS record,
# ingress rule and Access application is adopted.
terraform import homelab_proxy.jellyfin jellyfin-home.example.com

# Or by the DNS record, as the official Cloudflare provider names records:
# <zone_id>/<dns_record_id>
terraform import homelab_proxy.jellyfin 023e105f4ecef8ad9ca31a8372d0c353/372e67954025e0ba6aaa6d586b9e0b59
