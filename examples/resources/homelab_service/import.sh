# A service is imported by "<argocd_namespace>/<name>". Helm values are not
# imported (the cluster cannot tell the sensitive ones apart); the first
# apply after the import writes them.
terraform import homelab_service.infisical argocd/infisical
