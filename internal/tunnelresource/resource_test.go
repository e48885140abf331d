package tunnelresource_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
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
)

const addr = "homelab_tunnel.t"

// Counter keys of the local API.
const (
	keyCreate = "POST /accounts/{account_id}/cfd_tunnel"
	keyPatch  = "PATCH /accounts/{account_id}/cfd_tunnel/{tunnel_id}"
)

func tunnelConfig(s *acctest.Sandbox, name string, secretVersion int) string {
	return s.ProviderConfig("") + fmt.Sprintf(`
resource "homelab_tunnel" "t" {
  name           = %q
  secret_version = %d
}
`, name, secretVersion)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// tunnelSecret is the secret inside the tunnel's token as the API mints it
// now; tests compare it, never print it.
func tunnelSecret(t *testing.T, s *acctest.Sandbox, id string) string {
	t.Helper()
	token, err := s.Client.TunnelToken(ctx(t), id)
	if err != nil {
		t.Fatalf("reading the token of %s: %v", id, err)
	}
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		t.Fatal("the token is not base64")
	}
	var parts struct{ S string }
	if err := json.Unmarshal(raw, &parts); err != nil || parts.S == "" {
		t.Fatal("the token has no secret")
	}
	return parts.S
}

func stateID(st *terraform.State) string { return st.RootModule().Resources[addr].Primary.ID }

// liveNamed counts the account's live tunnels of a name.
func liveNamed(t *testing.T, s *acctest.Sandbox, name string) int {
	t.Helper()
	_, found, err := s.Client.FindTunnel(ctx(t), name)
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		return 0
	}
	return 1
}

// checkDeleted: the tunnel is soft-deleted and has no connector left.
func checkDeleted(s *acctest.Sandbox, id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := s.Client.GetTunnel(context.Background(), *id)
		if err != nil {
			return fmt.Errorf("reading the destroyed tunnel: %w", err)
		}
		if !got.Deleted {
			return fmt.Errorf("tunnel %s is still live after destroy", *id)
		}
		if n := s.API.Connectors(*id); n != 0 {
			return fmt.Errorf("tunnel %s still has %d connectors", *id, n)
		}
		return nil
	}
}

func TestAccTunnel_lifecycle(t *testing.T) {
	s := acctest.NewSandbox(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var id, secret string
	var patches int
	empty := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkDeleted(s, &id),
		Steps: []resource.TestStep{
			{
				Config:           tunnelConfig(s, "lab", 1),
				ConfigPlanChecks: empty,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("lab")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("inactive")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cname"),
						knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}\.cfargotunnel\.com$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				},
				Check: func(st *terraform.State) error {
					id = stateID(st)
					got, err := s.Client.GetTunnel(ctx(t), id)
					if err != nil || got.Name != "lab" || got.ConfigSrc != "cloudflare" {
						return fmt.Errorf("the API has %+v (%v), want a remotely managed tunnel named lab", got, err)
					}
					if st.RootModule().Resources[addr].Primary.Attributes["cname"] != id+".cfargotunnel.com" {
						return fmt.Errorf("cname is not <id>.cfargotunnel.com")
					}
					secret = tunnelSecret(t, s, id)
					patches = s.API.Counts()[keyPatch]
					return nil
				},
			},
			{
				// Rename in place.
				Config: tunnelConfig(s, "lab-renamed", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					if liveNamed(t, s, "lab-renamed") != 1 || liveNamed(t, s, "lab") != 0 {
						return fmt.Errorf("the tunnel was not renamed in place")
					}
					if tunnelSecret(t, s, id) != secret {
						return fmt.Errorf("a rename changed the secret")
					}
					return nil
				},
			},
			{
				// Rotate: one PATCH, a new secret.
				Config: tunnelConfig(s, "lab-renamed", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_version"), knownvalue.Int64Exact(2)),
				},
				Check: func(*terraform.State) error {
					if tunnelSecret(t, s, id) == secret {
						return fmt.Errorf("bumping secret_version did not rotate the secret")
					}
					// One rename and one rotation since the first step.
					if n := s.API.Counts()[keyPatch] - patches; n != 2 {
						return fmt.Errorf("%d PATCH requests for a rename and a rotation, want 2", n)
					}
					return nil
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_version"},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           "lab-renamed",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_version"},
			},
			{
				// Renamed out of band: planned as an update, renamed back.
				PreConfig: func() {
					if _, err := s.Client.RenameTunnel(ctx(t), id, "renamed-by-hand"); err != nil {
						t.Fatal(err)
					}
				},
				Config: tunnelConfig(s, "lab-renamed", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					if liveNamed(t, s, "lab-renamed") != 1 {
						return fmt.Errorf("the name was not repaired")
					}
					return nil
				},
			},
			{
				// Deleted out of band: removed from state and made again. A
				// cloudflared then connects, and destroy must still work.
				PreConfig: func() {
					if err := s.Client.DeleteTunnel(ctx(t), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: tunnelConfig(s, "lab-renamed", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(st *terraform.State) error {
					old := id
					id = stateID(st)
					if id == old {
						return fmt.Errorf("the deleted tunnel's id %s is still in state", old)
					}
					if liveNamed(t, s, "lab-renamed") != 1 {
						return fmt.Errorf("the tunnel was not made again")
					}
					if _, err := s.API.Connect(id); err != nil {
						return err
					}
					return nil
				},
			},
		},
	})
}

