package proxies_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/ingress"
)

const foreignHost = "legacy.example.com"

// addForeignRule writes a rule through the API as another tool would.
func addForeignRule(t *testing.T, s *acctest.Sandbox) {
	t.Helper()
	_, err := s.Client.UpdateTunnelConfig(context.Background(), s.Tunnel.ID, func(doc json.RawMessage) (json.RawMessage, bool, error) {
		d, err := ingress.Parse(doc)
		if err != nil {
			return nil, false, err
		}
		d.Upsert(ingress.Rule{Hostname: foreignHost, Service: "http://192.168.1.5:8123"})
		d.Normalize()
		out, err := d.Marshal()
		return out, true, err
	})
	if err != nil {
		t.Fatalf("writing the foreign rule: %v", err)
	}
}

func config(s *acctest.Sandbox, withSSH bool) string {
	ssh := ""
	if withSSH {
		ssh = `
resource "homelab_proxy" "ssh" {
  hostname = "ssh.example.com"
  service  = "ssh://localhost:22"
}`
	}
	return s.ProviderConfig("") + ssh + `
resource "homelab_proxy" "jellyfin" {
  name    = "jellyfin"
  service = "http://127.0.0.1:8096"
}

resource "homelab_proxy" "status" {
  name    = "status"
  service = "http://127.0.0.1:3001"
  access  = { enabled = false }
}

data "homelab_proxies" "all" {
  depends_on = [homelab_proxy.jellyfin, homelab_proxy.status` + map[bool]string{true: ", homelab_proxy.ssh", false: ""}[withSSH] + `]
}
`
}

// checkJoin compares every entry of the data source with the objects the
// local API holds: each hostname once, the CNAME to the tunnel and the
// Access application of that hostname.
func checkJoin(s *acctest.Sandbox, wantHosts []string) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		ds := st.RootModule().Resources["data.homelab_proxies.all"]
		if ds == nil {
			return fmt.Errorf("data.homelab_proxies.all is not in the state")
		}
		attrs := ds.Primary.Attributes
		n, _ := strconv.Atoi(attrs["proxies.#"])
		records := map[string]string{}
		for _, r := range s.API.DNSRecords(s.Zone.ID) {
			if r.Type == "CNAME" && r.Content == s.Tunnel.ID+".cfargotunnel.com" {
				records[r.Name] = r.ID
			}
		}
		apps := map[string]string{}
		for _, a := range s.API.AccessApps() {
			apps[a.Domain] = a.ID
		}
		seen := map[string]bool{}
		for i := range n {
			get := func(k string) string { return attrs[fmt.Sprintf("proxies.%d.%s", i, k)] }
			host := get("hostname")
			if seen[host] {
				return fmt.Errorf("%s is listed twice", host)
			}
			seen[host] = true
			if get("dns_record_id") != records[host] {
				return fmt.Errorf("%s: dns_record_id %q, want %q", host, get("dns_record_id"), records[host])
			}
			if get("access_application_id") != apps[host] {
				return fmt.Errorf("%s: access_application_id %q, want %q", host, get("access_application_id"), apps[host])
			}
			if want := strconv.FormatBool(apps[host] != ""); get("protected") != want {
				return fmt.Errorf("%s: protected %s, want %s", host, get("protected"), want)
			}
		}
		if len(seen) != len(wantHosts) {
			return fmt.Errorf("listed hostnames %v, want %v", seen, wantHosts)
		}
		for _, h := range wantHosts {
			if !seen[h] {
				return fmt.Errorf("%s is missing from %v", h, seen)
			}
		}
		return nil
	}
}

