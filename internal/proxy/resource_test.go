package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

const jellyfinHost = "jellyfin-home.example.com"

func emptyPlan() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

func expectAction(addr string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
}

func liveRules(t *testing.T, s *acctest.Sandbox) []ingress.Rule {
	t.Helper()
	cfg, err := s.Client.GetTunnelConfig(context.Background(), s.Tunnel.ID)
	if err != nil {
		t.Fatalf("reading the tunnel configuration: %v", err)
	}
	doc, err := ingress.Parse(cfg.Document)
	if err != nil {
		t.Fatal(err)
	}
	return doc.Rules
}

func describeRules(rules []ingress.Rule) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = strings.Join(strings.Fields(fmt.Sprintf("%s %s %s", r.Hostname, r.Path, r.Service)), " ")
	}
	return out
}

// checkLive compares the sandbox with what one proxy should have made.
func checkLive(s *acctest.Sandbox, hostname, service string, wantAccessEmails []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		recs, err := s.Client.ListDNSRecords(ctx, s.Zone.ID, cloudflare.DNSFilter{Name: hostname})
		if err != nil {
			return err
		}
		if len(recs) != 1 || recs[0].Type != "CNAME" || recs[0].Content != s.Tunnel.ID+".cfargotunnel.com" || !recs[0].Proxied {
			return fmt.Errorf("DNS records for %s = %+v, want one proxied CNAME to the tunnel", hostname, recs)
		}
		cfg, err := s.Client.GetTunnelConfig(ctx, s.Tunnel.ID)
		if err != nil {
			return err
		}
		doc, err := ingress.Parse(cfg.Document)
		if err != nil {
			return err
		}
		found := 0
		for _, r := range doc.Rules {
			if r.Hostname == hostname {
				found++
				if r.Service != service {
					return fmt.Errorf("rule for %s has service %q, want %q", hostname, r.Service, service)
				}
			}
		}
		if found != 1 || !doc.Rules[len(doc.Rules)-1].IsCatchAll() {
			return fmt.Errorf("rules = %q, want one rule for %s and a catch-all last", describeRules(doc.Rules), hostname)
		}
		apps, err := s.Client.ListAccessApps(ctx)
		if err != nil {
			return err
		}
		var matching []cloudflare.AccessApp
		for _, a := range apps {
			if a.Domain == hostname {
				matching = append(matching, a)
			}
		}
		if wantAccessEmails == nil {
			if len(matching) != 0 {
				return fmt.Errorf("access apps for %s = %+v, want none", hostname, matching)
			}
			return nil
		}
		if len(matching) != 1 || len(matching[0].PolicyIDs) != 1 {
			return fmt.Errorf("access apps for %s = %+v, want one with one policy", hostname, matching)
		}
		policy, err := s.Client.GetAccessPolicy(ctx, matching[0].PolicyIDs[0])
		if err != nil {
			return err
		}
		if strings.Join(policy.Emails, ",") != strings.Join(wantAccessEmails, ",") {
			return fmt.Errorf("policy e-mails = %v, want %v", policy.Emails, wantAccessEmails)
		}
		return nil
	}
}

// checkNothingLeft verifies destroy removed every object of the proxies
// and left the foreign rules.
func checkNothingLeft(s *acctest.Sandbox, wantRules ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		recs, err := s.Client.ListDNSRecords(ctx, s.Zone.ID, cloudflare.DNSFilter{})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if strings.HasSuffix(r.Content, ".cfargotunnel.com") {
				return fmt.Errorf("DNS record %s left after destroy", r.Name)
			}
		}
		apps, err := s.Client.ListAccessApps(ctx)
		if err != nil {
			return err
		}
		policies, err := s.Client.ListAccessPolicies(ctx)
		if err != nil {
			return err
		}
		if len(apps) != 0 || len(policies) != 0 {
			return fmt.Errorf("%d Access apps and %d policies left after destroy", len(apps), len(policies))
		}
		cfg, err := s.Client.GetTunnelConfig(ctx, s.Tunnel.ID)
		if err != nil {
			return err
		}
		doc, err := ingress.Parse(cfg.Document)
		if err != nil {
			return err
		}
		if got := describeRules(doc.Rules); strings.Join(got, "|") != strings.Join(wantRules, "|") {
			return fmt.Errorf("rules after destroy = %q, want %q", got, wantRules)
		}
		return nil
	}
}

