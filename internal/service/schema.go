// Package service is the homelab_service resource: one ArgoCD Application
// (a Helm chart or a git path), applied server-side at apply time with no
// plan-time dependency on the Application CRD, with sensitive Helm values
// kept out of state, and the service's proxy and backup needs exported for
// homelab_proxy and homelab_backup_plan.
package service

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Defaults.
const (
	DefaultArgoNamespace  = "argocd"
	DefaultProject        = "default"
	DefaultPartOf         = "homelab"
	DefaultTimeout        = "5m"
	DefaultTargetRevision = "HEAD"
	DefaultProxyScheme    = "http"
	DefaultProxyHost      = "127.0.0.1"
)

var waitForTypes = map[string]attr.Type{"healthy": types.BoolType, "synced": types.BoolType, "timeout": types.StringType}

func defaultWaitFor() types.Object {
	return types.ObjectValueMust(waitForTypes, map[string]attr.Value{
		"healthy": types.BoolValue(false), "synced": types.BoolValue(false), "timeout": types.StringValue(DefaultTimeout),
	})
}

var proxyTypes = map[string]attr.Type{
	"name": types.StringType, "port": types.Int64Type, "scheme": types.StringType, "host": types.StringType,
	"path": types.StringType, "service": types.StringType, "hostname": types.StringType,
}

var backupTypes = map[string]attr.Type{
	"paths": types.ListType{ElemType: types.StringType}, "excludes": types.ListType{ElemType: types.StringType},
}

