package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

const wildcardHost = "*.apps.example.com"

// checkRuleOrder compares the tunnel's rules with want ("hostname service").
func checkRuleOrder(t *testing.T, s *acctest.Sandbox, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := describeRules(liveRules(t, s)); strings.Join(got, "|") != strings.Join(want, "|") {
			return fmt.Errorf("rules = %q, want %q", got, want)
		}
		return nil
	}
}

// checkAnswer asks the sandbox which record answers a DNS query for name:
// wantName is the record's own name, "" for no answer.
func checkAnswer(s *acctest.Sandbox, name, wantName string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := s.API.Resolve(s.Zone.ID, name, "A")
		switch {
		case wantName == "" && len(got) == 0:
			return nil
		case wantName == "":
			return fmt.Errorf("%s is answered by %s, want no answer", name, got[0].Name)
		case len(got) != 1 || got[0].Name != wantName || got[0].Content != s.Tunnel.ID+".cfargotunnel.com" || !got[0].Proxied:
			return fmt.Errorf("%s is answered by %+v, want the proxied CNAME %s to the tunnel", name, got, wantName)
		}
		return nil
	}
}

// TestAccProxy_wildcard publishes *.apps.example.com next to specific
// hostnames of the same domain: a proxied wildcard CNAME, a wildcard rule
// kept after every more specific rule (also one created later), an Access
// application on the wildcard domain; then drift, import, and destroy of
// the wildcard alone and of everything.
func TestAccProxy_wildcard(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	ctx := context.Background()
	addr := "homelab_proxy.apps"
	wildcard := `
resource "homelab_proxy" "apps" {
  hostname = "*.apps.example.com"
  service  = "http://127.0.0.1:8080"
}`
	specific := func(name, port string) string {
		return fmt.Sprintf(`
resource "homelab_proxy" %q {
  hostname = "%s.apps.example.com"
  service  = "http://127.0.0.1:%s"
}`, name, name, port)
	}
	base := s.ProviderConfig("")
	var last *terraform.State
	keep := func(st *terraform.State) error { last = st; return nil }
	const grafana, zulip = "grafana.apps.example.com http://127.0.0.1:3000", "zulip.apps.example.com http://127.0.0.1:9000"
	const wild = "*.apps.example.com http://127.0.0.1:8080"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkNothingLeft(s, "http_status:404"),
			checkAnswer(s, "jellyfin.apps.example.com", ""),
		),
		Steps: []resource.TestStep{
			{
				Config:           base + wildcard + specific("grafana", "3000"),
				ConfigPlanChecks: emptyPlan(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(wildcardHost)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(8080)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access_application_id"), knownvalue.NotNull()),
				},
				Check: resource.ComposeTestCheckFunc(
					checkLive(s, wildcardHost, "http://127.0.0.1:8080", []string{acctest.Email}),
					checkLive(s, "grafana.apps.example.com", "http://127.0.0.1:3000", []string{acctest.Email}),
					checkRuleOrder(t, s, grafana, wild, "http_status:404"),
					checkAnswer(s, "jellyfin.apps.example.com", wildcardHost),
					checkAnswer(s, "a.b.apps.example.com", wildcardHost),
					checkAnswer(s, "grafana.apps.example.com", "grafana.apps.example.com"),
					checkAnswer(s, "apps.example.com", ""),
					keep,
				),
			},
			{
				// A specific proxy made after the wildcard goes before it.
				Config:           base + wildcard + specific("grafana", "3000") + specific("zulip", "9000"),
				ConfigPlanChecks: expectAction("homelab_proxy.zulip", plancheck.ResourceActionCreate),
				Check: resource.ComposeTestCheckFunc(
					checkRuleOrder(t, s, grafana, zulip, wild, "http_status:404"),
					checkAnswer(s, "zulip.apps.example.com", "zulip.apps.example.com"),
				),
			},
			{
				// Out of band: the wildcard CNAME is deleted and the
				// wildcard rule is moved first, with another service.
				PreConfig: func() {
					id := last.RootModule().Resources[addr].Primary.Attributes["dns_record_id"]
					if err := s.Client.DeleteDNSRecord(ctx, s.Zone.ID, id); err != nil {
						t.Fatal(err)
					}
					rules := []string{`{"hostname":"*.apps.example.com","service":"http://127.0.0.1:1"}`}
					for _, r := range liveRules(t, s) {
						if r.Hostname != wildcardHost {
							rules = append(rules, string(r.Raw()))
						}
					}
					putRules(t, s, rules...)
				},
				Config:           base + wildcard + specific("grafana", "3000") + specific("zulip", "9000"),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(
					checkRuleOrder(t, s, grafana, zulip, wild, "http_status:404"),
					checkAnswer(s, "jellyfin.apps.example.com", wildcardHost),
				),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: wildcardHost, ImportStateVerify: true},
			{
				// Destroying the wildcard alone leaves the specific proxies.
				Config:           base + specific("grafana", "3000") + specific("zulip", "9000"),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionDestroy),
				Check: resource.ComposeTestCheckFunc(
					checkRuleOrder(t, s, grafana, zulip, "http_status:404"),
					checkAnswer(s, "jellyfin.apps.example.com", ""),
					checkAnswer(s, "grafana.apps.example.com", "grafana.apps.example.com"),
					func(*terraform.State) error {
						apps, err := s.Client.ListAccessApps(ctx)
						if err != nil {
							return err
						}
						for _, a := range apps {
							if a.Domain == wildcardHost {
								return fmt.Errorf("the wildcard's Access application is left: %+v", a)
							}
						}
						return nil
					},
				),
			},
			{
				Config:           base + wildcard + specific("grafana", "3000") + specific("zulip", "9000"),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionCreate),
				Check:            checkRuleOrder(t, s, grafana, zulip, wild, "http_status:404"),
			},
		},
	})
}

// TestAccProxy_wildcardHandWrittenRules keeps a hand-written rule for a
// specific name below the wildcard ahead of the provider's wildcard rule.
func TestAccProxy_wildcardHandWrittenRules(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	putRules(t, s, `{"hostname":"legacy.apps.example.com","service":"http://10.0.0.9:80","x-by-hand":true}`, `{"service":"http_status:503"}`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(s, "legacy.apps.example.com http://10.0.0.9:80", "http_status:503"),
		Steps: []resource.TestStep{{
			Config: s.ProviderConfig("") + `
resource "homelab_proxy" "apps" {
  hostname = "*.apps.example.com"
  service  = "http://127.0.0.1:8080"
  access   = { enabled = false }
}`,
			ConfigPlanChecks: emptyPlan(),
			Check: resource.ComposeTestCheckFunc(
				checkRuleOrder(t, s, "legacy.apps.example.com http://10.0.0.9:80", "*.apps.example.com http://127.0.0.1:8080", "http_status:503"),
				func(*terraform.State) error {
					raw := string(liveRules(t, s)[0].Raw())
					var m map[string]any
					if err := json.Unmarshal([]byte(raw), &m); err != nil || m["x-by-hand"] != true {
						return fmt.Errorf("hand-written rule changed: %s", raw)
					}
					return nil
				},
			),
		}},
	})
}
