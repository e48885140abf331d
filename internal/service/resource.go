package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/homelab-tf/terraform-provider-homelab/internal/apply"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
	"github.com/homelab-tf/terraform-provider-homelab/internal/privatestate"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

var (
	_ resource.ResourceWithConfigure      = (*serviceResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serviceResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serviceResource)(nil)
	_ resource.ResourceWithImportState    = (*serviceResource)(nil)
)

// HealthPollInterval is how often apply asks for the Application's status
// (wait_for.healthy, wait_for.synced) and, at destroy, whether it is gone.
var HealthPollInterval = time.Second

type serviceResource struct {
	providerdata.Base
}

// NewResource is the homelab_service factory.
func NewResource() resource.Resource { return &serviceResource{} }

func (r *serviceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service"
}

// privateData is kept in private state: whether the last apply sent
// sensitive values, their paths (key names, never values), and whether
// the last refresh found one of them changed in the cluster. Nothing in it
// depends on a value.
type privateData struct {
	Sensitive      bool       `json:"sensitive,omitempty"`
	SensitivePaths [][]string `json:"sensitive_paths,omitempty"`
	Drifted        bool       `json:"drifted,omitempty"`
}

const privateKey = "service"

func readPrivate(ctx context.Context, p privatestate.Getter) privateData {
	var out privateData
	privatestate.Read(ctx, p, privateKey, &out)
	return out
}

func (r *serviceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Create(req, resp))...)
}

func (r *serviceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serviceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	kc, diags := r.Data.KubeClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ns, name := state.ArgoNamespace.ValueString(), state.Name.ValueString()
	object := ns + "/" + name
	live, err := kc.GetApplication(ctx, ns, name)
	var missingCRD *kube.CRDMissingError
	switch {
	case errors.As(err, &missingCRD):
		resp.Diagnostics.Append(diagnostics.RemovedFromState("Service", object,
			fmt.Sprintf("The cluster no longer serves ArgoCD Applications (%s), so the Application is gone. The next apply creates it again once ArgoCD is installed.", kube.ApplicationCRD)))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.Append(diagnostics.APIFailure("Reading", "Service", object, err))
		return
	case live == nil:
		resp.Diagnostics.Append(diagnostics.RemovedFromState("Service", object,
			"The Application was deleted outside Terraform. The next apply creates it again."))
		resp.State.RemoveResource(ctx)
		return
	}
	if state.Manifest.IsNull() {
		fromLive(ctx, &state, live.Object)
	}
	priv := readPrivate(ctx, req.Private)
	s, err := state.spec(ctx)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.Failure("Reading", "Service", object, err.Error()))
		return
	}
	_, desired := manifestFor(s, priv.SensitivePaths)
	view := liveView(live.Object, desired)
	changed := changedSensitive(live.Object, kube.OwnedFields(live), priv.SensitivePaths)
	state.Manifest = types.StringValue(manifestYAML(redactObject(view, priv.SensitivePaths, changed)))
	priv.Drifted = len(changed) > 0
	state.ID = types.StringValue(object)
	observe(&state, live)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(privatestate.Write(ctx, resp.Private, privateKey, priv)...)
}

func (r *serviceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Update(req, resp))...)
}

func (r *serviceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state serviceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	kc, diags := r.Data.KubeClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ns, name := state.ArgoNamespace.ValueString(), state.Name.ValueString()
	object := ns + "/" + name
	live, err := kc.GetApplication(ctx, ns, name)
	var missingCRD *kube.CRDMissingError
	if errors.As(err, &missingCRD) || (err == nil && live == nil) {
		return
	}
	if err == nil {
		err = kc.DeleteApplication(ctx, ns, name)
	}
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Deleting", "Service", object, err))
		return
	}
	if !hasFinalizer(live) {
		return
	}
	// ArgoCD's controller deletes the service's resources, then removes
	// its finalizer; destroying ArgoCD before that would leave both behind.
	timeout := state.waitSettings(ctx).Timeout
	_, err = kc.WaitForApplication(ctx, ns, name, HealthPollInterval, timeout, func(o *unstructured.Unstructured) bool { return o == nil })
	if errors.As(err, &missingCRD) {
		return
	}
	if err != nil {
		resp.Diagnostics.Append(diagnostics.Failure("Deleting", "Service", object, fmt.Sprintf(
			"The Application still exists after %s (wait_for.timeout): it carries %s, and ArgoCD's controller removes it only after deleting "+
				"the service's resources. Check that ArgoCD is running and can delete them (argocd app get %s), destroy services before ArgoCD "+
				"(they depend on its Helm release), or raise wait_for.timeout. Set cascade_delete = false to delete only the Application.",
			timeout, ResourcesFinalizer, object)))
	}
}

