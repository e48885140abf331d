package servicetoken_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

const addr = "homelab_access_service_token.t"

var clientIDRE = regexp.MustCompile(`^[0-9a-f]{32}\.access$`)

// seen collects every client secret the sandbox issued during a test, so
// that the state, plan and log checks look for all of them.
type seen struct {
	mu      sync.Mutex
	secrets []string
}

func (s *seen) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.secrets {
		if have == v {
			return
		}
	}
	s.secrets = append(s.secrets, v)
}

func (s *seen) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.secrets...)
}

// noSecretsInPlan fails when a secret shows up in the plan JSON's values.
type noSecretsInPlan struct{ seen *seen }

func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal([]any{req.Plan.PlannedValues, req.Plan.ResourceChanges, req.Plan.PriorState, req.Plan.OutputChanges, req.Plan.ResourceDrift})
	if err != nil {
		resp.Error = err
		return
	}
	for _, v := range c.seen.all() {
		if strings.Contains(string(raw), v) {
			resp.Error = fmt.Errorf("a client secret appears in the plan JSON")
			return
		}
	}
}

func providerBlock(t *testing.T, s *acctest.Sandbox, kube string) string {
	t.Setenv("CLOUDFLARE_API_TOKEN", s.API.Token())
	return fmt.Sprintf(`
provider "homelab" {
  cloudflare = {
    account_id          = %q
    base_url            = %q
    requests_per_second = 500
  }
  %s
}
`, s.API.AccountID(), s.URL, kube)
}

// token is the sandbox's only service token; it records its secret.
func token(t *testing.T, s *acctest.Sandbox, sn *seen) (id, clientID, secret string) {
	t.Helper()
	ts := s.API.ServiceTokens()
	if len(ts) != 1 {
		t.Fatalf("the sandbox holds %d service tokens, want 1", len(ts))
	}
	sn.add(ts[0].ClientSecret)
	return ts[0].ID, ts[0].ClientID, ts[0].ClientSecret
}

