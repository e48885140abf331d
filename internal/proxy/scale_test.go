package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cfsandbox"
	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
	"github.com/homelab-tf/terraform-provider-homelab/internal/proxy"
)

// Counter keys of the sandbox.
const (
	keyListRecords  = "GET /zones/{zone_id}/dns_records"
	keyCreateRecord = "POST /zones/{zone_id}/dns_records"
	keyBatchRecords = "POST /zones/{zone_id}/dns_records/batch"
	keyDeleteRecord = "DELETE /zones/{zone_id}/dns_records/{dns_record_id}"
	keyGetConfig    = "GET /accounts/{account_id}/cfd_tunnel/{tunnel_id}/configurations"
	keyPutConfig    = "PUT /accounts/{account_id}/cfd_tunnel/{tunnel_id}/configurations"
	keyCreateApp    = "POST /accounts/{account_id}/access/apps"
	keyCreatePolicy = "POST /accounts/{account_id}/access/policies"
)

func proxiesConfig(s *acctest.Sandbox, n int, servicePort int) string {
	return s.ProviderConfig("") + fmt.Sprintf(`
resource "homelab_proxy" "svc" {
  count   = %d
  name    = "svc${count.index}"
  service = "http://127.0.0.1:${%d + count.index}"
}`, n, servicePort)
}

func svcHost(i int) string { return fmt.Sprintf("svc%d-home.example.com", i) }

// checkRequests is a plan check on the sandbox's request counts since the
// last reset.
type checkRequests func() error

func (f checkRequests) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// testPlanRequestCounts applies n proxies, then checks that a refreshing
// plan costs at most 3 + 3*ceil(n/100) requests: listings, never one GET
// per object. For n = 100 it also checks the apply's writes.
func testPlanRequestCounts(t *testing.T, n int) {
	s := acctest.NewSandbox(t)
	config := proxiesConfig(s, n, 9000)
	var applyCounts, destroyCounts map[string]int
	var applyTotal int
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// Counted since the plan-only step: its reads, then the destroy.
		CheckDestroy: func(*terraform.State) error {
			destroyCounts = s.API.Counts()
			t.Logf("plan and destroy of %d proxies: %d requests: %v", n, s.API.Total(), destroyCounts)
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					applyCounts, applyTotal = s.API.Counts(), s.API.Total()
					t.Logf("apply of %d proxies: %d requests: %v", n, applyTotal, applyCounts)
					return checkExactlyOnce(s, n, 9000)
				},
			},
			{
				PreConfig: s.API.ResetCounts,
				Config:    config,
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{checkRequests(func() error {
					counts, total := s.API.Counts(), s.API.Total()
					t.Logf("plan of %d proxies: %d requests: %v", n, total, counts)
					if limit := 3 + 3*ceilDiv(n, 100); total > limit {
						return fmt.Errorf("plan of %d proxies made %d requests, want at most %d: %v", n, total, limit, counts)
					}
					for key, c := range counts {
						// Listings and the tunnel document; no GET of one object.
						if !strings.HasPrefix(key, "GET ") || strings.HasSuffix(key, "}") {
							return fmt.Errorf("plan made %d %s requests, want listings only: %v", c, key, counts)
						}
					}
					return nil
				})}},
			},
		},
	})
	if n >= 100 && applyCounts != nil {
		// Every object is created once (checkExactlyOnce); the rules of 100
		// proxies go out in at most 15 PUTs and their records in at most 15
		// creation requests, batches or a lone create; they share one
		// policy; the first reads are listings.
		if got := applyCounts[keyCreateApp]; got != n {
			t.Errorf("apply: %d Access application creations, want %d", got, n)
		}
		if got := applyCounts[keyCreatePolicy]; got != 1 {
			t.Errorf("apply: %d policy creations, want 1 shared by the %d proxies", got, n)
		}
		puts := applyCounts[keyPutConfig]
		if puts < 1 || puts > 15 {
			t.Errorf("apply: %d tunnel configuration PUTs for %d proxies, want 1..15", puts, n)
		}
		// Each tunnel batch takes the document lock: a TXT record created,
		// then deleted (single record requests; the proxies make none when
		// they create). Uncontended here, so one of each per batch.
		locks := applyCounts[keyDeleteRecord]
		if locks < puts || locks > puts+3 {
			t.Errorf("apply: %d lock releases for %d PUTs, want one lock per batch", locks, puts)
		}
		if batches, creates := applyCounts[keyBatchRecords], applyCounts[keyCreateRecord]-locks; batches < 1 || batches+creates > 15 {
			t.Errorf("apply: %d DNS batch requests and %d single creates for %d proxies, want 1..15 requests, mostly batches", batches, creates, n)
		}
		if got := applyCounts[keyListRecords]; got > 2*ceilDiv(n, 100) {
			t.Errorf("apply: %d DNS listings, want at most %d", got, 2*ceilDiv(n, 100))
		}
	}
	if n >= 100 && destroyCounts != nil {
		// The destroy creates no record but the locks' (see above).
		locks := destroyCounts[keyCreateRecord]
		if batches, deletes := destroyCounts[keyBatchRecords], destroyCounts[keyDeleteRecord]-locks; batches < 1 || batches+deletes > 15 {
			t.Errorf("destroy: %d DNS batch requests and %d single deletes for %d proxies, want 1..15 requests, mostly batches", batches, deletes, n)
		}
	}
}

