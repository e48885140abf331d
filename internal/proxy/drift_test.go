package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/proxy"
)

// TestAccProxy_driftRepair deletes or edits each of the three objects out
// of band, one at a time, and expects the next plan to show the repair and
// the apply to make it.
func TestAccProxy_driftRepair(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	ctx := context.Background()
	addr := "homelab_proxy.jellyfin"
	config := s.ProviderConfig("") + `
resource "homelab_proxy" "jellyfin" {
  name    = "jellyfin"
  service = "http://127.0.0.1:8096"
}`
	state := func(st *terraform.State, attr string) string {
		return st.RootModule().Resources[addr].Primary.Attributes[attr]
	}
	var last *terraform.State
	keep := func(st *terraform.State) error { last = st; return nil } //nolint:unparam // a resource.TestCheckFunc
	live := checkLive(s, jellyfinHost, "http://127.0.0.1:8096", []string{acctest.Email})
	step := func(name string, outOfBand func() error) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				if err := outOfBand(); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			},
			Config:           config,
			ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
			Check:            resource.ComposeTestCheckFunc(live, keep),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(s, "http_status:404"),
		Steps: []resource.TestStep{
			{Config: config, ConfigPlanChecks: emptyPlan(), Check: resource.ComposeTestCheckFunc(live, keep)},
			step("delete the DNS record", func() error {
				return s.Client.DeleteDNSRecord(ctx, s.Zone.ID, state(last, "dns_record_id"))
			}),
			step("point the DNS record elsewhere", func() error {
				_, err := s.Client.UpdateCNAME(ctx, s.Zone.ID, state(last, "dns_record_id"), cloudflare.CNAME{Name: jellyfinHost, Target: "elsewhere.example.net"})
				return err
			}),
			step("delete the ingress rule", func() error {
				_, err := s.Client.UpdateTunnelConfig(ctx, s.Tunnel.ID, func(doc json.RawMessage) (json.RawMessage, bool, error) {
					d, err := ingress.Parse(doc)
					if err != nil || !d.Remove(jellyfinHost, "") {
						return nil, false, fmt.Errorf("rule not found (%v)", err)
					}
					out, err := d.Marshal()
					return out, true, err
				})
				return err
			}),
			step("edit the ingress rule", func() error {
				_, err := s.Client.UpdateTunnelConfig(ctx, s.Tunnel.ID, func(doc json.RawMessage) (json.RawMessage, bool, error) {
					d, err := ingress.Parse(doc)
					if err != nil {
						return nil, false, err
					}
					d.Upsert(ingress.Rule{Hostname: jellyfinHost, Service: "http://127.0.0.1:9999"})
					out, err := d.Marshal()
					return out, true, err
				})
				return err
			}),
			step("delete the Access application", func() error {
				return s.Client.DeleteAccessApp(ctx, state(last, "access_application_id"))
			}),
			step("edit the Access policy e-mails", func() error {
				_, err := s.Client.UpdateAccessPolicy(ctx, cloudflare.AccessPolicy{
					ID: state(last, "access_policy_id"), Name: "changed", Emails: []string{"intruder@example.net"}, SessionDuration: "24h",
				})
				return err
			}),
			step("delete the Access application and its policy", func() error {
				if err := s.Client.DeleteAccessApp(ctx, state(last, "access_application_id")); err != nil {
					return err
				}
				return s.Client.DeleteAccessPolicy(ctx, state(last, "access_policy_id"))
			}),
			{
				PreConfig: func() {
					// Everything gone: the proxy leaves the state and is created again.
					if err := s.Client.DeleteDNSRecord(ctx, s.Zone.ID, state(last, "dns_record_id")); err != nil {
						t.Fatal(err)
					}
					if err := s.Client.DeleteAccessApp(ctx, state(last, "access_application_id")); err != nil {
						t.Fatal(err)
					}
					if err := s.Client.DeleteAccessPolicy(ctx, state(last, "access_policy_id")); err != nil {
						t.Fatal(err)
					}
					putRules(t, s, `{"service":"http_status:404"}`)
				},
				Config:           config,
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionCreate),
				Check:            live,
			},
		},
	})
}

