package backupplan_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
	"github.com/homelab-tf/terraform-provider-homelab/internal/restic/restictest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

// TestAccBackupPlan_stateIndependentOfValues: a plan whose password and
// backend variable are write-only keeps nothing of them in the state
// file, private state included (no value, encoding or digest of one), and
// rotating both (the repository's password changed with `restic key
// passwd`, a new backend value, both versions bumped) changes nothing in
// the state file but the two versions and serial.
func TestAccBackupPlan_stateIndependentOfValues(t *testing.T) {
	const (
		refEnvRotated = "op://homelab/b2/rotated key"
		envRotated    = "b2-Key-K004e71c03d9f"
	)
	resolver := secrets.Static{refEnvRotated: envRotated}
	for k, v := range testSecrets {
		resolver[k] = v
	}
	rotating := map[string]func() (tfprotov6.ProviderServer, error){
		"homelab": func() (tfprotov6.ProviderServer, error) {
			return provider.NewServer(provider.NewWithResolver("acctest", resolver))(), nil
		},
	}
	bin := restictest.Binary(t)
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	stateFile := acctest.NewStateFile(t)
	all := []string{password, wrongPass, envSecret, envRotated}

	config := func(v int) string {
		pw, env := map[int]string{1: refPassword, 2: refWrong}[v], map[int]string{1: refEnv, 2: refEnvRotated}[v]
		return fmt.Sprintf(`
provider "homelab" {}

ephemeral "homelab_secret" "password" { reference = %[1]q }
ephemeral "homelab_secret" "b2" { reference = %[2]q }

resource "homelab_backup_plan" "p" {
  name                   = "independent"
  repository             = %[3]q
  password_wo            = ephemeral.homelab_secret.password.value
  password_wo_version    = %[4]d
  environment_wo         = { B2_ACCOUNT_KEY = ephemeral.homelab_secret.b2.value }
  environment_wo_version = %[4]d
  paths                  = ["/etc"]
  retention              = { keep_daily = 7 }
  restic_binary          = %[5]q
}
`, pw, env, repo, v, bin)
	}
	var first []byte
	attr := func(name string) string { return "resources.homelab_backup_plan.p.instances[0].attributes." + name }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: rotating,
		Steps: []resource.TestStep{
			{
				Config:           config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					raw, err := stateFile.Read()
					if err != nil {
						return err
					}
					first = raw
					return acctest.NothingDerivedFrom(raw, all...)
				},
			},
			{
				PreConfig: func() {
					newPw := filepath.Join(dir, "new-password")
					if err := os.WriteFile(newPw, []byte(wrongPass), 0o600); err != nil {
						t.Fatal(err)
					}
					resticCmd(t, repo, "key", "passwd", "--new-password-file", newPw)
				},
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					raw, err := stateFile.Read()
					if err != nil {
						return err
					}
					if err := acctest.NothingDerivedFrom(raw, all...); err != nil {
						return err
					}
					t.Logf("a rotation changed %d lines of the state file", acctest.ChangedLines(first, raw))
					return acctest.ExpectStateChanges(first, raw, attr("password_wo_version"), attr("environment_wo_version"))
				},
			},
		},
	})
}