func TestAccProxy_planRequestCounts10(t *testing.T) {
	t.Parallel()
	testPlanRequestCounts(t, 10)
}

func TestAccProxy_planRequestCounts100(t *testing.T) {
	t.Parallel()
	testPlanRequestCounts(t, 100)
}

// checkExactlyOnce verifies that proxies svc0..svc(n-1) each have exactly
// one record, rule, Access application and policy, with the service of
// port base+i, and nothing else exists but the catch-all.
func checkExactlyOnce(s *acctest.Sandbox, n, base int) error {
	ctx := context.Background()
	recs, err := s.Client.ListDNSRecords(ctx, s.Zone.ID, cloudflare.DNSFilter{})
	if err != nil {
		return err
	}
	names := map[string]int{}
	for _, r := range recs {
		if r.Type != "CNAME" || r.Content != s.Tunnel.ID+".cfargotunnel.com" || !r.Proxied {
			return fmt.Errorf("unexpected record %+v", r)
		}
		names[r.Name]++
	}
	cfg, err := s.Client.GetTunnelConfig(ctx, s.Tunnel.ID)
	if err != nil {
		return err
	}
	doc, err := ingress.Parse(cfg.Document)
	if err != nil {
		return err
	}
	rules := map[string][]string{}
	for _, r := range doc.Rules {
		if !r.IsCatchAll() {
			rules[r.Hostname] = append(rules[r.Hostname], r.Service)
		}
	}
	if len(doc.Rules) != n+1 || !doc.Rules[n].IsCatchAll() {
		return fmt.Errorf("%d rules, want %d and a catch-all last", len(doc.Rules), n+1)
	}
	apps, err := s.Client.ListAccessApps(ctx)
	if err != nil {
		return err
	}
	domains := map[string]int{}
	for _, a := range apps {
		domains[a.Domain]++
	}
	policies, err := s.Client.ListAccessPolicies(ctx)
	if err != nil {
		return err
	}
	if len(recs) != n || len(apps) != n {
		return fmt.Errorf("%d records and %d apps, want %d of each", len(recs), len(apps), n)
	}
	// The proxies allow the same e-mails, so their applications share one policy.
	if len(policies) != 1 || policies[0].Name != proxy.PolicyName([]string{acctest.Email}, "24h") {
		return fmt.Errorf("policies %+v, want the one shared allow policy", policies)
	}
	for _, a := range apps {
		if len(a.PolicyIDs) != 1 || a.PolicyIDs[0] != policies[0].ID {
			return fmt.Errorf("%s links %v, want the shared policy %s", a.Domain, a.PolicyIDs, policies[0].ID)
		}
	}
	for i := range n {
		h := svcHost(i)
		want := fmt.Sprintf("http://127.0.0.1:%d", base+i)
		switch {
		case names[h] != 1:
			return fmt.Errorf("%s: %d DNS records, want 1", h, names[h])
		case len(rules[h]) != 1 || rules[h][0] != want:
			return fmt.Errorf("%s: rules %v, want one with %s", h, rules[h], want)
		case domains[h] != 1:
			return fmt.Errorf("%s: %d Access applications, want 1", h, domains[h])
		}
	}
	return nil
}