// ImportState takes "<argocd_namespace>/<name>".
func (r *serviceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ns, name, ok := splitID(req.ID)
	if !ok {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("%q is not <argocd_namespace>/<name>, e.g. argocd/infisical.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("argocd_namespace"), ns)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// apply applies the Application for Create and Update, then waits for it
// when wait_for asks. Sensitive values live only in this function's memory
// and the request to the cluster.
func (r *serviceResource) apply(ctx context.Context, req apply.Request) (diags diag.Diagnostics) {
	var cfg, plan, prior serviceModel
	diags = req.Get(ctx, &cfg, &plan)
	updating, d := req.GetPrior(ctx, &prior)
	if diags.Append(d...); diags.HasError() {
		return
	}
	var state *serviceModel
	priv := privateData{}
	if updating {
		state, priv = &prior, readPrivate(ctx, req.PriorPrivate)
	}
	ns, name := plan.ArgoNamespace.ValueString(), plan.Name.ValueString()
	object := ns + "/" + name
	summary := diagnostics.Summary(req.Action, "Service", object)
	s, err := plan.spec(ctx)
	if err != nil {
		diags.AddError(summary, err.Error())
		return
	}
	kc, d := r.Data.KubeClient()
	if diags.Append(d...); diags.HasError() {
		return
	}
	wait := plan.waitSettings(ctx)
	timeout := wait.Timeout
	if !r.awaitCRD(ctx, kc, ns, timeout, summary, &diags) {
		return
	}

	var sensitive map[string]any
	if sensitiveConfigured(&cfg) {
		kept := false
		if !resend(state, &cfg, priv) {
			// Values another client changed since the refresh are not kept either.
			if live, err := kc.GetApplication(ctx, ns, name); err == nil && live != nil &&
				len(changedSensitive(live.Object, kube.OwnedFields(live), priv.SensitivePaths)) == 0 {
				object, _ := canonical(live.Object).(map[string]any)
				sensitive, kept = extract(helmValues(object), priv.SensitivePaths)
			}
		}
		if !kept {
			if sensitive, err = parseValues(cfg.Helm.SensitiveValuesWO.ValueString(), true); err != nil {
				diags.AddAttributeError(path.Root("helm").AtName("sensitive_values_wo"), summary, "helm.sensitive_values_wo: "+err.Error()+".")
				return
			}
		}
	}
	var values map[string]any
	if s.Helm != nil {
		values = deepMerge(s.Helm.Values, sensitive)
	}
	applied, err := kc.ApplyApplication(ctx, &unstructured.Unstructured{Object: s.object(values)})
	if err != nil {
		r.applyFailure(err, s, timeout, summary, &diags)
		return
	}
	paths := leafPaths(sensitive)
	manifest, _ := manifestFor(s, paths)
	plan.Manifest = types.StringValue(manifest)
	next := privateData{}
	if sensitiveConfigured(&cfg) {
		next = privateData{Sensitive: true, SensitivePaths: paths}
	}
	if plan.Helm != nil {
		plan.Helm.SensitiveValuesWO = types.StringNull() // write-only: never stored
	}
	plan.ID = types.StringValue(object)
	observe(&plan, applied)
	diags.Append(req.State.Set(ctx, &plan)...)
	diags.Append(privatestate.Write(ctx, req.Private, privateKey, next)...)
	if diags.HasError() || (!wait.Healthy && !wait.Synced) {
		return
	}
	diags.Append(r.waitArgoCD(ctx, kc, &plan, wait, req.State)...)
	return
}

// waitArgoCD waits until ArgoCD's controller has compared the applied
// Application and reports what wait asks for, saving the status it last
// saw to out.
func (r *serviceResource) waitArgoCD(ctx context.Context, kc *kube.Client, plan *serviceModel, wait waitFor, out *tfsdk.State) (diags diag.Diagnostics) {
	ns, name := plan.ArgoNamespace.ValueString(), plan.Name.ValueString()
	object := ns + "/" + name
	last, err := r.awaitArgoCD(ctx, kc, ns, name, wait)
	if last != nil {
		observe(plan, last)
		diags.Append(out.Set(ctx, plan)...)
	}
	if err != nil {
		diags.Append(waitDiagnostic(object, wait, last))
	}
	return diags
}

// awaitArgoCD waits until ArgoCD's controller has compared the Application
// as applied and reports what wait asks for.
func (r *serviceResource) awaitArgoCD(ctx context.Context, kc *kube.Client, ns, name string, wait waitFor) (*unstructured.Unstructured, error) {
	tflog.Info(ctx, "waiting for ArgoCD's status of the Application", map[string]any{
		"application": ns + "/" + name, "healthy": wait.Healthy, "synced": wait.Synced, "timeout": wait.Timeout.String(),
	})
	return kc.WaitForApplication(ctx, ns, name, HealthPollInterval, wait.Timeout, func(o *unstructured.Unstructured) bool {
		return o != nil && wait.reached(o.Object)
	})
}

// awaitCRD makes sure the cluster serves Applications, waiting for the
// CRD up to timeout: ArgoCD's Helm release may be installing it in this
// same apply.
func (r *serviceResource) awaitCRD(ctx context.Context, kc *kube.Client, ns string, timeout time.Duration, summary string, diags *diag.Diagnostics) bool {
	served, err := kc.ApplicationsServed(ctx, ns)
	if err == nil && !served {
		tflog.Info(ctx, "waiting for the Application CRD", map[string]any{"crd": kube.ApplicationCRD, "timeout": timeout.String()})
		err = kc.WaitForApplicationCRD(ctx, ns, timeout)
	}
	if err != nil {
		diags.Append(crdDiagnostic(err, timeout, summary))
		return false
	}
	return true
}

func crdDiagnostic(err error, timeout time.Duration, summary string) diag.Diagnostic {
	var missing *kube.CRDMissingError
	if !errors.As(err, &missing) {
		return diag.NewErrorDiagnostic(summary, err.Error())
	}
	return diag.NewErrorDiagnostic(summary+": ArgoCD Application CRD Not Installed", fmt.Sprintf(
		"The cluster does not serve %s: ArgoCD, or at least its CRDs, is not installed. Waited %s (wait_for.timeout) for it to appear. "+
			"Install ArgoCD first: its Helm release (the argo-cd chart) installs the CRD; in the same configuration add "+
			"depends_on = [helm_release.argocd] to this resource so that Terraform installs ArgoCD before it, or raise wait_for.timeout "+
			"if ArgoCD takes longer to install. Without Helm, apply ArgoCD's manifests/crds first.", kube.ApplicationCRD, timeout))
}

func (r *serviceResource) applyFailure(err error, s appSpec, timeout time.Duration, summary string, diags *diag.Diagnostics) {
	var missingNS *kube.MissingNamespaceError
	var missingCRD *kube.CRDMissingError
	switch {
	case errors.As(err, &missingNS):
		diags.AddAttributeError(path.Root("argocd_namespace"), summary, fmt.Sprintf(
			"The namespace %q (argocd_namespace) does not exist in the cluster. Applications live in the namespace ArgoCD runs in: "+
				"set argocd_namespace to it, or install ArgoCD into %q first (its Helm release with create_namespace = true) and make "+
				"this resource depend on it.", s.ArgoNamespace, s.ArgoNamespace))
	case errors.As(err, &missingCRD):
		diags.Append(crdDiagnostic(err, timeout, summary))
	default:
		diags.AddError(summary, err.Error())
	}
}

// observe copies what the cluster says about the Application into m.
func observe(m *serviceModel, live *unstructured.Unstructured) {
	if live == nil {
		return
	}
	m.UID = types.StringValue(string(live.GetUID()))
	m.SyncStatus = tfvalue.StringOrNull(nestedString(live.Object, "status", "sync", "status"))
	m.HealthStatus = tfvalue.StringOrNull(nestedString(live.Object, "status", "health", "status"))
}

func hasFinalizer(live *unstructured.Unstructured) bool {
	for _, f := range live.GetFinalizers() {
		if f == ResourcesFinalizer {
			return true
		}
	}
	return false
}

func nestedString(obj map[string]any, fields ...string) string {
	v, _, _ := unstructured.NestedString(obj, fields...)
	return v
}

// fromLive fills an imported state from the Application in the cluster.
// Helm values are not imported: the cluster cannot tell the sensitive
// ones apart, and none may reach state; the first apply writes them.
func fromLive(ctx context.Context, m *serviceModel, obj map[string]any) {
	str := func(fields ...string) types.String { return tfvalue.StringOrNull(nestedString(obj, fields...)) }
	m.Namespace = str("spec", "destination", "namespace")
	m.Project = str("spec", "project")
	m.Component = str("metadata", "labels", LabelComponent)
	m.PartOf = str("metadata", "labels", LabelPartOf)
	m.SyncWave = types.Int64Null()
	if w, err := strconv.ParseInt(nestedString(obj, "metadata", "annotations", SyncWaveAnnotation), 10, 64); err == nil {
		m.SyncWave = types.Int64Value(w)
	}
	m.Helm, m.Git = importSource(ctx, obj)
	m.SyncPolicy = importSyncPolicy(ctx, obj)
	m.IgnoreDifferences = nil
	if list, ok, _ := unstructured.NestedSlice(obj, "spec", "ignoreDifferences"); ok {
		for _, item := range list {
			im, _ := item.(map[string]any)
			ig := ignoreDiffModel{
				Group: types.StringValue(nestedString(im, "group")), Kind: tfvalue.StringOrNull(nestedString(im, "kind")),
				Name: tfvalue.StringOrNull(nestedString(im, "name")), Namespace: tfvalue.StringOrNull(nestedString(im, "namespace")),
				JSONPointers: types.ListNull(types.StringType), JQPathExpressions: types.ListNull(types.StringType),
			}
			if v, ok, _ := unstructured.NestedStringSlice(im, "jsonPointers"); ok {
				ig.JSONPointers, _ = types.ListValueFrom(ctx, types.StringType, v)
			}
			if v, ok, _ := unstructured.NestedStringSlice(im, "jqPathExpressions"); ok {
				ig.JQPathExpressions, _ = types.ListValueFrom(ctx, types.StringType, v)
			}
			m.IgnoreDifferences = append(m.IgnoreDifferences, ig)
		}
	}
	m.CascadeDelete = types.BoolValue(hasFinalizer(&unstructured.Unstructured{Object: obj}))
	m.WaitFor = defaultWaitFor()
	m.Proxy = types.ObjectNull(proxyTypes)
	m.Backup = types.ObjectNull(backupTypes)
}

// importSource reads the helm or git source of an imported Application.
func importSource(ctx context.Context, obj map[string]any) (*helmModel, *gitModel) {
	str := func(m map[string]any, fields ...string) types.String {
		return tfvalue.StringOrNull(nestedString(m, fields...))
	}
	if src := helmSource(obj); src != nil && nestedString(src, "chart") != "" {
		h := &helmModel{
			RepoURL: str(src, "repoURL"), Chart: str(src, "chart"), Version: str(src, "targetRevision"),
			Values: types.StringNull(), SensitiveValuesWO: types.StringNull(), SensitiveValuesWOVersion: types.Int64Null(),
			ValueFiles: types.ListNull(types.StringType),
		}
		if files, ok, _ := unstructured.NestedStringSlice(src, "helm", "valueFiles"); ok && len(files) > 0 {
			h.ValueFiles, _ = types.ListValueFrom(ctx, types.StringType, files)
		}
		sources, _, _ := unstructured.NestedSlice(obj, "spec", "sources")
		for _, item := range sources {
			if ref, _ := item.(map[string]any); nestedString(ref, "ref") == ValuesRef {
				h.ValuesFromGit = &gitRefModel{RepoURL: str(ref, "repoURL"), TargetRevision: types.StringValue(cmp.Or(nestedString(ref, "targetRevision"), DefaultTargetRevision))}
			}
		}
		return h, nil
	}
	src, _, _ := unstructured.NestedMap(obj, "spec", "source")
	recurse, _, _ := unstructured.NestedBool(src, "directory", "recurse")
	return nil, &gitModel{
		RepoURL: str(src, "repoURL"), Path: str(src, "path"),
		TargetRevision: types.StringValue(cmp.Or(nestedString(src, "targetRevision"), DefaultTargetRevision)),
		Recurse:        types.BoolValue(recurse),
	}
}

// importSyncPolicy reads the syncPolicy of an imported Application.
func importSyncPolicy(ctx context.Context, obj map[string]any) *syncPolicyModel {
	policy, ok, _ := unstructured.NestedMap(obj, "spec", "syncPolicy")
	if !ok {
		return nil
	}
	automated, isAuto, _ := unstructured.NestedMap(policy, "automated")
	p := &syncPolicyModel{Automated: types.BoolValue(isAuto), Prune: types.BoolValue(false), SelfHeal: types.BoolValue(false), SyncOptions: types.ListNull(types.StringType)}
	if isAuto {
		prune, _, _ := unstructured.NestedBool(automated, "prune")
		heal, _, _ := unstructured.NestedBool(automated, "selfHeal")
		p.Prune, p.SelfHeal = types.BoolValue(prune), types.BoolValue(heal)
	}
	if opts, ok, _ := unstructured.NestedStringSlice(policy, "syncOptions"); ok && len(opts) > 0 {
		p.SyncOptions, _ = types.ListValueFrom(ctx, types.StringType, opts)
	}
	if retry, ok, _ := unstructured.NestedMap(policy, "retry"); ok {
		limit, _, _ := unstructured.NestedInt64(retry, "limit")
		p.Retry = &retryModel{Limit: types.Int64Value(limit)}
		if backoff, ok, _ := unstructured.NestedMap(retry, "backoff"); ok {
			b := &backoffModel{
				Duration: tfvalue.StringOrNull(nestedString(backoff, "duration")), MaxDuration: tfvalue.StringOrNull(nestedString(backoff, "maxDuration")),
				Factor: types.Int64Null(),
			}
			if f, ok, _ := unstructured.NestedInt64(backoff, "factor"); ok {
				b.Factor = types.Int64Value(f)
			}
			p.Retry.Backoff = b
		}
	}
	return p
}
