package bootstrapsecret_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// TestAccBootstrapSecret_stateIndependentOfValues: rotating a write-only
// value (a new value, data_wo_version bumped) changes nothing in the state
// file but data_wo_version and serial, private state included, and no
// value, encoding or digest of one is in it. Another field manager writing
// the same value is no drift; one writing a different value is planned
// (the key drops out of `keys`) and repaired, and the state file comes
// back byte for byte but its serial.
func TestAccBootstrapSecret_stateIndependentOfValues(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	ns := cluster.Namespace(t, "independent")
	stateFile := acctest.NewStateFile(t)
	refs := map[int]string{1: "op://homelab/infisical/db_password", 2: "op://homelab/eso/client_secret"}
	value := func(v int) string { return acctest.Secrets[refs[v]] }
	const tampered = "tampered-Value-41c7e0"
	var generated string
	secretsSeen := func() []string {
		return []string{value(1), value(2), acctest.Secrets["op://homelab/argocd/repo token/password"], tampered, generated}
	}

	config := func(v int) string {
		return providerConfig(cluster) + fmt.Sprintf(`
ephemeral "homelab_secret" "client" {
  reference = %[2]q
}
resource "homelab_bootstrap_secret" "s" {
  name            = "rotated"
  namespace       = %[1]q
  data_wo         = { CLIENT_SECRET = ephemeral.homelab_secret.client.value }
  data_wo_version = %[3]d
  references      = { REPO_TOKEN = "op://homelab/argocd/repo token/password" }
  generate        = { SESSION_KEY = { length = 16 } }
}`, ns, refs[v], v)
	}
	var first, rotated []byte
	snapshot := func(into *[]byte) resource.TestCheckFunc {
		return func(*terraform.State) error {
			raw, err := stateFile.Read()
			if err != nil {
				return err
			}
			*into = raw
			generated = string(liveSecret(t, ns, "rotated").Data["SESSION_KEY"])
			return acctest.NothingDerivedFrom(raw, secretsSeen()...)
		}
	}
	liveValue := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if string(liveSecret(t, ns, "rotated").Data["CLIENT_SECRET"]) != want {
				return fmt.Errorf("CLIENT_SECRET in the cluster is not the expected value")
			}
			return nil
		}
	}
	// writeAs changes CLIENT_SECRET the way another tool would: a forced
	// server-side apply under its own field manager.
	writeAs := func(manager, v string) {
		apply := corev1ac.Secret("rotated", ns).WithData(map[string][]byte{"CLIENT_SECRET": []byte(v)})
		if _, err := cluster.Clientset.CoreV1().Secrets(ns).Apply(context.Background(), apply, metav1.ApplyOptions{FieldManager: manager, Force: true}); err != nil {
			t.Fatalf("applying the Secret as %s: %v", manager, err)
		}
	}
	const versionPath = "resources.homelab_bootstrap_secret.s.instances[0].attributes.data_wo_version"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(1),
				Check:  resource.ComposeTestCheckFunc(liveValue(value(1)), snapshot(&first)),
			},
			{
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(liveValue(value(2)), snapshot(&rotated), func(*terraform.State) error {
					t.Logf("a rotation changed %d lines of the state file", acctest.ChangedLines(first, rotated))
					return acctest.ExpectStateChanges(first, rotated, versionPath)
				}),
			},
			{
				// The same value written by someone else changes nothing.
				PreConfig:          func() { writeAs("kubectl", value(2)) },
				Config:             config(2),
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				// A different one is drift: planned, and repaired.
				PreConfig: func() { writeAs("kubectl", tampered) },
				Config:    config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate), keysBefore{without: "CLIENT_SECRET"},
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(liveValue(value(2)), func(*terraform.State) error {
					repaired, err := stateFile.Read()
					if err != nil {
						return err
					}
					return acctest.ExpectStateChanges(rotated, repaired)
				}),
			},
		},
	})
}

// keysBefore checks the refreshed state the plan starts from: its `keys`
// lack the key changed outside Terraform, and hold the others.
type keysBefore struct{ without string }

func (c keysBefore) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != addr || rc.Change == nil {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		keys, _ := before["keys"].([]any)
		if len(keys) == 0 || slices.Contains(keys, any(c.without)) {
			resp.Error = fmt.Errorf("the refreshed keys are %v; want the managed keys without %s", keys, c.without)
		}
		return
	}
	resp.Error = fmt.Errorf("no change planned for %s", addr)
}