func (r *serviceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	stringList := func(desc string, v ...validator.List) schema.ListAttribute {
		return schema.ListAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: desc, Validators: v}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An ArgoCD Application: a Helm chart (`helm`) or a path in a git repository (`git`, for example " +
			"the root app of an app-of-apps). Nothing is looked up in the cluster at plan time, so the plan works before " +
			"ArgoCD is installed; at apply the resource waits for the Application CRD (`applications.argoproj.io`) up to " +
			"`wait_for.timeout`. The Application is written with server-side apply; the fields ArgoCD's controller owns " +
			"(`status`, `operation`) are never written nor compared. `helm.sensitive_values_wo` is deep-merged over " +
			"`helm.values` at apply and never stored; nothing in state depends on its values. A sensitive value another client " +
			"changes in the cluster is taken from the provider's field manager by the API server (`metadata.managedFields`), " +
			"which the next refresh sees, so drift is detected without the provider keeping anything of the values. " +
			"The computed `proxy` and `backup` objects carry the service's needs to `homelab_proxy` and `homelab_backup_plan`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "`<argocd_namespace>/<name>`, e.g. `argocd/infisical`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true, PlanModifiers: replace, Validators: []validator.String{nameValidator()},
				MarkdownDescription: "Name of the Application (a DNS-1123 subdomain of at most 63 characters); also its `app.kubernetes.io/name` label.",
			},
			"namespace": schema.StringAttribute{
				Required: true, Validators: []validator.String{dnsLabelValidator()},
				MarkdownDescription: "Destination namespace the service's resources are deployed into.",
			},
			"argocd_namespace": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultArgoNamespace), PlanModifiers: replace,
				Validators:          []validator.String{dnsLabelValidator()},
				MarkdownDescription: "Namespace the Application object lives in: where ArgoCD runs. Default `argocd`. It must exist at apply.",
			},
			"project": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultProject),
				Validators:          []validator.String{nameValidator()},
				MarkdownDescription: "ArgoCD project (AppProject). Default `default`.",
			},
			"component": schema.StringAttribute{
				Optional: true, Validators: []validator.String{labelValueValidator()},
				MarkdownDescription: "The `app.kubernetes.io/component` label.",
			},
			"part_of": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultPartOf),
				Validators:          []validator.String{labelValueValidator()},
				MarkdownDescription: "The `app.kubernetes.io/part-of` label. Default `homelab`.",
			},
			"sync_wave": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "ArgoCD sync wave (the `argocd.argoproj.io/sync-wave` annotation), an integer; lower waves sync first.",
			},
			"helm": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "A Helm chart source. Exactly one of `helm` and `git` is required.",
				Attributes: map[string]schema.Attribute{
					"repo_url": schema.StringAttribute{
						Required: true, Validators: []validator.String{repoURLValidator()},
						MarkdownDescription: "Helm repository URL (`https://...`), or an OCI registry path without scheme.",
					},
					"chart": schema.StringAttribute{
						Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
						MarkdownDescription: "Chart name.",
					},
					"version": schema.StringAttribute{
						Required: true, Validators: []validator.String{chartVersionValidator()},
						MarkdownDescription: "Chart version: a semantic version (`1.7.2`) or a constraint (`>=1.7.0 <2.0.0`, `~1.7`, `1.7.*`).",
					},
					"values": schema.StringAttribute{
						Optional: true, Validators: []validator.String{valuesValidator(false)},
						MarkdownDescription: "Helm values as a YAML mapping, e.g. `yamlencode({ replicaCount = 1 })`. Stored in state and shown in `manifest`.",
					},
					"sensitive_values_wo": schema.StringAttribute{
						Optional: true, WriteOnly: true, Sensitive: true, Validators: []validator.String{valuesValidator(true)},
						MarkdownDescription: "Write-only Helm values (a YAML mapping) deep-merged over `values` at apply: maps merge key by key, " +
							"other values replace. Never stored in plan or state; read with the rest of the configuration at every apply and sent " +
							"at create and whenever `sensitive_values_wo_version` changes (otherwise the values already in the cluster are kept). " +
							"Needs Terraform or OpenTofu >= 1.11.",
					},
					"sensitive_values_wo_version": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "Bump to send `sensitive_values_wo` again; Terraform cannot see changes in write-only values.",
					},
					"value_files": stringList("Helm value files, applied in order before `values`: paths inside the chart (`values-prod.yaml`), "+
						"or, with `values_from_git`, paths in that repository as `$values/<path>` (e.g. `$values/k8s/apps/infisical/values.yaml`).",
						listvalidator.ValueStringsAre(valueFileValidator())),
					"values_from_git": schema.SingleNestedAttribute{
						Optional: true,
						MarkdownDescription: "A git repository (usually the GitOps repository) that `value_files` starting with `$values/` are read from. " +
							"The Application then has two sources (ArgoCD multi-source): the chart, and this repository with `ref: " + ValuesRef + "`.",
						Attributes: map[string]schema.Attribute{
							"repo_url": schema.StringAttribute{
								Required: true, Validators: []validator.String{repoURLValidator()},
								MarkdownDescription: "Repository URL (`https://...`, `ssh://...`, `git@host:path` or `file://...`).",
							},
							"target_revision": schema.StringAttribute{
								Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultTargetRevision),
								Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
								MarkdownDescription: "Branch, tag or commit. Default `HEAD`.",
							},
						},
					},
				},
			},
			"git": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "A path in a git repository (plain manifests, Kustomize, or a Helm chart in git). Exactly one of `helm` and `git` is required.",
				Attributes: map[string]schema.Attribute{
					"repo_url": schema.StringAttribute{
						Required: true, Validators: []validator.String{repoURLValidator()},
						MarkdownDescription: "Repository URL (`https://...`, `ssh://...`, `git@host:path` or `file://...`).",
					},
					"path": schema.StringAttribute{
						Required: true, Validators: []validator.String{repoPathValidator()},
						MarkdownDescription: "Path inside the repository, e.g. `k8s/apps/argocd` (`.` for the root).",
					},
					"target_revision": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultTargetRevision),
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
						MarkdownDescription: "Branch, tag or commit. Default `HEAD`.",
					},
					"recurse": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "Read plain manifests from the subfolders of `path` too (ArgoCD's `directory.recurse`). Default `false`.",
					},
				},
			},
			"sync_policy": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Sync policy. Without it ArgoCD syncs only on request.",
				Attributes: map[string]schema.Attribute{
					"automated": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(true),
						MarkdownDescription: "Sync automatically when git or the chart changes. Default `true`.",
					},
					"prune":     schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false), MarkdownDescription: "Delete resources that are no longer in the source. Default `false`."},
					"self_heal": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false), MarkdownDescription: "Revert changes made in the cluster. Default `false`."},
					"sync_options": stringList("ArgoCD sync options, each `Key=Value`, e.g. `CreateNamespace=true`, `ServerSideApply=true`.",
						listvalidator.ValueStringsAre(syncOptionValidator())),
					"retry": schema.SingleNestedAttribute{
						Optional:            true,
						MarkdownDescription: "How ArgoCD retries a failed sync. Without it a failed sync is not retried.",
						Attributes: map[string]schema.Attribute{
							"limit": schema.Int64Attribute{
								Required: true, Validators: []validator.Int64{int64validator.AtLeast(-1)},
								MarkdownDescription: "Number of retries; `-1` retries forever.",
							},
							"backoff": schema.SingleNestedAttribute{
								Optional:            true,
								MarkdownDescription: "Wait between retries: `duration`, multiplied by `factor` after each retry, up to `max_duration`. ArgoCD's defaults (5s, 2, 3m) where unset.",
								Attributes: map[string]schema.Attribute{
									"duration": schema.StringAttribute{
										Optional: true, Validators: []validator.String{retryDurationValidator()},
										MarkdownDescription: "First wait, a Go duration such as `5s`.",
									},
									"factor": schema.Int64Attribute{
										Optional: true, Validators: []validator.Int64{int64validator.AtLeast(1)},
										MarkdownDescription: "What each wait is multiplied by for the next one, e.g. `2`.",
									},
									"max_duration": schema.StringAttribute{
										Optional: true, Validators: []validator.String{retryDurationValidator()},
										MarkdownDescription: "Longest wait, a Go duration such as `3m`.",
									},
								},
							},
						},
					},
				},
			},
			"ignore_differences": schema.ListNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Differences ArgoCD ignores when it compares the live resources with the source.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"group": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(""),
						MarkdownDescription: "API group; `\"\"` (the default) for the core group.",
					},
					"kind":      schema.StringAttribute{Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}, MarkdownDescription: "Resource kind, e.g. `Secret`."},
					"name":      schema.StringAttribute{Optional: true, MarkdownDescription: "Only the resource with this name."},
					"namespace": schema.StringAttribute{Optional: true, MarkdownDescription: "Only resources in this namespace."},
					"json_pointers": stringList("JSON pointers (RFC 6901) of the ignored fields, e.g. `/data`.",
						listvalidator.ValueStringsAre(jsonPointerValidator())),
					"jq_path_expressions": stringList("jq path expressions of the ignored fields.",
						listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))),
				}},
			},
			"cascade_delete": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Add ArgoCD's `resources-finalizer.argocd.argoproj.io`, so that deleting the service deletes its resources " +
					"too; destroy then waits (up to `wait_for.timeout`) until ArgoCD has done so. Default `false`.",
			},
			"wait_for": schema.SingleNestedAttribute{
				Optional: true, Computed: true, Default: objectdefault.StaticValue(defaultWaitFor()),
				MarkdownDescription: "What apply waits for. `timeout` bounds every wait of this resource: for the Application CRD at create and " +
					"update, for ArgoCD's sync and health status when `synced` or `healthy` is true, and for ArgoCD's finalizer at destroy. " +
					"ArgoCD's status counts only once its controller has compared the Application as applied (its `status.sync.comparedTo` " +
					"matches the spec), so a status left from before the apply never ends the wait.",
				Attributes: map[string]schema.Attribute{
					"healthy": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "Wait until ArgoCD reports the Application `Healthy`. Default `false`.",
					},
					"synced": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "Wait until ArgoCD reports the Application `Synced` and its last sync operation (if any) finished. Default `false`.",
					},
					"timeout": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultTimeout),
						Validators:          []validator.String{durationValidator()},
						MarkdownDescription: "A Go duration such as `90s` or `5m`. Default `5m`.",
					},
				},
			},
			"proxy": schema.SingleNestedAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "How the service is published, for `homelab_proxy`: set `port` (and optionally the rest); read the completed " +
					"object back as `homelab_service.<name>.proxy`, e.g. `service = homelab_service.x.proxy.service`. Null when not set.",
				Attributes: map[string]schema.Attribute{
					"port": schema.Int64Attribute{
						Required: true, Validators: []validator.Int64{int64validator.Between(1, 65535)},
						MarkdownDescription: "Local port of the service's origin.",
					},
					"name": schema.StringAttribute{
						Optional: true, Computed: true, Validators: []validator.String{dnsLabelValidator()},
						MarkdownDescription: "Public name (the `name` of `homelab_proxy`). Default: the service's `name`.",
					},
					"scheme": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultProxyScheme),
						Validators:          []validator.String{stringvalidator.OneOf("http", "https", "tcp", "ssh", "rdp")},
						MarkdownDescription: "Origin scheme. Default `http`.",
					},
					"host": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultProxyHost),
						Validators:          []validator.String{hostValidator()},
						MarkdownDescription: "Origin host. Default `127.0.0.1`.",
					},
					"path": schema.StringAttribute{
						Optional: true, MarkdownDescription: "Optional path regex of the ingress rule (the `path` of `homelab_proxy`).",
					},
					"service": schema.StringAttribute{
						Computed: true, MarkdownDescription: "Origin URL `<scheme>://<host>:<port>` (the `service` of `homelab_proxy`).",
					},
					"hostname": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Public hostname derived from the provider's `domain` and `host_prefix` as `homelab_proxy` does; null without `domain`.",
					},
				},
			},
			"backup": schema.SingleNestedAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "What to back up, for `homelab_backup_plan`: read back as `homelab_service.<name>.backup.paths`. Null when not set.",
				Attributes: map[string]schema.Attribute{
					"paths": schema.ListAttribute{
						Required: true, ElementType: types.StringType,
						Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(absPathValidator())},
						MarkdownDescription: "Absolute paths to back up.",
					},
					"excludes": schema.ListAttribute{
						Optional: true, Computed: true, ElementType: types.StringType,
						Default:             listdefault.StaticValue(types.ListValueMust(types.StringType, nil)),
						Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
						MarkdownDescription: "restic exclude patterns. Default none.",
					},
				},
			},
			"uid": schema.StringAttribute{
				Computed: true, MarkdownDescription: "UID of the Application object.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"sync_status": schema.StringAttribute{
				Computed: true, MarkdownDescription: "ArgoCD's sync status (`Synced`, `OutOfSync`, ...) at the last refresh; null until ArgoCD reports one.",
			},
			"health_status": schema.StringAttribute{
				Computed: true, MarkdownDescription: "ArgoCD's health status (`Healthy`, `Progressing`, `Degraded`, ...) at the last refresh; null until ArgoCD reports one.",
			},
			"manifest": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The Application as applied, in YAML, with every value of `sensitive_values_wo` shown as `" + Redacted + "`. " +
					"A change made in the cluster to a field this resource sets shows up here in the next plan; a sensitive value " +
					"another client changed reads `" + RedactedChanged + "`, and the next apply sends the configured one again.",
			},
		},
	}
}