func TestAccProxy_lifecycle(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	addr := "homelab_proxy.jellyfin"
	config := func(body string) string {
		return s.ProviderConfig("") + `
resource "homelab_proxy" "jellyfin" {
  name = "jellyfin"
` + body + `
}`
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(s, "http_status:404"),
		Steps: []resource.TestStep{
			{
				Config:           config(`service = "http://127.0.0.1:8096"`),
				ConfigPlanChecks: emptyPlan(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(jellyfinHost)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hostname"), knownvalue.StringExact(jellyfinHost)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tunnel_id"), knownvalue.StringExact(s.Tunnel.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("zone_id"), knownvalue.StringExact(s.Zone.ID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(8096)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access").AtMapKey("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access").AtMapKey("session_duration"), knownvalue.StringExact("24h")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access").AtMapKey("allowed_emails"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(acctest.Email)})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("dns_record_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access_application_id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access_policy_id"), knownvalue.NotNull()),
				},
				Check: checkLive(s, jellyfinHost, "http://127.0.0.1:8096", []string{acctest.Email}),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     jellyfinHost,
				ImportStateVerify: true,
			},
			{
				ResourceName: addr,
				ImportState:  true,
				ImportStateIdFunc: func(st *terraform.State) (string, error) {
					rs := st.RootModule().Resources[addr]
					return rs.Primary.Attributes["zone_id"] + "/" + rs.Primary.Attributes["dns_record_id"], nil
				},
				ImportStateVerify: true,
			},
			{
				Config: config(`
  service = "https://127.0.0.1:8920"
  path    = "^/web"
  origin_request = { no_tls_verify = true, connect_timeout = 30 }`),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(8920)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("path"), knownvalue.StringExact("^/web")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkLive(s, jellyfinHost, "https://127.0.0.1:8920", []string{acctest.Email}),
					func(*terraform.State) error {
						rules := liveRules(t, s)
						if rules[0].Path != "^/web" || rules[0].OriginRequest == nil || rules[0].OriginRequest.NoTLSVerify == nil || !*rules[0].OriginRequest.NoTLSVerify {
							return fmt.Errorf("rule = %+v, want path ^/web and noTLSVerify", rules[0])
						}
						return nil
					},
				),
			},
			{
				Config: config(`
  service = "https://127.0.0.1:8920"
  path    = "^/web"
  origin_request = { no_tls_verify = true, connect_timeout = 30 }
  access = { allowed_emails = ["b@example.com", "a@example.com"], session_duration = "12h" }`),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access").AtMapKey("session_duration"), knownvalue.StringExact("12h")),
				},
				Check: checkLive(s, jellyfinHost, "https://127.0.0.1:8920", []string{"a@example.com", "b@example.com"}),
			},
			{
				Config: config(`
  service = "http://127.0.0.1:8096"
  access  = { enabled = false }`),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access_application_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access_policy_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("path"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					checkLive(s, jellyfinHost, "http://127.0.0.1:8096", nil),
					func(*terraform.State) error {
						policies, err := s.Client.ListAccessPolicies(context.Background())
						if err != nil || len(policies) != 0 {
							return fmt.Errorf("policies after disabling Access = %v (%v), want none", policies, err)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     jellyfinHost,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccProxy_explicitHostnameAndImportBlock(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	ctx := context.Background()
	// An existing hand-made setup: a CNAME and a rule, no Access.
	rec, err := s.Client.CreateCNAME(ctx, s.Zone.ID, cloudflare.CNAME{Name: "ssh.example.com", Target: s.Tunnel.ID + ".cfargotunnel.com"})
	if err != nil {
		t.Fatal(err)
	}
	putRules(t, s, `{"hostname":"ssh.example.com","service":"ssh://localhost:22"}`, `{"service":"http_status:404"}`)
	addr := "homelab_proxy.ssh"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(s, "http_status:404"),
		Steps: []resource.TestStep{{
			Config: s.ProviderConfig("") + `
import {
  to = homelab_proxy.ssh
  id = "ssh.example.com"
}
resource "homelab_proxy" "ssh" {
  hostname = "ssh.example.com"
  service  = "ssh://localhost:22"
  access   = { enabled = false }
}`,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("dns_record_id"), knownvalue.StringExact(rec.ID)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(22)),
			},
		}},
	})
}

func putRules(t *testing.T, s *acctest.Sandbox, rules ...string) {
	t.Helper()
	doc := json.RawMessage(`{"ingress":[` + strings.Join(rules, ",") + `]}`)
	if _, err := s.Client.PutTunnelConfig(context.Background(), s.Tunnel.ID, doc); err != nil {
		t.Fatalf("writing rules: %v", err)
	}
}

func regexpMust(pattern string) *regexp.Regexp { return regexp.MustCompile(pattern) }
