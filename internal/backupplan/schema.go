// Package backupplan is the homelab_backup_plan resource: one restic backup
// plan over a real repository. It makes sure the repository exists and
// opens with the password (creating it with `restic init` when allowed),
// and renders the plan as restic command lines and as Backrest
// configuration. The password and backend credentials reach restic only
// through its environment and are never stored.
package backupplan

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

// DefaultBinary is restic_binary's default: restic from PATH.
const DefaultBinary = "restic"

func (r *backupPlanResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := func(what string) schema.Int64Attribute {
		return schema.Int64Attribute{
			Optional: true, Validators: []validator.Int64{int64validator.AtLeast(1)},
			MarkdownDescription: "Keep the last n " + what + " (`--keep-" + map[string]string{
				"snapshots": "last", "hourly snapshots": "hourly", "daily snapshots": "daily", "weekly snapshots": "weekly",
				"monthly snapshots": "monthly", "yearly snapshots": "yearly"}[what] + "`).",
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A restic backup plan over a real repository. Create makes sure the repository exists and opens with the " +
			"password (running `restic init` when it is missing and `initialize` is true); refresh checks it again, and a repository " +
			"that has gone missing shows up as a change in the next plan. The plan is rendered as restic command lines and as " +
			"[Backrest](https://github.com/garethgeorge/backrest) `plans` and `repos` entries. Paths and excludes are cleaned, " +
			"de-duplicated and sorted. The password and the backend credentials reach restic only through its environment and are " +
			"never stored; the rendered commands and JSON hold none of them. Destroy forgets the plan; it never deletes the repository " +
			"or a snapshot. Needs restic >= 0.17.1.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The repository string; also the import id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true, Validators: []validator.String{validators.String("Invalid Plan Name", "a Backrest id", ValidateName)},
				MarkdownDescription: "Name of the plan: 1 to 50 letters, digits, `_`, `-` or `.`. It is the id of the Backrest plan and repo.",
			},
			"repository": schema.StringAttribute{
				Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{validators.String("Invalid Repository", "a restic repository", ValidateRepository)},
				MarkdownDescription: "Any restic repository string (`/srv/restic`, `b2:bucket:path`, `s3:...`, `sftp:...`, `rest:...`), without credentials in it. Changing it replaces the plan.",
			},
			"password_wo": schema.StringAttribute{
				Optional: true, WriteOnly: true, Sensitive: true,
				MarkdownDescription: "The repository password, write-only: used at apply, never stored. Needs Terraform or OpenTofu >= 1.11. " +
					"Exactly one of `password_wo` and `password_reference` is set. Refresh cannot use it, so with it refresh only checks that " +
					"the repository exists; `password_reference` lets refresh open it too.",
			},
			"password_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Bump to check the repository with a new `password_wo`; Terraform cannot see changes in write-only values.",
			},
			"password_reference": schema.StringAttribute{
				Optional: true, Validators: []validator.String{validators.Reference()},
				MarkdownDescription: "The repository password as a 1Password reference (`op://<vault>/<item>[/<section>]/<field>`), resolved at apply and at refresh, " +
					"which opens the repository with it; each reference once per provider process, however many resources share it.",
			},
			"environment_wo": schema.MapAttribute{
				Optional: true, WriteOnly: true, Sensitive: true, ElementType: types.StringType,
				Validators:          []validator.Map{mapvalidator.KeysAre(validators.String("Invalid Environment Variable", "an environment variable name", checkEnvName))},
				MarkdownDescription: "Backend credentials and settings for restic by variable name (e.g. `B2_ACCOUNT_ID`, `AWS_SECRET_ACCESS_KEY`), write-only: passed to restic's environment at apply, never stored.",
			},
			"environment_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Bump to check the repository with new `environment_wo` values.",
			},
			"environment_references": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				Validators: []validator.Map{
					mapvalidator.KeysAre(validators.String("Invalid Environment Variable", "an environment variable name", checkEnvName)),
					mapvalidator.ValueStringsAre(validators.Reference()),
				},
				MarkdownDescription: "Backend variables as 1Password references, resolved at apply, and at refresh only for a repository that is not a " +
					"local directory (restic needs them to reach the backend). Names may not repeat those of `environment_wo`.",
			},
			"paths": schema.SetAttribute{
				Required: true, ElementType: types.StringType,
				Validators: []validator.Set{setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(validators.String("Invalid Backup Path", "an absolute path", checkPath))},
				MarkdownDescription: "Absolute paths to back up, e.g. `concat(homelab_service.jellyfin.backup.paths, ...)`. They are cleaned, de-duplicated and sorted in every rendering.",
			},
			"excludes": schema.SetAttribute{
				Optional: true, ElementType: types.StringType,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(validators.String("Invalid Exclude Pattern", "an exclude pattern", checkExclude))},
				MarkdownDescription: "restic exclude patterns (`--exclude`), sorted and de-duplicated in every rendering.",
			},
			"tags": schema.SetAttribute{
				Optional: true, ElementType: types.StringType,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(validators.String("Invalid Tag", "a tag", ValidateTag))},
				MarkdownDescription: "Tags of the snapshots (`--tag`); `forget_command` only touches snapshots carrying all of them.",
			},
			"host": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{validators.String("Invalid Host", "a host name", checkHost)},
				MarkdownDescription: "Host name recorded in the snapshots (`--host`) and used to select them in `forget_command`. Default: restic uses the machine's host name.",
			},
			"schedule": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{validators.String("Invalid Schedule", "a 5-field cron schedule", ValidateCron)},
				MarkdownDescription: "When Backrest runs the backup: a 5-field cron schedule (`minute hour day-of-month month day-of-week`, with `*`, ranges, `*/n` steps, lists and `JAN`/`MON` names; day of week 0-6, 0 is Sunday), e.g. `0 3 * * *`. Null disables Backrest's schedule.",
			},
			"retention": schema.SingleNestedAttribute{
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"keep_last": keep("snapshots"), "keep_hourly": keep("hourly snapshots"), "keep_daily": keep("daily snapshots"),
					"keep_weekly": keep("weekly snapshots"), "keep_monthly": keep("monthly snapshots"), "keep_yearly": keep("yearly snapshots"),
				},
				MarkdownDescription: "Which snapshots `forget_command` keeps; at least one `keep_*` must be set. Null keeps every snapshot (no `forget_command`).",
			},
			"initialize": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Create the repository with `restic init` when it does not exist. Default `true`. With `false` a missing repository is an error.",
			},
			"restic_binary": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(DefaultBinary),
				MarkdownDescription: "The restic executable, a path or a name looked up in `PATH`; used by the provider and as the first word of the rendered commands. Default `restic`.",
			},
			"repository_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "restic's id of the repository (`restic cat config --json`). Unknown in a plan after the repository went missing.",
			},
			"backup_command": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "argv of `restic backup` for this plan, without secrets: run it with `RESTIC_PASSWORD` (or `RESTIC_PASSWORD_FILE`) and the backend variables in the environment. Excludes are `--exclude` flags, the same patterns as `exclude_file`.",
			},
			"forget_command": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "argv of `restic forget` applying `retention` to this plan's snapshots (its host and tags); null without a retention. It forgets snapshots; `restic prune` frees the space.",
			},
			"exclude_file": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The excludes as an exclude file for `restic backup --exclude-file` (one pattern a line, `$` written `$$`).",
			},
			"backrest_plan": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "This plan as an entry of Backrest's `plans` (JSON, Backrest's `config.proto` field names).",
			},
			"backrest_repo": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The repository as an entry of Backrest's `repos` (JSON) with `guid` = `repository_id`. It holds no secret: the password and backend " +
					"variables are `${NAME}` placeholders that Backrest fills from its own environment.",
			},
		},
	}
}

func checkPath(s string) error {
	_, err := CleanPath(s)
	return err
}

func checkExclude(s string) error {
	_, err := CleanExclude(s)
	return err
}

func checkHost(s string) error {
	if err := ValidateTag(s); err != nil {
		return errHost
	}
	return nil
}