// TestAccProxy_adoptsAfterInterruptedApply simulates an apply that died
// after creating the Access policy and the DNS record: the next apply
// adopts both instead of creating duplicates.
func TestAccProxy_adoptsAfterInterruptedApply(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	ctx := context.Background()
	rec, err := s.Client.CreateCNAME(ctx, s.Zone.ID, cloudflare.CNAME{Name: jellyfinHost, Target: s.Tunnel.ID + ".cfargotunnel.com"})
	if err != nil {
		t.Fatal(err)
	}
	policy, err := s.Client.CreateAccessPolicy(ctx, cloudflare.AccessPolicy{Name: proxy.PolicyName([]string{acctest.Email}, "24h"), Emails: []string{acctest.Email}, SessionDuration: "24h"})
	if err != nil {
		t.Fatal(err)
	}
	addr := "homelab_proxy.jellyfin"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(s, "http_status:404"),
		Steps: []resource.TestStep{{
			Config: s.ProviderConfig("") + `
resource "homelab_proxy" "jellyfin" {
  name    = "jellyfin"
  service = "http://127.0.0.1:8096"
}`,
			ConfigPlanChecks: emptyPlan(),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(addr, "dns_record_id", rec.ID),
				resource.TestCheckResourceAttr(addr, "access_policy_id", policy.ID),
				checkLive(s, jellyfinHost, "http://127.0.0.1:8096", []string{acctest.Email}),
				func(*terraform.State) error {
					policies, err := s.Client.ListAccessPolicies(ctx)
					if err != nil || len(policies) != 1 {
						return fmt.Errorf("policies = %v (%v), want exactly the adopted one", policies, err)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccProxy_recordConflict refuses to take over a record that points
// somewhere else, and says how to import it.
func TestAccProxy_recordConflict(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	if _, err := s.Client.CreateCNAME(context.Background(), s.Zone.ID, cloudflare.CNAME{Name: jellyfinHost, Target: "nas.example.net"}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: s.ProviderConfig("") + `
resource "homelab_proxy" "jellyfin" {
  name    = "jellyfin"
  service = "http://127.0.0.1:8096"
}`,
			ExpectError: regexpMust(`(?s)Error Creating Proxy jellyfin-home\.example\.com.*CNAME record.*nas\.example\.net.*import`),
		}},
	})
}

// TestAccProxy_manyOnOneTunnel applies 40 proxies on one tunnel with the
// CLI's default parallelism of 10: no rule may be lost, a foreign rule
// written beforehand survives, and destroy leaves only it and the
// catch-all.
func TestAccProxy_manyOnOneTunnel(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	foreign := `{"hostname":"legacy.example.com","service":"http://10.0.0.9:80","originRequest":{"caPool":"/etc/ca.pem"}}`
	putRules(t, s, foreign, `{"service":"http_status:404"}`)
	const n = 40
	config := s.ProviderConfig("") + fmt.Sprintf(`
resource "homelab_proxy" "svc" {
  count   = %d
  name    = "svc${count.index}"
  service = "http://127.0.0.1:${9000 + count.index}"
}`, n)
	phase := func(name string) {
		t.Logf("%s: %d requests: %v", name, s.API.Total(), s.API.Counts())
		s.API.ResetCounts()
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(s, "legacy.example.com http://10.0.0.9:80", "http_status:404"),
		Steps: []resource.TestStep{
			{
				Config:           config,
				ConfigPlanChecks: emptyPlan(),
				Check: func(*terraform.State) error {
					phase("apply (40 proxies)")
					rules := liveRules(t, s)
					if len(rules) != n+2 {
						return fmt.Errorf("%d rules, want %d: %q", len(rules), n+2, describeRules(rules))
					}
					seen := map[string]bool{}
					for _, r := range rules[:len(rules)-1] {
						seen[r.Hostname] = true
					}
					for i := 0; i < n; i++ {
						if h := fmt.Sprintf("svc%d-home.example.com", i); !seen[h] {
							return fmt.Errorf("rule for %s lost", h)
						}
					}
					if !seen["legacy.example.com"] || string(rules[0].Raw()) != foreign {
						return fmt.Errorf("foreign rule changed: %s", rules[0].Raw())
					}
					if !rules[len(rules)-1].IsCatchAll() {
						return fmt.Errorf("last rule %q is not the catch-all", describeRules(rules[len(rules)-1:]))
					}
					recs, err := s.Client.ListDNSRecords(context.Background(), s.Zone.ID, cloudflare.DNSFilter{Type: "CNAME"})
					if err != nil || len(recs) != n {
						return fmt.Errorf("%d CNAME records (%v), want %d", len(recs), err, n)
					}
					return nil
				},
			},
			{
				PreConfig: func() { phase("post-apply refresh and plan (40 proxies)") },
				Config:    config,
				PlanOnly:  true,
			},
			{
				PreConfig: func() { phase("plan (40 proxies)") },
				Config:    config,
				Destroy:   true,
				Check: func(*terraform.State) error {
					phase("refresh and destroy (40 proxies)")
					return nil
				},
			},
		},
	})
}