func TestAccAccessServiceToken_kubernetes(t *testing.T) {
	cluster := acctest.Kube(t)
	s := acctest.NewSandbox(t)
	ns := cluster.Namespace(t, "cf-access")
	state := acctest.NewStateFile(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	ctx := context.Background()
	secretsAPI := cluster.Clientset.CoreV1().Secrets(ns)
	// A key of someone else's in the Secret, which the provider leaves alone.
	if _, err := secretsAPI.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "cf-access"}, Data: map[string][]byte{"OTHER": []byte("kept")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sn := &seen{}
	config := func(version int) string {
		return providerBlock(t, s, cluster.ProviderBlock()) + fmt.Sprintf(`
resource "homelab_access_service_token" "t" {
  name           = "home-assistant-ios"
  duration       = "720h"
  secret_version = %d
  deliver_to = {
    kubernetes_secret = { namespace = %q, name = "cf-access", create_namespace = true }
  }
}`, version, ns)
	}
	var lastSecret string
	delivered := func(*terraform.State) error {
		_, clientID, secret := token(t, s, sn)
		live, err := secretsAPI.Get(ctx, "cf-access", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if string(live.Data["CF_ACCESS_CLIENT_ID"]) != clientID || string(live.Data["CF_ACCESS_CLIENT_SECRET"]) != secret {
			return fmt.Errorf("the Secret does not hold the token's client id and secret")
		}
		if string(live.Data["OTHER"]) != "kept" {
			return fmt.Errorf("the Secret's other key was touched")
		}
		if secret == lastSecret {
			return fmt.Errorf("the Secret holds the previous secret")
		}
		lastSecret = secret
		return nil
	}
	nothingInState := func(*terraform.State) error {
		raw, err := state.Read()
		if err != nil {
			return err
		}
		return acctest.NothingDerivedFrom(raw, sn.all()...)
	}
	checks := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action), noSecretsInPlan{sn}},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{sn}},
		}
	}
	var firstID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := len(s.API.ServiceTokens()); n != 0 {
				return fmt.Errorf("%d service tokens left after destroy", n)
			}
			live, err := secretsAPI.Get(ctx, "cf-access", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if _, ok := live.Data["CF_ACCESS_CLIENT_SECRET"]; ok || string(live.Data["OTHER"]) != "kept" {
				return fmt.Errorf("destroy must remove the two keys and keep the others: %d keys left", len(live.Data))
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:           config(1),
				ConfigPlanChecks: checks(plancheck.ResourceActionCreate),
				Check: resource.ComposeTestCheckFunc(delivered, nothingInState, func(*terraform.State) error {
					firstID, _, _ = token(t, s, sn)
					return nil
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("client_id"), knownvalue.StringRegexp(clientIDRE)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("duration"), knownvalue.StringExact("720h")),
				},
			},
			// Rotation: the Secret gets the new secret; the token and its client id stay.
			{
				Config:           config(2),
				ConfigPlanChecks: checks(plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(delivered, nothingInState, func(*terraform.State) error {
					if id, _, _ := token(t, s, sn); id != firstID {
						return fmt.Errorf("rotation replaced the token")
					}
					return nil
				}),
			},
			// The Secret deleted: the secret cannot be read back, so a rotation is planned.
			{
				PreConfig: func() {
					if err := secretsAPI.Delete(ctx, "cf-access", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config(2),
				ConfigPlanChecks: checks(plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(func(*terraform.State) error {
					live, err := secretsAPI.Get(ctx, "cf-access", metav1.GetOptions{})
					if err != nil {
						return err
					}
					_, clientID, secret := token(t, s, sn)
					if string(live.Data["CF_ACCESS_CLIENT_ID"]) != clientID || string(live.Data["CF_ACCESS_CLIENT_SECRET"]) != secret || secret == lastSecret {
						return fmt.Errorf("the recreated Secret does not hold a new secret")
					}
					lastSecret = secret
					// Put the other key back for the checks after it.
					live.Data["OTHER"] = []byte("kept")
					_, err = secretsAPI.Update(ctx, live, metav1.UpdateOptions{})
					return err
				}, nothingInState),
			},
			// The secret key overwritten by another client: the provider's field
			// manager lost it, so a rotation is planned.
			{
				PreConfig: func() {
					live, err := secretsAPI.Get(ctx, "cf-access", metav1.GetOptions{})
					if err != nil {
						t.Fatal(err)
					}
					live.Data["CF_ACCESS_CLIENT_SECRET"] = []byte("pasted-by-hand")
					if _, err := secretsAPI.Update(ctx, live, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config(2),
				ConfigPlanChecks: checks(plancheck.ResourceActionUpdate),
				Check:            resource.ComposeTestCheckFunc(delivered, nothingInState),
			},
			// The token deleted outside Terraform: made again and delivered.
			{
				PreConfig: func() {
					if !s.API.DeleteServiceToken(firstID) {
						t.Fatal("the token was not there to delete")
					}
				},
				Config:           config(2),
				ConfigPlanChecks: checks(plancheck.ResourceActionCreate),
				Check: resource.ComposeTestCheckFunc(delivered, nothingInState, func(*terraform.State) error {
					if id, _, _ := token(t, s, sn); id == firstID {
						return fmt.Errorf("the token was not made again")
					}
					return nil
				}),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"deliver_to", "secret_version"},
			},
		},
	})
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) < 1000 || !strings.Contains(string(logs), "access/service_tokens") {
		t.Fatalf("the trace log (%d bytes) does not show the token's requests: the check would prove nothing", len(logs))
	}
	for _, v := range sn.all() {
		if strings.Contains(string(logs), v) {
			t.Errorf("a client secret appears in the TF_LOG=trace output")
		}
	}
	if n := len(sn.all()); n != 5 {
		t.Errorf("%d secrets were issued, want one per create and rotation (5)", n)
	}
}

func TestAccAccessServiceToken_onePassword(t *testing.T) {
	s := acctest.NewSandbox(t)
	state := acctest.NewStateFile(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	items := &secrets.MemoryItems{}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"homelab": func() (tfprotov6.ProviderServer, error) {
			return provider.NewServer(provider.NewWithSecrets("acctest", acctest.Secrets, items))(), nil
		},
	}
	sn := &seen{}
	config := func(version int, renew string) string {
		return providerBlock(t, s, "") + fmt.Sprintf(`
resource "homelab_access_service_token" "t" {
  name           = "ci"
  secret_version = %d
  %s
  deliver_to = {
    onepassword_item = { vault = "homelab", title = "CI Access token" }
  }
}`, version, renew)
	}
	var lastSecret string
	delivered := func(*terraform.State) error {
		_, clientID, secret := token(t, s, sn)
		f := items.Fields("homelab", "CI Access token")
		if f["CF_ACCESS_CLIENT_ID"].Value != clientID || f["CF_ACCESS_CLIENT_SECRET"].Value != secret || !f["CF_ACCESS_CLIENT_SECRET"].Concealed {
			return fmt.Errorf("the item does not hold the token's client id and concealed secret")
		}
		if secret == lastSecret {
			return fmt.Errorf("the item holds the previous secret")
		}
		lastSecret = secret
		return nil
	}
	nothingInState := func(*terraform.State) error {
		raw, err := state.Read()
		if err != nil {
			return err
		}
		return acctest.NothingDerivedFrom(raw, sn.all()...)
	}
	checks := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action), noSecretsInPlan{sn}},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noSecretsInPlan{sn}},
		}
	}
	var expiry string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:           config(1, `renew_before = "720h"`),
				ConfigPlanChecks: checks(plancheck.ResourceActionCreate),
				Check: resource.ComposeTestCheckFunc(delivered, nothingInState, func(st *terraform.State) error {
					expiry = st.RootModule().Resources[addr].Primary.Attributes["expires_at"]
					if e, err := time.Parse(time.RFC3339, expiry); err != nil || time.Until(e) < 8000*time.Hour {
						return fmt.Errorf("expires_at %q, want about a year away (the default duration)", expiry)
					}
					return nil
				}),
			},
			{
				Config:           config(2, `renew_before = "720h"`),
				ConfigPlanChecks: checks(plancheck.ResourceActionUpdate),
				Check:            resource.ComposeTestCheckFunc(delivered, nothingInState),
			},
			// Close to its expiry: the apply refreshes it, with the same secret.
			{
				PreConfig: func() {
					id, _, _ := token(t, s, sn)
					s.API.SetServiceTokenExpiry(id, time.Now().Add(100*time.Hour))
				},
				Config:           config(2, `renew_before = "720h"`),
				ConfigPlanChecks: checks(plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(nothingInState, func(st *terraform.State) error {
					e, err := time.Parse(time.RFC3339, st.RootModule().Resources[addr].Primary.Attributes["expires_at"])
					if err != nil || time.Until(e) < 8000*time.Hour {
						return fmt.Errorf("the expiry was not refreshed: %v", e)
					}
					if _, _, secret := token(t, s, sn); secret != lastSecret {
						return fmt.Errorf("a refresh must keep the secret")
					}
					return nil
				}),
			},
		},
	})
	if n := items.Writes(); n != 2 {
		t.Errorf("%d item writes, want 2 (create and rotation)", n)
	}
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) < 1000 {
		t.Fatalf("the trace log has %d bytes: the check would prove nothing", len(logs))
	}
	for _, v := range sn.all() {
		if strings.Contains(string(logs), v) {
			t.Errorf("a client secret appears in the TF_LOG=trace output")
		}
	}
}

func TestAccAccessServiceToken_createNamespace(t *testing.T) {
	cluster := acctest.Kube(t)
	s := acctest.NewSandbox(t)
	ns := fmt.Sprintf("cf-access-new-%d", time.Now().UnixNano()%1_000_000)
	sn := &seen{}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerBlock(t, s, cluster.ProviderBlock()) + fmt.Sprintf(`
resource "homelab_access_service_token" "t" {
  name = "new-namespace"
  deliver_to = {
    kubernetes_secret = { namespace = %q, name = "cf-access", create_namespace = true }
  }
}`, ns),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check: func(*terraform.State) error {
				_, clientID, secret := token(t, s, sn)
				live, err := cluster.Clientset.CoreV1().Secrets(ns).Get(context.Background(), "cf-access", metav1.GetOptions{})
				if err != nil {
					return fmt.Errorf("the Secret in the namespace made on request: %w", err)
				}
				if string(live.Data["CF_ACCESS_CLIENT_ID"]) != clientID || string(live.Data["CF_ACCESS_CLIENT_SECRET"]) != secret || len(live.Data) != 2 {
					return fmt.Errorf("the Secret holds %d keys, not the token's two", len(live.Data))
				}
				return nil
			},
		}},
	})
}