// TestAccProxy_convergesUnderFaults applies 100 proxies while the API fails
// 10% of requests with a 5xx and answers 429 with Retry-After to a burst at
// the start and beyond 40 requests a second, with the default retry
// settings (4 retries): everything ends up present exactly once and the
// next plan is empty.
func TestAccProxy_convergesUnderFaults(t *testing.T) {
	t.Parallel()
	const n = 100
	s := acctest.NewSandbox(t)
	config := proxiesConfig(s, n, 9000)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				s.API.SetFaults(cfsandbox.Faults{ErrorRate: 0.1, RateLimitBurst: 3, RateLimit: 40, RateLimitWindow: 1e9, Seed: 7})
			},
			Config:           config,
			ConfigPlanChecks: emptyPlan(),
			Check: func(*terraform.State) error {
				s.API.SetFaults(cfsandbox.Faults{}) // the checks read through a client with few retries
				t.Logf("apply under faults: %d requests: %v", s.API.Total(), s.API.Counts())
				return checkExactlyOnce(s, n, 9000)
			},
		}},
	})
}

// TestAccProxy_concurrentUpdatesOnOneTunnel updates 50 proxies of one
// tunnel at once (the CLI runs 10 in parallel): every change is present.
func TestAccProxy_concurrentUpdatesOnOneTunnel(t *testing.T) {
	t.Parallel()
	const n = 50
	s := acctest.NewSandbox(t)
	foreign := `{"hostname":"legacy.example.com","service":"http://10.0.0.9:80"}`
	putRules(t, s, foreign, `{"service":"http_status:404"}`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: proxiesConfig(s, n, 9000)},
			{
				PreConfig:        s.API.ResetCounts,
				Config:           proxiesConfig(s, n, 20000),
				ConfigPlanChecks: expectAction("homelab_proxy.svc[49]", plancheck.ResourceActionUpdate),
				Check: func(*terraform.State) error {
					t.Logf("update of %d proxies: %d requests: %v", n, s.API.Total(), s.API.Counts())
					rules := liveRules(t, s)
					if len(rules) != n+2 || string(rules[0].Raw()) != foreign || !rules[n+1].IsCatchAll() {
						return fmt.Errorf("rules = %q, want the foreign rule, %d proxies and the catch-all", describeRules(rules), n)
					}
					services := map[string]string{}
					for _, r := range rules[1 : n+1] {
						if _, dup := services[r.Hostname]; dup {
							return fmt.Errorf("two rules for %s", r.Hostname)
						}
						services[r.Hostname] = r.Service
					}
					for i := range n {
						if got, want := services[svcHost(i)], fmt.Sprintf("http://127.0.0.1:%d", 20000+i); got != want {
							return fmt.Errorf("%s: service %q, want %q (update lost)", svcHost(i), got, want)
						}
					}
					if puts := s.API.Counts()[keyPutConfig]; puts >= n {
						return fmt.Errorf("%d configuration PUTs for %d updates, want them coalesced", puts, n)
					}
					return nil
				},
			},
		},
	})
}
