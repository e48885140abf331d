package backupplan_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/restic/restictest"
)

func strs(values ...string) []knownvalue.Check {
	out := make([]knownvalue.Check, len(values))
	for i, v := range values {
		out[i] = knownvalue.StringExact(v)
	}
	return out
}

// TestAccBackupPlan_lifecycle: create on an empty directory initialises a
// repository; the rendered backup and forget commands work against it;
// paths and excludes come out cleaned, sorted and unique; a repository
// deleted out of band shows in the next plan and is created again; import
// by repository string. The password and a backend variable come from
// references, so no secret is in the configuration and the trace log can
// be checked for them.
func TestAccBackupPlan_lifecycle(t *testing.T) {
	bin := restictest.Binary(t)
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if err := os.Mkdir(repo, 0o700); err != nil { // an empty directory
		t.Fatal(err)
	}
	src := filepath.Join(dir, "src")
	writeTree(t, src, map[string]string{
		"jellyfin/config/system.xml":   "<config/>",
		"jellyfin/cache/images/a.jpg":  "cached",
		"jellyfin/data/library.db":     "db",
		"jellyfin/data/library.db.tmp": "tmp",
		"hass/configuration.yaml":      "homeassistant:",
		"hass/home-assistant.log":      "log",
		"not-backed-up/secret.txt":     "outside the paths",
	})
	logFile := filepath.Join(dir, "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	config := fmt.Sprintf(`
provider "homelab" {}

resource "homelab_backup_plan" "p" {
  name               = "homelab"
  repository         = %[1]q
  password_reference = %[2]q
  environment_references = { B2_ACCOUNT_KEY = %[3]q }
  paths    = ["%[4]s/jellyfin/", "%[4]s/hass", "%[4]s//jellyfin", "%[4]s/hass"]
  excludes = ["*.tmp", "%[4]s/jellyfin/cache/", "*.log", "*.tmp"]
  tags     = ["nixos", "homelab", "nixos"]
  host     = "nixos"
  schedule = "0 3 * * *"
  retention = { keep_last = 2, keep_daily = 7 }
  restic_binary = %[5]q
}
`, repo, refPassword, refEnv, src, bin)

	wantBackup := []string{bin, "--repo", repo, "backup", "--host", "nixos", "--tag", "homelab", "--tag", "nixos",
		"--exclude", "*.log", "--exclude", "*.tmp", "--exclude", src + "/jellyfin/cache", src + "/hass", src + "/jellyfin"}
	wantForget := []string{bin, "--repo", repo, "forget", "--keep-last", "2", "--keep-daily", "7", "--host", "nixos", "--tag", "homelab,nixos"}
	var firstID string
	var roundTrip time.Duration
	stepStart := time.Now()

	checkRepository := func(st *terraform.State) error {
		firstID = repoID(t, repo)
		if got := st.RootModule().Resources[addr].Primary.Attributes["repository_id"]; got != firstID {
			return fmt.Errorf("repository_id = %q, restic's own id is %q", got, firstID)
		}
		if n := len(snapshots(t, repo)); n != 0 {
			return fmt.Errorf("a new repository has %d snapshots", n)
		}
		return nil
	}
	// Run the rendered commands as Backrest or a timer unit would.
	checkCommands := func(st *terraform.State) error {
		backup, err := stateList(st, "backup_command")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(backup, wantBackup) {
			return fmt.Errorf("backup_command = %q\nwant %q", backup, wantBackup)
		}
		if err := runArgv(t, backup, dir); err != nil {
			return err
		}
		snaps := snapshots(t, repo)
		if len(snaps) != 1 || snaps[0].Host != "nixos" || !reflect.DeepEqual(snaps[0].Tags, []string{"homelab", "nixos"}) {
			return fmt.Errorf("after one backup: snapshots %+v", snaps)
		}
		files := snapshotFiles(t, repo, snaps[0].ID)
		want := []string{src + "/hass/configuration.yaml", src + "/jellyfin/config/system.xml", src + "/jellyfin/data/library.db"}
		if !reflect.DeepEqual(files, want) {
			return fmt.Errorf("snapshot files = %q\nwant %q (no cache, *.tmp, *.log or unlisted directory)", files, want)
		}
		// The exclude file holds the same patterns as the flags.
		excludeFile := filepath.Join(dir, "excludes.txt")
		if err := os.WriteFile(excludeFile, []byte(st.RootModule().Resources[addr].Primary.Attributes["exclude_file"]), 0o600); err != nil {
			return err
		}
		withFile := []string{bin, "--repo", repo, "backup", "--host", "nixos", "--tag", "withfile", "--exclude-file", excludeFile, src + "/hass", src + "/jellyfin"}
		if err := runArgv(t, withFile, dir); err != nil {
			return err
		}
		for _, s := range snapshots(t, repo) {
			if len(s.Tags) == 1 && s.Tags[0] == "withfile" {
				if got := snapshotFiles(t, repo, s.ID); !reflect.DeepEqual(got, want) {
					return fmt.Errorf("with exclude_file the snapshot holds %q, with --exclude flags %q", got, want)
				}
			}
		}
		// More backups, then forget: the plan's two newest remain, and the
		// snapshot of another tag set is not the plan's to forget.
		for i := 0; i < 3; i++ {
			writeTree(t, src, map[string]string{"hass/configuration.yaml": fmt.Sprintf("homeassistant: %d", i)})
			if err := runArgv(t, backup, dir); err != nil {
				return err
			}
		}
		var ours []string
		for _, s := range snapshots(t, repo) {
			if len(s.Tags) == 2 {
				ours = append(ours, s.ID)
			}
		}
		if len(ours) != 4 {
			return fmt.Errorf("%d plan snapshots before forget, want 4", len(ours))
		}
		forget, err := stateList(st, "forget_command")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(forget, wantForget) {
			return fmt.Errorf("forget_command = %q\nwant %q", forget, wantForget)
		}
		if err := runArgv(t, forget, dir); err != nil {
			return err
		}
		roundTrip = time.Since(stepStart)
		var left []string
		withFileLeft := false
		for _, s := range snapshots(t, repo) {
			if len(s.Tags) == 2 {
				left = append(left, s.ID)
			} else {
				withFileLeft = true
			}
		}
		// keep_last = 2 keeps the newest two; keep_daily = 7 with a single
		// day of snapshots keeps that day's newest and, as restic does
		// since 0.17 when there are fewer days than asked for, the oldest.
		if want := []string{ours[0], ours[2], ours[3]}; !reflect.DeepEqual(left, want) || !withFileLeft {
			return fmt.Errorf("after forget: plan snapshots %q, want %q (the oldest and newest two of %q); other snapshot kept: %v", left, want, ours, withFileLeft)
		}
		return nil
	}
	checkRendered := func(st *terraform.State) error {
		a := st.RootModule().Resources[addr].Primary.Attributes
		if want := "*.log\n*.tmp\n" + src + "/jellyfin/cache\n"; a["exclude_file"] != want {
			return fmt.Errorf("exclude_file = %q, want %q", a["exclude_file"], want)
		}
		var plan map[string]any
		if err := json.Unmarshal([]byte(a["backrest_plan"]), &plan); err != nil {
			return fmt.Errorf("backrest_plan: %w", err)
		}
		wantPlan := map[string]any{
			"id": "homelab", "repo": "homelab",
			"paths":        []any{src + "/hass", src + "/jellyfin"},
			"excludes":     []any{"*.log", "*.tmp", src + "/jellyfin/cache"},
			"schedule":     map[string]any{"cron": "0 3 * * *", "clock": "CLOCK_LOCAL"},
			"retention":    map[string]any{"policyTimeBucketed": map[string]any{"daily": 7.0, "keepLastN": 2.0}},
			"backup_flags": []any{"--host nixos", "--tag homelab", "--tag nixos"},
		}
		if !reflect.DeepEqual(plan, wantPlan) {
			return fmt.Errorf("backrest_plan = %s", a["backrest_plan"])
		}
		var repoJSON map[string]any
		if err := json.Unmarshal([]byte(a["backrest_repo"]), &repoJSON); err != nil {
			return fmt.Errorf("backrest_repo: %w", err)
		}
		if repoJSON["id"] != "homelab" || repoJSON["uri"] != repo || repoJSON["guid"] != a["repository_id"] ||
			!reflect.DeepEqual(repoJSON["env"], []any{"B2_ACCOUNT_KEY=${B2_ACCOUNT_KEY}", "RESTIC_PASSWORD=${RESTIC_PASSWORD}"}) {
			return fmt.Errorf("backrest_repo = %s", a["backrest_repo"])
		}
		return nil
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate), noSecretsInPlan{},
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("backup_command"), knownvalue.ListExact(strs(wantBackup...))),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("repository_id"))},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(repo)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("paths"), knownvalue.SetExact(strs(src+"/hass", src+"/jellyfin/", src+"//jellyfin"))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("repository_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("initialize"), knownvalue.Bool(true)),
					sameID.AddStateValue(addr, tfjsonpath.New("repository_id")),
				},
				Check: resource.ComposeTestCheckFunc(checkRepository, checkRendered, checkCommands, noSecretsInState),
			},
			{
				// The repository is deleted out of band: the plan shows it,
				// apply creates it again.
				PreConfig: func() {
					if err := os.RemoveAll(repo); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("repository_id")), noSecretsInPlan{}},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(noSecretsInState, func(st *terraform.State) error {
					id := repoID(t, repo)
					if id == firstID {
						return fmt.Errorf("the repository id did not change after re-initialization")
					}
					if got := st.RootModule().Resources[addr].Primary.Attributes["repository_id"]; got != id {
						return fmt.Errorf("repository_id = %q, restic says %q", got, id)
					}
					return nil
				}),
			},
			{
				// Nothing changes when the repository is there.
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("retention").AtMapKey("keep_last"), knownvalue.Int64Exact(2)),
				},
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: repo,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].ID != repo || states[0].Attributes["repository"] != repo {
						return fmt.Errorf("imported %v", states)
					}
					return nil
				},
			},
		},
	})
	t.Logf("create + backup + forget round trip: %s", roundTrip.Round(time.Millisecond))
	checkLogs(t, logFile)
	// Destroy forgot the plan and kept the repository and its snapshots.
	if _, err := os.Stat(filepath.Join(repo, "config")); err != nil {
		t.Fatalf("destroy removed the repository: %v", err)
	}
}

// TestAccBackupPlan_adoptWriteOnly adopts an existing repository (no
// re-init: same id, snapshots kept) with the password and a backend
// variable given write-only from ephemeral values, checks that refresh
// still notices a deleted repository without the password, and that none
// of the secrets reaches state, plan or trace logs.
func TestAccBackupPlan_adoptWriteOnly(t *testing.T) {
	bin := restictest.Binary(t)
	dir := t.TempDir()
	repo := filepath.Join(dir, "existing")
	resticCmd(t, repo, "init")
	existingID := repoID(t, repo)
	writeTree(t, dir, map[string]string{"data/a.txt": "a"})
	resticCmd(t, repo, "backup", "--host", "old", filepath.Join(dir, "data"))
	logFile := filepath.Join(dir, "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	config := func(version int) string {
		return fmt.Sprintf(`
provider "homelab" {}

ephemeral "homelab_secret" "password" { reference = %[1]q }
ephemeral "homelab_secret" "b2" { reference = %[2]q }

resource "homelab_backup_plan" "p" {
  name                   = "adopted"
  repository             = %[3]q
  password_wo            = ephemeral.homelab_secret.password.value
  password_wo_version    = %[5]d
  environment_wo         = { B2_ACCOUNT_KEY = ephemeral.homelab_secret.b2.value }
  environment_wo_version = 1
  paths                  = [%[4]q]
  restic_binary          = %[6]q
}
`, refPassword, refEnv, repo, filepath.Join(dir, "data"), version, bin)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate), noSecretsInPlan{}},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("repository_id"), knownvalue.StringExact(existingID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("environment_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("forget_command"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(noSecretsInState, func(*terraform.State) error {
					if id := repoID(t, repo); id != existingID {
						return fmt.Errorf("the repository was initialized again: id %s, was %s", id, existingID)
					}
					if n := len(snapshots(t, repo)); n != 1 {
						return fmt.Errorf("%d snapshots after adoption, want the 1 made before", n)
					}
					return nil
				}),
			},
			{
				// A new password version checks the repository again.
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Refresh has no password here, yet sees the repository gone.
				PreConfig: func() {
					if err := os.RemoveAll(repo); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config(2),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate), noSecretsInPlan{}},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(st *terraform.State) error {
					id := repoID(t, repo)
					if id == existingID || st.RootModule().Resources[addr].Primary.Attributes["repository_id"] != id {
						return fmt.Errorf("after re-init: restic id %s, state %s, old %s", id, st.RootModule().Resources[addr].Primary.Attributes["repository_id"], existingID)
					}
					return nil
				},
			},
		},
	})
	checkLogs(t, logFile, "B2_ACCOUNT_KEY")
}

// TestAccBackupPlan_repositoryErrors: initialize = false on a missing
// repository, and a wrong password on an existing one, fail with clear
// errors that never show the password (checked in the trace log, where
// the diagnostics are logged in full).
func TestAccBackupPlan_repositoryErrors(t *testing.T) {
	bin := restictest.Binary(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	resticCmd(t, existing, "init")
	logFile := filepath.Join(dir, "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	config := func(repo, ref string, initialize bool) string {
		return fmt.Sprintf(`
provider "homelab" {}

resource "homelab_backup_plan" "p" {
  name               = "homelab"
  repository         = %q
  password_reference = %q
  paths              = ["/etc"]
  initialize         = %t
  restic_binary      = %q
}
`, repo, ref, initialize, bin)
	}
	missing := filepath.Join(dir, "missing")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      config(missing, refPassword, false),
				ExpectError: regexp.MustCompile(`(?s)Error Creating Backup Plan homelab.*does\s+not\s+exist\s+and\s+initialize\s+is\s+false`),
			},
			{
				Config:      config(existing, refWrong, true),
				ExpectError: regexp.MustCompile(`(?s)Error Creating Backup Plan homelab.*exists,\s+but\s+the\s+configured\s+password\s+does\s+not\s+open\s+it`),
			},
		},
	})
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("initialize = false created %s", missing)
	}
	checkLogs(t, logFile, "does not open it", "initialize is false")
}

// TestAccBackupPlan_badInput: invalid arguments fail at plan time.
func TestAccBackupPlan_badInput(t *testing.T) {
	bin := restictest.Binary(t)
	repo := filepath.Join(t.TempDir(), "repo")
	config := func(body string) string {
		return fmt.Sprintf(`
provider "homelab" {}

resource "homelab_backup_plan" "p" {
  name          = "homelab"
  repository    = %q
  restic_binary = %q
  %s
}
`, repo, bin, body)
	}
	pw := `password_reference = "` + refPassword + `"`
	steps := []resource.TestStep{}
	for _, tc := range []struct{ body, want string }{
		{pw + "\n paths = [\"var/lib/jellyfin\"]", `(?s)Invalid Backup Path.*"var/lib/jellyfin" is relative`},
		{pw + "\n paths = [\"\"]", `(?s)Invalid Backup Path.*a path is empty`},
		{pw + "\n paths = []", `(?s)paths.*at least 1`},
		{pw + "\n paths = [\"/etc\"]\n retention = {}", `(?s)Retention Keeps Nothing.*Set at least one of keep_last`},
		{pw + "\n paths = [\"/etc\"]\n retention = { keep_daily = 0 }", `(?s)retention.keep_daily.*at least 1`},
		{pw + "\n paths = [\"/etc\"]\n schedule = \"0 3 * *\"", `(?s)Invalid Schedule.*has 4 fields`},
		{pw + "\n paths = [\"/etc\"]\n schedule = \"0 25 * * *\"", `(?s)Invalid Schedule.*25 is out of range 0-23`},
		{pw + "\n paths = [\"/etc\"]\n password_wo = \"x\"", `(?s)Conflicting Password Sources.*Set exactly one`},
		{"paths = [\"/etc\"]", `(?s)Missing Repository Password`},
		{pw + "\n paths = [\"/etc\"]\n environment_wo = { RESTIC_PASSWORD = \"x\" }", `(?s)Invalid Environment Variable.*RESTIC_PASSWORD is set by the provider`},
		{pw + "\n paths = [\"/etc\"]\n excludes = [\"#cache\"]", `(?s)Invalid Exclude Pattern.*comment`},
		{pw + "\n paths = [\"/etc\"]\n tags = [\"a,b\"]", `(?s)Invalid Tag.*comma`},
		{"paths = [\"/etc\"]\n password_reference = \"op://vault\"", `(?s)Invalid 1Password Reference`},
		{pw + "\n paths = [\"/etc\"]\n environment_references = { B2_ACCOUNT_KEY = \"b2-key\" }", `(?s)Invalid 1Password Reference`},
	} {
		// The CLI wraps diagnostics: any space may be a line break.
		steps = append(steps, resource.TestStep{Config: config(tc.body), PlanOnly: true, ExpectError: regexp.MustCompile(strings.ReplaceAll(tc.want, " ", `\s+`))})
	}
	steps = append(steps, resource.TestStep{
		Config:      strings.Replace(config(pw+"\n paths = [\"/etc\"]"), `name          = "homelab"`, `name = "has space"`, 1),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Invalid Plan Name`),
	}, resource.TestStep{
		Config: strings.Replace(config(pw+"\n paths = [\"/etc\"]"), fmt.Sprintf("repository    = %q", repo),
			`repository = "rest:https://backup:hunter22@backup.lan:8000/homelab"`, 1),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)Invalid Repository.*user\s+name\s+and\s+password`),
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: factories,
		Steps:                    steps,
	})
	if _, err := os.Stat(repo); !os.IsNotExist(err) {
		t.Errorf("invalid configurations touched the repository directory")
	}
}

// TestAccBackupPlan_passwordRotated: the repository's password is changed
// out of band (`restic key passwd`) while password_reference still points
// at the old one. Refresh notices it does not open, the plan shows an
// update, that apply fails clearly, and pointing the reference at the new
// password repairs it.
func TestAccBackupPlan_passwordRotated(t *testing.T) {
	bin := restictest.Binary(t)
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	config := func(ref string) string {
		return fmt.Sprintf(`
provider "homelab" {}

resource "homelab_backup_plan" "p" {
  name               = "homelab"
  repository         = %q
  password_reference = %q
  paths              = ["/etc"]
  restic_binary      = %q
}
`, repo, ref, bin)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:            config(refPassword),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("repository_id"))},
			},
			{
				PreConfig: func() {
					newPw := filepath.Join(dir, "new-password")
					if err := os.WriteFile(newPw, []byte(wrongPass), 0o600); err != nil {
						t.Fatal(err)
					}
					resticCmd(t, repo, "key", "passwd", "--new-password-file", newPw)
				},
				Config:             config(refPassword),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:      config(refPassword),
				ExpectError: regexp.MustCompile(`(?s)Error Updating Backup Plan homelab.*password\s+does\s+not\s+open\s+it`),
			},
			{
				Config: config(refWrong),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("repository_id"))},
			},
		},
	})
}
