package bootstrapsecret

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/apply"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
	"github.com/homelab-tf/terraform-provider-homelab/internal/privatestate"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

var (
	_ resource.ResourceWithConfigure      = (*bootstrapSecretResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*bootstrapSecretResource)(nil)
	_ resource.ResourceWithValidateConfig = (*bootstrapSecretResource)(nil)
	_ resource.ResourceWithImportState    = (*bootstrapSecretResource)(nil)
)

type bootstrapSecretResource struct {
	providerdata.Base
}

// NewResource is the homelab_bootstrap_secret factory.
func NewResource() resource.Resource { return &bootstrapSecretResource{} }

func (r *bootstrapSecretResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bootstrap_secret"
}

// private state: the keys managed at the last apply (names, never
// values), so that Read and Delete know them when the configuration has
// changed.
type privateData struct {
	Managed []string `json:"managed"`
}

const privateKey = "secret"

func readPrivate(ctx context.Context, p privatestate.Getter) privateData {
	var out privateData
	privatestate.Read(ctx, p, privateKey, &out)
	return out
}

func writePrivate(ctx context.Context, p privatestate.Setter, d privateData) diag.Diagnostics {
	return privatestate.Write(ctx, p, privateKey, d)
}

func (r *bootstrapSecretResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Create(req, resp))...)
}

func (r *bootstrapSecretResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state bootstrapSecretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	kc, diags := r.Data.KubeClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	ns, name := state.Namespace.ValueString(), state.Name.ValueString()
	live, err := kc.GetSecret(ctx, ns, name)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Reading", "Bootstrap Secret", ns+"/"+name, err))
		return
	}
	if live == nil {
		resp.Diagnostics.Append(diagnostics.RemovedFromState("Bootstrap Secret", ns+"/"+name,
			"The Secret was deleted outside Terraform. The next apply creates it again, with new generated values."))
		resp.State.RemoveResource(ctx)
		return
	}
	priv := readPrivate(ctx, req.Private)
	managed := priv.Managed
	importing := state.Keys.IsNull()
	if importing || len(managed) == 0 {
		var list []string
		if !state.Keys.IsNull() {
			resp.Diagnostics.Append(state.Keys.ElementsAs(ctx, &list, false)...)
		}
		managed = list
		if importing {
			managed = slices.Sorted(maps.Keys(live.Data))
		}
	}
	priv.Managed = managed
	state.Keys = keysList(syncedKeys(live.Data, managed, kube.OwnedFields(live)))
	state.Type = types.StringValue(string(live.Type))
	state.ID = types.StringValue(ns + "/" + name)
	if state.CreateNamespace.IsNull() {
		state.CreateNamespace = types.BoolValue(false)
	}
	state.Labels = reflectMap(state.Labels, live.Labels)
	state.Annotations = reflectMap(state.Annotations, live.Annotations)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(writePrivate(ctx, resp.Private, priv)...)
}

// reflectMap shows the live values of the labels or annotations the state
// holds; ones added by others are not this resource's business.
func reflectMap(prior types.Map, live map[string]string) types.Map {
	if prior.IsNull() || prior.IsUnknown() {
		return prior
	}
	out := map[string]string{}
	for k := range prior.Elements() {
		if v, ok := live[k]; ok {
			out[k] = v
		}
	}
	m, _ := types.MapValueFrom(context.Background(), types.StringType, out)
	return m
}

func (r *bootstrapSecretResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Update(req, resp))...)
}

func (r *bootstrapSecretResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state bootstrapSecretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	kc, diags := r.Data.KubeClient()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	managed := readPrivate(ctx, req.Private).Managed
	if len(managed) == 0 {
		resp.Diagnostics.Append(state.Keys.ElementsAs(ctx, &managed, false)...)
	}
	ours := map[string]bool{}
	for _, k := range managed {
		ours[k] = true
	}
	ns, name := state.Namespace.ValueString(), state.Name.ValueString()
	if err := kc.ReleaseSecret(ctx, ns, name, ours); err != nil {
		resp.Diagnostics.Append(diagnostics.APIFailure("Deleting", "Bootstrap Secret", ns+"/"+name, err))
	}
}

// ImportState takes "<namespace>/<name>".
func (r *bootstrapSecretResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ns, name, ok := strings.Cut(req.ID, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("%q is not <namespace>/<name>, e.g. infisical/infisical-secrets.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("namespace"), ns)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// apply resolves every source and applies the Secret. Values live only in
// this function's memory.
func (r *bootstrapSecretResource) apply(ctx context.Context, req apply.Request) (diags diag.Diagnostics) {
	var cfg, plan bootstrapSecretModel
	if diags = req.Get(ctx, &cfg, &plan); diags.HasError() {
		return
	}
	ns, name := plan.Namespace.ValueString(), plan.Name.ValueString()
	object := ns + "/" + name
	fail := func(err error) { diags.Append(diagnostics.APIFailure(req.Action, "Bootstrap Secret", object, err)) }
	kc, d := r.Data.KubeClient()
	if diags.Append(d...); diags.HasError() {
		return
	}
	if plan.CreateNamespace.ValueBool() {
		if err := kc.EnsureNamespace(ctx, ns); err != nil {
			fail(err)
			return
		}
	}
	existing, err := kc.GetSecret(ctx, ns, name)
	if err != nil {
		fail(err)
		return
	}
	var live map[string][]byte
	if existing != nil {
		live = existing.Data
	}
	data, err := r.values(ctx, cfg, live)
	if err != nil {
		fail(err)
		return
	}
	written, err := kc.ApplySecret(ctx, kube.SecretSpec{
		Namespace: ns, Name: name, Type: plan.Type.ValueString(),
		Labels: tfvalue.StringMap(plan.Labels), Annotations: tfvalue.StringMap(plan.Annotations), Data: data,
	})
	if err != nil {
		fail(err)
		return
	}
	managed := slices.Sorted(maps.Keys(data))
	plan.ID = types.StringValue(object)
	plan.Keys = keysList(syncedKeys(written.Data, managed, kube.OwnedFields(written)))
	plan.DataWO = types.MapNull(types.StringType) // write-only: never stored
	diags.Append(req.State.Set(ctx, &plan)...)
	diags.Append(writePrivate(ctx, req.Private, privateData{Managed: managed})...)
	return
}

// values gathers the Secret's data: write-only values from the
// configuration, references resolved now, and generated values kept from
// the cluster or made for keys it lacks.
func (r *bootstrapSecretResource) values(ctx context.Context, cfg bootstrapSecretModel, live map[string][]byte) (map[string][]byte, error) {
	data := map[string][]byte{}
	for k, v := range tfvalue.StringMap(cfg.DataWO) {
		data[k] = []byte(v)
	}
	if refs := tfvalue.StringMap(cfg.References); len(refs) > 0 {
		client, diags := r.Data.SecretsClient()
		if err := diagnostics.Err(diags); err != nil {
			return nil, err
		}
		resolved, err := client.ResolveAll(ctx, refs)
		if err != nil {
			return nil, err
		}
		for k, v := range resolved {
			data[k] = []byte(v)
		}
	}
	keys := slices.Sorted(maps.Keys(cfg.Generate))
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := live[k]; ok && len(v) > 0 {
			data[k] = v
			continue
		}
		g := cfg.Generate[k]
		encoding := g.Encoding.ValueString()
		if encoding == "" {
			encoding = EncodingHex
		}
		v, err := generateValue(int(g.Length.ValueInt64()), encoding)
		if err != nil {
			return nil, fmt.Errorf("generating %s: %w", k, err)
		}
		data[k] = []byte(v)
	}
	return data, nil
}