// TestAccTunnel_adoptsAfterInterruptedApply: a live tunnel of the name
// (made by an apply that died before saving state) is adopted, not made
// twice, and no create request is sent.
func TestAccTunnel_adoptsAfterInterruptedApply(t *testing.T) {
	s := acctest.NewSandbox(t)
	before, err := s.API.AddTunnel("lab")
	if err != nil {
		t.Fatal(err)
	}
	id := before.ID
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkDeleted(s, &id),
		Steps: []resource.TestStep{{
			Config: tunnelConfig(s, "lab", 1),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(before.ID)),
			},
			Check: func(*terraform.State) error {
				if n := s.API.Counts()[keyCreate]; n != 0 {
					return fmt.Errorf("%d tunnel creations, want 0: the existing tunnel must be adopted", n)
				}
				if tunnelSecret(t, s, before.ID) != before.Secret {
					return fmt.Errorf("adoption changed the secret")
				}
				return nil
			},
		}},
	})
}

// TestAccTunnel_importBlocks: import blocks by name and by id plan no
// replacement (only recording secret_version), send no PATCH and keep the
// secret; the next plan is empty.
func TestAccTunnel_importBlocks(t *testing.T) {
	s := acctest.NewSandbox(t)
	byName, err := s.API.AddTunnel("by-name")
	if err != nil {
		t.Fatal(err)
	}
	byID, err := s.API.AddTunnel("by-id")
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{byName.ID, byID.ID}
	noReplace := func(a string) plancheck.PlanCheck {
		return plancheck.ExpectResourceAction(a, plancheck.ResourceActionUpdate)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkDeleted(s, &ids[0]), checkDeleted(s, &ids[1])),
		Steps: []resource.TestStep{{
			Config: s.ProviderConfig("") + `
import {
  to = homelab_tunnel.by_name
  id = "by-name"
}
import {
  to = homelab_tunnel.by_id
  id = "` + byID.ID + `"
}
resource "homelab_tunnel" "by_name" {
  name           = "by-name"
  secret_version = 1
}
resource "homelab_tunnel" "by_id" {
  name           = "by-id"
  secret_version = 1
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{noReplace("homelab_tunnel.by_name"), noReplace("homelab_tunnel.by_id")},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("homelab_tunnel.by_name", tfjsonpath.New("id"), knownvalue.StringExact(byName.ID)),
				statecheck.ExpectKnownValue("homelab_tunnel.by_id", tfjsonpath.New("id"), knownvalue.StringExact(byID.ID)),
				statecheck.ExpectKnownValue("homelab_tunnel.by_id", tfjsonpath.New("secret_version"), knownvalue.Int64Exact(1)),
			},
			Check: func(*terraform.State) error {
				if n := s.API.Counts()[keyPatch] + s.API.Counts()[keyCreate]; n != 0 {
					return fmt.Errorf("%d tunnel writes for two imports, want 0", n)
				}
				if tunnelSecret(t, s, byName.ID) != byName.Secret || tunnelSecret(t, s, byID.ID) != byID.Secret {
					return fmt.Errorf("an import rotated a secret")
				}
				return nil
			},
		}},
	})
}

func TestAccTunnel_importUnknownName(t *testing.T) {
	s := acctest.NewSandbox(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: s.ProviderConfig("") + `
import {
  to = homelab_tunnel.t
  id = "nowhere"
}
resource "homelab_tunnel" "t" {
  name = "nowhere"
}
`,
			ExpectError: regexp.MustCompile(`Error Importing Tunnel nowhere`),
		}},
	})
}

// TestAccTunnel_refusesLocallyManaged: a live tunnel of the name that is
// configured by a file on its host is not adopted; the error says so.
func TestAccTunnel_refusesLocallyManaged(t *testing.T) {
	s := acctest.NewSandbox(t)
	body := strings.NewReader(`{"name":"local-lab","config_src":"local","tunnel_secret":"` +
		base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))) + `"}`)
	req, err := http.NewRequest(http.MethodPost, s.URL+"/accounts/"+s.API.AccountID()+"/cfd_tunnel", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.API.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("making a locally managed tunnel: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tunnelConfig(s, "local-lab", 1),
			ExpectError: regexp.MustCompile(`(?s)Error Creating Tunnel local-lab.*configured locally`),
		}},
	})
}
