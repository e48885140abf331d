# Layer 0 of a single-node Kubernetes homelab in one `tofu apply` (or
# `terraform apply`): ArgoCD from its Helm chart, the Secrets that must exist
# before GitOps takes over, the ArgoCD root Application (app of apps), the
# Infisical Application with its database passwords, the Cloudflare Tunnel
# with its cloudflared token Secret, and a public hostname through the
# tunnel for each service that asks for one.
#
# This replaces the original's local_file + null_resource + `kubectl apply`
# workaround: homelab_service needs no Application CRD at plan time and
# waits at apply until ArgoCD's release has installed it. No secret is in a
# tfvars file, the state or the plan: random values are generated in the
# cluster, the others come from 1Password (OP_SERVICE_ACCOUNT_TOKEN).

terraform {
  required_version = ">= 1.11"
  required_providers {
    homelab = {
      source = "homelab-tf/homelab"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.0"
    }
  }
}

variable "kube_context" {
  description = "kubeconfig context of the cluster."
  type        = string
  default     = "orbstack"
}

variable "allowed_emails" {
  description = "Who may pass Cloudflare Access in front of the services."
  type        = list(string)
}

variable "git_repo" {
  description = "The GitOps repository ArgoCD syncs from."
  type        = string
  default     = "https://github.com/holdennguyen/homelab.git"
}

provider "homelab" {
  domain      = "example.com"
  host_prefix = "home"

  kubernetes = {
    config_path    = "~/.kube/config"
    config_context = var.kube_context
  }
  cloudflare = {
    # api_token and account_id from CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID;
    # the tunnel is homelab_tunnel.homelab (tunnel.tf)
  }
  access = {
    allowed_emails = var.allowed_emails
  }
  # onepassword.service_account_token from OP_SERVICE_ACCOUNT_TOKEN
}

provider "helm" {
  kubernetes = {
    config_path    = "~/.kube/config"
    config_context = var.kube_context
  }
}
