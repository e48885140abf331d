package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// everyOrigin sets every origin_request key.
const everyOrigin = `
  origin_request = {
    connect_timeout          = 20
    tls_timeout              = 5
    tcp_keep_alive           = 15
    keep_alive_timeout       = 60
    keep_alive_connections   = 50
    no_happy_eyeballs        = true
    http_host_header         = "app.internal"
    origin_server_name       = "origin.internal"
    match_sni_to_host        = true
    ca_pool                  = "/etc/cloudflared/ca.pem"
    no_tls_verify            = false
    disable_chunked_encoding = true
    http2_origin             = true
    bastion_mode             = false
    proxy_address            = "127.0.0.1"
    proxy_port               = 1080
    proxy_type               = "socks"
    ip_rules = [
      { prefix = "10.0.0.0/8", ports = [443, 22], allow = true },
      { prefix = "0.0.0.0/0", allow = false },
    ]
  }`

// everyOriginWire is everyOrigin as cloudflared reads it: the same keys,
// camelCase, timeouts in seconds.
const everyOriginWire = `{"connectTimeout":20,"tlsTimeout":5,"tcpKeepAlive":15,"keepAliveTimeout":60,"keepAliveConnections":50,` +
	`"noHappyEyeballs":true,"httpHostHeader":"app.internal","originServerName":"origin.internal","matchSNItoHost":true,` +
	`"caPool":"/etc/cloudflared/ca.pem","noTLSVerify":false,"disableChunkedEncoding":true,"http2Origin":true,"bastionMode":false,` +
	`"proxyAddress":"127.0.0.1","proxyPort":1080,"proxyType":"socks",` +
	`"ipRules":[{"prefix":"10.0.0.0/8","ports":[443,22],"allow":true},{"prefix":"0.0.0.0/0","allow":false}]}`

// liveOrigin is the originRequest object of the rule for hostname, decoded.
func liveOrigin(s *acctest.Sandbox, hostname string) (map[string]any, error) {
	cfg, err := s.Client.GetTunnelConfig(context.Background(), s.Tunnel.ID)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Ingress []struct {
			Hostname      string         `json:"hostname"`
			OriginRequest map[string]any `json:"originRequest"`
		} `json:"ingress"`
	}
	if err := json.Unmarshal(cfg.Document, &doc); err != nil {
		return nil, err
	}
	for _, r := range doc.Ingress {
		if r.Hostname == hostname {
			return r.OriginRequest, nil
		}
	}
	return nil, fmt.Errorf("no rule for %s in %s", hostname, cfg.Document)
}

func checkOrigin(s *acctest.Sandbox, hostname, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := liveOrigin(s, hostname)
		if err != nil {
			return err
		}
		var w map[string]any
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			return err
		}
		if !reflect.DeepEqual(got, w) {
			g, _ := json.Marshal(got)
			return fmt.Errorf("originRequest of %s\n got %s\nwant %s", hostname, g, want)
		}
		return nil
	}
}

// editOrigin changes the rule's originRequest out of band.
func editOrigin(t *testing.T, s *acctest.Sandbox, hostname string, edit func(map[string]json.RawMessage)) {
	t.Helper()
	ctx := context.Background()
	cfg, err := s.Client.GetTunnelConfig(ctx, s.Tunnel.ID)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	var rules []map[string]json.RawMessage
	if json.Unmarshal(cfg.Document, &doc) != nil || json.Unmarshal(doc["ingress"], &rules) != nil {
		t.Fatalf("unreadable document %s", cfg.Document)
	}
	for _, r := range rules {
		if string(r["hostname"]) == `"`+hostname+`"` {
			or := map[string]json.RawMessage{}
			_ = json.Unmarshal(r["originRequest"], &or)
			edit(or)
			r["originRequest"], _ = json.Marshal(or)
		}
	}
	doc["ingress"], _ = json.Marshal(rules)
	b, _ := json.Marshal(doc)
	if _, err := s.Client.PutTunnelConfig(ctx, s.Tunnel.ID, b); err != nil {
		t.Fatal(err)
	}
}

// TestAccProxy_everyOriginKey sets every origin_request key, checks the wire
// form and the round trip (read, import, empty plan), repairs a key edited
// out of band, and keeps the keys the provider does not manage (access and
// a key it does not know) byte for byte through updates and removal.
func TestAccProxy_everyOriginKey(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	addr := "homelab_proxy.app"
	host := "app-home.example.com"
	config := func(body string) string {
		return s.ProviderConfig("") + `
resource "homelab_proxy" "app" {
  name    = "app"
  service = "https://127.0.0.1:8443"
` + body + `
}`
	}
	access := `{"required":true,"teamName":"homelab","audTag":["aud-by-hand"]}`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(s, "http_status:404"),
		Steps: []resource.TestStep{
			{
				Config:           config(everyOrigin),
				ConfigPlanChecks: emptyPlan(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_request").AtMapKey("connect_timeout"), knownvalue.Int64Exact(20)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_request").AtMapKey("no_tls_verify"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_request").AtMapKey("proxy_type"), knownvalue.StringExact("socks")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_request").AtMapKey("ip_rules"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"prefix": knownvalue.StringExact("10.0.0.0/8"), "allow": knownvalue.Bool(true),
							"ports": knownvalue.ListExact([]knownvalue.Check{knownvalue.Int64Exact(443), knownvalue.Int64Exact(22)}),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"prefix": knownvalue.StringExact("0.0.0.0/0"), "allow": knownvalue.Bool(false), "ports": knownvalue.Null(),
						}),
					})),
				},
				Check: checkOrigin(s, host, everyOriginWire),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: host, ImportStateVerify: true},
			{
				// Out of band: a managed key changes, and access and an
				// unknown key are added by hand.
				PreConfig: func() {
					editOrigin(t, s, host, func(or map[string]json.RawMessage) {
						or["connectTimeout"] = json.RawMessage(`99`)
						or["access"] = json.RawMessage(access)
						or["x-future"] = json.RawMessage(`{"kept":[1,2]}`)
					})
				},
				Config:           config(everyOrigin),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
				Check: checkOrigin(s, host, everyOriginWire[:len(everyOriginWire)-1]+
					`,"access":`+access+`,"x-future":{"kept":[1,2]}}`),
			},
			{
				Config:           config(`origin_request = { tls_timeout = 3, ip_rules = [] }`),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_request").AtMapKey("ip_rules"), knownvalue.ListExact(nil)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_request").AtMapKey("connect_timeout"), knownvalue.Null()),
				},
				Check: checkOrigin(s, host, `{"tlsTimeout":3,"ipRules":[],"access":`+access+`,"x-future":{"kept":[1,2]}}`),
			},
			{
				Config:           config(`origin_request = {}`),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
				Check:            checkOrigin(s, host, `{"access":`+access+`,"x-future":{"kept":[1,2]}}`),
			},
			{
				Config:           config(``),
				ConfigPlanChecks: expectAction(addr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_request"), knownvalue.Null()),
				},
				Check: checkOrigin(s, host, `{"access":`+access+`,"x-future":{"kept":[1,2]}}`),
			},
		},
	})
}
