package tunnelresource_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// The tunnel owns its configuration's top-level keys and the proxies own
// their rules: written in one apply, in parallel, with a rule and a
// top-level key written by hand, all survive, and a change of either side
// leaves the other byte for byte.

// proxiesBeside is how many proxies share the tunnel in these tests.
const proxiesBeside = 10

// originConfig is the sandbox's tunnel as a homelab_tunnel (adopted by
// name) with the given top-level options, next to proxiesBeside proxies on
// it that do not depend on it, so Terraform applies them in parallel.
func originConfig(s *acctest.Sandbox, options string, port int) string {
	return s.ProviderConfig("") + fmt.Sprintf(`
resource "homelab_tunnel" "t" {
  name           = %q
  origin_request = %s
}

resource "homelab_proxy" "svc" {
  count   = %d
  name    = "svc${count.index}"
  service = "http://127.0.0.1:${%d + count.index}"
}
`, s.Tunnel.Name, options, proxiesBeside, port)
}

// document is the tunnel's stored configuration, member by member.
func document(t *testing.T, s *acctest.Sandbox) map[string]json.RawMessage {
	t.Helper()
	raw, _, _ := s.API.TunnelConfig(s.Tunnel.ID)
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("stored configuration %s: %v", raw, err)
	}
	return doc
}

// editByHand changes the stored configuration through the API, as a person
// would.
func editByHand(t *testing.T, s *acctest.Sandbox, edit func(doc map[string]json.RawMessage)) {
	t.Helper()
	cfg, err := s.Client.GetTunnelConfig(ctx(t), s.Tunnel.ID)
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]json.RawMessage{}
	if len(cfg.Document) > 0 && string(cfg.Document) != "null" {
		if err := json.Unmarshal(cfg.Document, &doc); err != nil {
			t.Fatal(err)
		}
	}
	edit(doc)
	next, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client.PutTunnelConfig(ctx(t), s.Tunnel.ID, next); err != nil {
		t.Fatal(err)
	}
}

func TestAccTunnel_originRequestBesideProxies(t *testing.T) {
	t.Parallel()
	const n = proxiesBeside
	s := acctest.NewSandbox(t)
	handRule := `{"hostname":"hand.example.com","service":"http://192.0.2.9:80"}`
	editByHand(t, s, func(doc map[string]json.RawMessage) {
		doc["ingress"] = json.RawMessage(`[` + handRule + `,{"service":"http_status:404"}]`)
		doc["warp-routing"] = json.RawMessage(`{"enabled":true}`)
	})
	var rulesBefore, originBefore string
	check := func(wantOrigin string, wantRules int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			doc := document(t, s)
			if got := string(doc["originRequest"]); got != wantOrigin {
				return fmt.Errorf("top-level originRequest %s, want %s", got, wantOrigin)
			}
			if got := string(doc["warp-routing"]); got != `{"enabled":true}` {
				return fmt.Errorf("the hand-written warp-routing is %q", got)
			}
			var rules []json.RawMessage
			if err := json.Unmarshal(doc["ingress"], &rules); err != nil {
				return err
			}
			if len(rules) != wantRules+2 || string(rules[0]) != handRule || string(rules[len(rules)-1]) != `{"service":"http_status:404"}` {
				return fmt.Errorf("%d rules (want %d proxies', the hand rule first, the catch-all last): %s", len(rules), wantRules, doc["ingress"])
			}
			rulesBefore, originBefore = string(doc["ingress"]), string(doc["originRequest"])
			return nil
		}
	}
	unchangedRules := func(*terraform.State) error {
		before := rulesBefore
		if got := string(document(t, s)["ingress"]); got != before {
			return fmt.Errorf("the rules changed with the tunnel's options:\nbefore %s\nafter  %s", before, got)
		}
		return nil
	}
	unchangedOrigin := func(*terraform.State) error {
		before := originBefore
		if got := string(document(t, s)["originRequest"]); got != before {
			return fmt.Errorf("the top-level options changed with the proxies: before %s, after %s", before, got)
		}
		return nil
	}
	emptyPlan := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:           originConfig(s, `{ connect_timeout = 30, no_tls_verify = true }`, 9000),
				ConfigPlanChecks: emptyPlan,
				Check:            check(`{"connectTimeout":30,"noTLSVerify":true}`, n),
			},
			{
				// Only the tunnel's options change: every rule stays as it was.
				Config:           originConfig(s, `{ connect_timeout = 60 }`, 9000),
				ConfigPlanChecks: emptyPlan,
				Check:            resource.ComposeTestCheckFunc(unchangedRules, check(`{"connectTimeout":60}`, n)),
			},
			{
				// Only the proxies change: the tunnel's options stay as they were.
				Config:           originConfig(s, `{ connect_timeout = 60 }`, 9100),
				ConfigPlanChecks: emptyPlan,
				Check:            resource.ComposeTestCheckFunc(unchangedOrigin, check(`{"connectTimeout":60}`, n)),
			},
			{
				// Drift: the options edited by hand are planned and put back;
				// a key the provider does not manage stays.
				PreConfig: func() {
					editByHand(t, s, func(doc map[string]json.RawMessage) {
						doc["originRequest"] = json.RawMessage(`{"connectTimeout":5,"access":{"required":false}}`)
					})
				},
				Config: originConfig(s, `{ connect_timeout = 60 }`, 9100),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("homelab_tunnel.t", plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: check(`{"access":{"required":false},"connectTimeout":60}`, n),
			},
			{
				// Without origin_request the top-level options are left alone.
				Config:           originConfig(s, `null`, 9100),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
