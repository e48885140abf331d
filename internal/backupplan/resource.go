package backupplan

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/homelab-tf/terraform-provider-homelab/internal/apply"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/privatestate"
	"github.com/homelab-tf/terraform-provider-homelab/internal/providerdata"
	"github.com/homelab-tf/terraform-provider-homelab/internal/restic"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
	"github.com/homelab-tf/terraform-provider-homelab/internal/tfvalue"
)

var (
	_ resource.ResourceWithConfigure      = (*backupPlanResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*backupPlanResource)(nil)
	_ resource.ResourceWithValidateConfig = (*backupPlanResource)(nil)
	_ resource.ResourceWithImportState    = (*backupPlanResource)(nil)
)

type backupPlanResource struct {
	providerdata.Base
}

// NewResource is the homelab_backup_plan factory.
func NewResource() resource.Resource { return &backupPlanResource{} }

func (r *backupPlanResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup_plan"
}

// Private state: whether the last refresh found a repository that exists
// but did not open with the password from password_reference. It holds
// no secret, and no hash of one.
type privateData struct {
	Unopened bool `json:"unopened,omitempty"`
}

const privateKey = "backup_plan"

func (r *backupPlanResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Create(req, resp))...)
}

// Read checks that the repository still exists, and opens it when the
// password is known here (password_reference). With password_wo the
// password is not available outside apply, so existence is checked
// without it: restic answers "wrong password" (exit 12) for a repository
// that exists and "does not exist" (exit 10) otherwise. A missing
// repository becomes a null repository_id, which ModifyPlan turns into an
// update. When restic cannot tell (for example backend credentials that
// only environment_wo holds), the state is kept and a warning says so.
func (r *backupPlanResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state backupPlanModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.withDefaults()
	name := state.Name.ValueString()
	if name == "" {
		name = state.Repository.ValueString()
	}
	runner, resolveErr := r.readRunner(ctx, state)
	var priv privateData
	notChecked := func(err error) {
		resp.Diagnostics.AddWarning(fmt.Sprintf("Backup Plan %s: Repository Not Checked", name),
			fmt.Sprintf("Refresh could not check the repository %s, so the state is kept as it was: %s. "+
				"Apply checks it again with the configured password and environment.", state.Repository.ValueString(), err))
	}
	switch {
	case runner.Password != "":
		c, err := runner.CatConfig(ctx)
		switch {
		case err == nil:
			state.RepositoryID = types.StringValue(c.ID)
		case restic.IsNotExist(err):
			state.RepositoryID = types.StringNull()
		case restic.IsWrongPassword(err):
			priv.Unopened = true
			resp.Diagnostics.AddWarning(fmt.Sprintf("Backup Plan %s: Repository Does Not Open", name),
				fmt.Sprintf("The repository %s exists, but the password from password_reference does not open it. "+
					"The next apply checks it again and fails until the reference points at the repository's password.", state.Repository.ValueString()))
		default:
			notChecked(err)
		}
	default:
		existence, c, err := runner.Probe(ctx)
		switch existence {
		case restic.Exists:
			if c.ID != "" {
				state.RepositoryID = types.StringValue(c.ID)
			}
		case restic.Missing:
			state.RepositoryID = types.StringNull()
		default:
			if resolveErr != nil {
				err = errors.Join(resolveErr, err)
			}
			notChecked(err)
		}
	}
	if state.RepositoryID.IsNull() {
		tflog.Info(ctx, "the repository of a backup plan does not exist; the next plan recreates it", map[string]any{"repository": state.Repository.ValueString()})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(privatestate.Write(ctx, resp.Private, privateKey, priv)...)
}

func (r *backupPlanResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(r.apply(ctx, apply.Update(req, resp))...)
}

// Delete forgets the plan. The repository and its snapshots stay.
func (r *backupPlanResource) Delete(ctx context.Context, req resource.DeleteRequest, _ *resource.DeleteResponse) {
	var repo types.String
	req.State.GetAttribute(ctx, path.Root("repository"), &repo)
	tflog.Info(ctx, "forgetting a backup plan; the repository and its snapshots are kept", map[string]any{"repository": repo.ValueString()})
}

// ImportState takes the repository string. The password (and any backend
// environment) come from the configuration at the next apply, which
// checks that the repository opens and records its id.
func (r *backupPlanResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if err := ValidateRepository(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("The import id is the repository string, e.g. b2:homelab-backup:restic or /srv/restic: %s.", err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("repository"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// apply makes sure the repository exists and opens with the configured
// password, initializing it when allowed, and saves the plan. Secrets
// live only in this call's memory and restic's environment.
func (r *backupPlanResource) apply(ctx context.Context, req apply.Request) (diags diag.Diagnostics) {
	var config, plan backupPlanModel
	if diags = req.Get(ctx, &config, &plan); diags.HasError() {
		return
	}
	summary := diagnostics.Summary(req.Action, "Backup Plan", plan.Name.ValueString())
	names, _ := config.envNames()
	spec, known, d := plan.spec(names)
	if diags.Append(d...); diags.HasError() {
		return
	}
	if !known {
		diags.AddError(summary, "Some arguments are still unknown at apply time. Please report this issue to the provider developers.")
		return
	}
	password, env, err := r.secrets(ctx, config, true)
	if err != nil {
		attr := "environment_references"
		if errors.Is(err, errPassword) {
			attr = "password_reference"
		}
		diags.AddAttributeError(path.Root(attr), summary, err.Error())
		return
	}
	runner := &restic.Runner{Binary: spec.Binary, Repository: spec.Repository, Password: password, Env: env}
	if _, err := runner.CheckVersion(ctx); err != nil {
		diags.AddAttributeError(path.Root("restic_binary"), summary, fmt.Sprintf("%s. Set restic_binary to a restic >= %s, or put one in PATH.", err, restic.MinVersion))
		return
	}

	unlock := r.Data.ResticInits.Lock(spec.Repository)
	defer unlock()
	id, err := openOrInit(ctx, runner, plan.Initialize.ValueBool())
	if err != nil {
		passwordAttr := "password_wo"
		if !config.PasswordReference.IsNull() {
			passwordAttr = "password_reference"
		}
		switch {
		case restic.IsNotExist(err):
			diags.AddAttributeError(path.Root("initialize"), summary, fmt.Sprintf(
				"The repository %s does not exist and initialize is false. Create it with `restic init`, or set initialize = true to let the provider create it.", spec.Repository))
		case restic.IsWrongPassword(err):
			diags.AddAttributeError(path.Root(passwordAttr), summary, fmt.Sprintf(
				"The repository %s exists, but the configured password does not open it. Check %s (and bump password_wo_version after changing password_wo); the provider never re-initializes an existing repository.", spec.Repository, passwordAttr))
		default:
			diags.AddError(summary, fmt.Sprintf("%s: %s", spec.Repository, err))
		}
		return
	}
	plan.ID = plan.Repository
	plan.RepositoryID = types.StringValue(id)
	plan.setRendered(spec)
	plan.PasswordWO = types.StringNull() // write-only: never stored
	plan.EnvironmentWO = types.MapNull(types.StringType)
	diags.Append(req.State.Set(ctx, &plan)...)
	diags.Append(privatestate.Write(ctx, req.Private, privateKey, privateData{})...)
	return
}

// openOrInit opens the repository, creating it first when it is missing
// and initialize allows it. It returns restic's repository id.
func openOrInit(ctx context.Context, runner *restic.Runner, initialize bool) (string, error) {
	c, err := runner.CatConfig(ctx)
	if err == nil {
		tflog.Debug(ctx, "adopting an existing repository", map[string]any{"repository": runner.Repository, "repository_id": c.ID})
		return c.ID, nil
	}
	if !restic.IsNotExist(err) || !initialize {
		return "", err
	}
	tflog.Info(ctx, "initializing a restic repository", map[string]any{"repository": runner.Repository})
	id, err := runner.Init(ctx)
	if err != nil {
		// Another process (another state or machine) may have created it
		// meanwhile: adopt it if it opens now.
		if c, catErr := runner.CatConfig(ctx); catErr == nil {
			tflog.Debug(ctx, "adopting a repository created meanwhile", map[string]any{"repository": runner.Repository, "repository_id": c.ID})
			return c.ID, nil
		}
	}
	return id, err
}

var errPassword = errors.New("password")

// passwordKey is the password's key among the references resolved
// together; no environment variable may have this name (restic.ReservedEnv).
const passwordKey = "RESTIC_PASSWORD"

// secrets resolves the password and the environment from a configuration,
// every reference in one call to the process's secrets client (each
// reference is resolved once per process, in batches). withEnvReferences
// false leaves environment_references unresolved.
func (r *backupPlanResource) secrets(ctx context.Context, config backupPlanModel, withEnvReferences bool) (string, map[string]string, error) {
	env := tfvalue.StringMap(config.EnvironmentWO)
	password := config.PasswordWO.ValueString()
	refs := map[string]string{}
	if withEnvReferences {
		refs = tfvalue.StringMap(config.EnvironmentReferences)
	}
	if !config.PasswordReference.IsNull() {
		refs[passwordKey] = config.PasswordReference.ValueString()
	}
	if len(refs) == 0 {
		return password, env, nil
	}
	if r.Data == nil {
		return "", nil, errors.New("the provider is not configured")
	}
	client, d := r.Data.SecretsClient()
	if err := diagnostics.Err(d); err != nil {
		return "", nil, err
	}
	resolved, err := client.ResolveAll(ctx, refs)
	if err != nil {
		var keyErr *secrets.KeyError
		if errors.As(err, &keyErr) && keyErr.Key == passwordKey {
			return "", nil, fmt.Errorf("%w reference %s: %w", errPassword, keyErr.Reference, keyErr.Err)
		}
		return "", nil, err
	}
	for k, v := range resolved {
		if k == passwordKey {
			password = v
			continue
		}
		env[k] = v
	}
	return password, env, nil
}

// readRunner builds a runner from state for Read, resolving only what
// refresh's check needs: the password from password_reference, which
// opens the repository (its id, and whether the password still opens it,
// are known only then), and environment_references only for a backend
// that is not a local directory, since restic cannot even tell whether a
// remote repository exists without its credentials. Write-only values are
// absent. A resolution failure leaves the password empty (existence is
// still checked) and is returned for the warning.
func (r *backupPlanResource) readRunner(ctx context.Context, state backupPlanModel) (*restic.Runner, error) {
	state.PasswordWO = types.StringNull()
	state.EnvironmentWO = types.MapNull(types.StringType)
	runner := &restic.Runner{Binary: state.ResticBinary.ValueString(), Repository: state.Repository.ValueString()}
	password, env, err := r.secrets(ctx, state, !localRepository(state.Repository.ValueString()))
	if err != nil {
		return runner, err
	}
	runner.Password, runner.Env = password, env
	return runner, nil
}

// localRepository reports a repository in a local directory ("/srv/restic",
// "local:/srv/restic", "C:\\restic"), which restic reaches without backend
// credentials. Every "<backend>:" prefix (sftp, rest, s3, b2, azure, gs,
// swift, rclone) is remote.
func localRepository(repo string) bool {
	backend, _, ok := strings.Cut(repo, ":")
	return !ok || backend == "local" || len(backend) == 1 || strings.ContainsAny(backend, `/\`)
}