// checkIngressJSON compares ingress_json with the tunnel's stored rules.
func checkIngressJSON(s *acctest.Sandbox) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		got := st.RootModule().Resources["data.homelab_proxies.all"].Primary.Attributes["ingress_json"]
		raw, _, ok := s.API.TunnelConfig(s.Tunnel.ID)
		if !ok {
			return fmt.Errorf("the tunnel has no configuration")
		}
		var stored struct {
			Ingress json.RawMessage `json:"ingress"`
		}
		if err := json.Unmarshal(raw, &stored); err != nil {
			return err
		}
		var want, have any
		if err := json.Unmarshal(stored.Ingress, &want); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(got), &have); err != nil {
			return fmt.Errorf("ingress_json is not JSON: %v", err)
		}
		if fmt.Sprint(want) != fmt.Sprint(have) {
			return fmt.Errorf("ingress_json =\n%s\nwant\n%s", got, stored.Ingress)
		}
		if !strings.Contains(got, foreignHost) {
			return fmt.Errorf("ingress_json lost the foreign rule: %s", got)
		}
		return nil
	}
}

func ports(ps ...int64) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ps))
	for i, p := range ps {
		checks[i] = knownvalue.Int64Exact(p)
	}
	return knownvalue.ListExact(checks)
}

func TestAccProxiesDataSource_join(t *testing.T) {
	s := acctest.NewSandbox(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t); addForeignRule(t, s) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(s, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.homelab_proxies.all", tfjsonpath.New("id"), knownvalue.StringExact(s.Tunnel.ID)),
					statecheck.ExpectKnownValue("data.homelab_proxies.all", tfjsonpath.New("allowed_tcp_ports"), ports(22, 3001, 8096, 8123)),
					statecheck.ExpectKnownValue("data.homelab_proxies.all", tfjsonpath.New("proxies"), knownvalue.ListSizeExact(4)),
				},
				Check: resource.ComposeTestCheckFunc(
					checkJoin(s, []string{"jellyfin-home.example.com", "status-home.example.com", "ssh.example.com", foreignHost}),
					checkIngressJSON(s),
					resource.TestCheckTypeSetElemNestedAttrs("data.homelab_proxies.all", "proxies.*", map[string]string{
						"hostname": "ssh.example.com", "service": "ssh://localhost:22", "port": "22", "protected": "true",
					}),
					resource.TestCheckTypeSetElemNestedAttrs("data.homelab_proxies.all", "proxies.*", map[string]string{
						"hostname": "status-home.example.com", "port": "3001", "protected": "false",
					}),
					// The foreign rule has no record and no application: it is listed, unjoined.
					resource.TestCheckTypeSetElemNestedAttrs("data.homelab_proxies.all", "proxies.*", map[string]string{
						"hostname": foreignHost, "service": "http://192.168.1.5:8123", "port": "8123", "protected": "false",
					}),
					resource.TestCheckResourceAttrPair("data.homelab_proxies.all", "id", "homelab_proxy.jellyfin", "tunnel_id"),
				),
			},
			{
				// Data sources are read while planning, before the ssh
				// proxy is destroyed; the next step reads the result.
				Config: config(s, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("homelab_proxy.ssh", plancheck.ResourceActionDestroy)},
				},
			},
			{
				Config: config(s, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.homelab_proxies.all", tfjsonpath.New("allowed_tcp_ports"), ports(3001, 8096, 8123)),
				},
				Check: resource.ComposeTestCheckFunc(
					checkJoin(s, []string{"jellyfin-home.example.com", "status-home.example.com", foreignHost}),
					checkIngressJSON(s),
				),
			},
		},
	})
}

func TestAccProxiesDataSource_missingTunnel(t *testing.T) {
	s := acctest.NewSandbox(t)
	noTunnel := strings.Replace(s.ProviderConfig(""), fmt.Sprintf("tunnel_id           = %q", s.Tunnel.ID), "", 1)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      noTunnel + `data "homelab_proxies" "all" {}`,
				ExpectError: regexp.MustCompile(`(?s)Missing Tunnel ID.*cloudflare.tunnel_id.*CLOUDFLARE_TUNNEL_ID`),
			},
			{
				Config:      s.ProviderConfig("") + `data "homelab_proxies" "all" { tunnel_id = "00000000-0000-4000-8000-000000000000" }`,
				ExpectError: regexp.MustCompile(`Error Reading Proxies of Tunnel 00000000-0000-4000-8000-000000000000`),
			},
		},
	})
}
