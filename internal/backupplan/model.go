package backupplan

import (
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type backupPlanModel struct {
	ID                    types.String `tfsdk:"id"`
	Name                  types.String `tfsdk:"name"`
	Repository            types.String `tfsdk:"repository"`
	PasswordWO            types.String `tfsdk:"password_wo"`
	PasswordWOVersion     types.Int64  `tfsdk:"password_wo_version"`
	PasswordReference     types.String `tfsdk:"password_reference"`
	EnvironmentWO         types.Map    `tfsdk:"environment_wo"`
	EnvironmentWOVersion  types.Int64  `tfsdk:"environment_wo_version"`
	EnvironmentReferences types.Map    `tfsdk:"environment_references"`
	Paths                 types.Set    `tfsdk:"paths"`
	Excludes              types.Set    `tfsdk:"excludes"`
	Tags                  types.Set    `tfsdk:"tags"`
	Host                  types.String `tfsdk:"host"`
	Schedule              types.String `tfsdk:"schedule"`
	Retention             types.Object `tfsdk:"retention"`
	Initialize            types.Bool   `tfsdk:"initialize"`
	ResticBinary          types.String `tfsdk:"restic_binary"`
	RepositoryID          types.String `tfsdk:"repository_id"`
	BackupCommand         types.List   `tfsdk:"backup_command"`
	ForgetCommand         types.List   `tfsdk:"forget_command"`
	ExcludeFile           types.String `tfsdk:"exclude_file"`
	BackrestPlan          types.String `tfsdk:"backrest_plan"`
	BackrestRepo          types.String `tfsdk:"backrest_repo"`
}

var retentionFields = []string{"keep_last", "keep_hourly", "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly"}

// retentionOf reads the retention object; known is false while any count
// is unknown.
func retentionOf(o types.Object) (r Retention, known bool) {
	attrs := o.Attributes()
	targets := []*int64{&r.Last, &r.Hourly, &r.Daily, &r.Weekly, &r.Monthly, &r.Yearly}
	for i, name := range retentionFields {
		v, ok := attrs[name].(types.Int64)
		if !ok {
			continue
		}
		if v.IsUnknown() {
			return r, false
		}
		*targets[i] = v.ValueInt64()
	}
	return r, true
}

// setStrings reads a set of strings; known is false while the set or an
// element is unknown.
func setStrings(s types.Set) (out []string, known bool) {
	if s.IsUnknown() {
		return nil, false
	}
	for _, e := range s.Elements() {
		v, ok := e.(types.String)
		if !ok || v.IsUnknown() {
			return nil, false
		}
		if !v.IsNull() {
			out = append(out, v.ValueString())
		}
	}
	return out, true
}

func knownString(v types.String) bool { return !v.IsUnknown() }

// spec builds the rendering input from a plan (or state) and the names of
// the configured environment variables. known is false while something
// rendered is still unknown; an error diagnostic means the values are
// invalid (validators normally catch that first).
func (m backupPlanModel) spec(envNames []string) (Spec, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := Spec{
		Name: m.Name.ValueString(), Repository: m.Repository.ValueString(), Binary: m.ResticBinary.ValueString(),
		Host: m.Host.ValueString(), Schedule: m.Schedule.ValueString(), EnvNames: envNames,
	}
	if s.Binary == "" {
		s.Binary = DefaultBinary
	}
	known := knownString(m.Name) && knownString(m.Repository) && knownString(m.ResticBinary) && knownString(m.Host) && knownString(m.Schedule) &&
		!m.Retention.IsUnknown()
	paths, ok := setStrings(m.Paths)
	known = known && ok
	excludes, ok := setStrings(m.Excludes)
	known = known && ok
	tags, ok := setStrings(m.Tags)
	known = known && ok
	if !m.Retention.IsNull() && !m.Retention.IsUnknown() {
		r, ok := retentionOf(m.Retention)
		known = known && ok
		s.Retention = &r
	}
	if !known {
		return s, false, nil
	}
	var err error
	if s.Paths, err = CleanPaths(paths); err != nil {
		diags.AddError("Invalid Backup Path", err.Error())
	}
	if s.Excludes, err = CleanExcludes(excludes); err != nil {
		diags.AddError("Invalid Exclude Pattern", err.Error())
	}
	s.Tags = sortedUnique(tags)
	return s, true, diags
}

// envNames are the variable names of environment_wo and
// environment_references in a configuration; known is false while a map
// (and so its keys) is unknown.
func (m backupPlanModel) envNames() ([]string, bool) {
	if m.EnvironmentWO.IsUnknown() || m.EnvironmentReferences.IsUnknown() {
		return nil, false
	}
	names := append(slices.Sorted(maps.Keys(m.EnvironmentWO.Elements())), slices.Sorted(maps.Keys(m.EnvironmentReferences.Elements()))...)
	return sortedUnique(names), true
}

// setRendered fills the computed renderings from a known spec.
func (m *backupPlanModel) setRendered(s Spec) {
	m.BackupCommand = stringList(s.BackupCommand())
	if f := s.ForgetCommand(); f != nil {
		m.ForgetCommand = stringList(f)
	} else {
		m.ForgetCommand = types.ListNull(types.StringType)
	}
	m.ExcludeFile = types.StringValue(s.ExcludeFile())
	m.BackrestPlan = types.StringValue(s.BackrestPlan())
	if m.RepositoryID.IsUnknown() {
		m.BackrestRepo = types.StringUnknown()
	} else {
		m.BackrestRepo = types.StringValue(s.BackrestRepo(m.RepositoryID.ValueString()))
	}
}

func (m *backupPlanModel) setRenderedUnknown() {
	m.BackupCommand = types.ListUnknown(types.StringType)
	m.ForgetCommand = types.ListUnknown(types.StringType)
	m.ExcludeFile = types.StringUnknown()
	m.BackrestPlan = types.StringUnknown()
	m.BackrestRepo = types.StringUnknown()
}

func stringList(in []string) types.List {
	elems := make([]attr.Value, len(in))
	for i, s := range in {
		elems[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, elems)
}

// withDefaults fills the defaulted attributes that an imported state lacks.
func (m *backupPlanModel) withDefaults() {
	if m.ResticBinary.IsNull() {
		m.ResticBinary = types.StringValue(DefaultBinary)
	}
	if m.Initialize.IsNull() {
		m.Initialize = types.BoolValue(true)
	}
	if m.ID.IsNull() {
		m.ID = m.Repository
	}
}
