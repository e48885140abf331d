package tunnel_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// noSecretInState fails when the tunnel's secret shows up in any state
// attribute (it would, inside a token).
func noSecretInState(secret string) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		for addr, rs := range st.RootModule().Resources {
			if _, ok := rs.Primary.Attributes["token"]; ok {
				return fmt.Errorf("%s has a token attribute", addr)
			}
			for k, v := range rs.Primary.Attributes {
				if strings.Contains(v, secret) {
					return fmt.Errorf("state attribute %s of %s holds the tunnel secret", k, addr)
				}
			}
		}
		return nil
	}
}

func TestAccTunnelDataSource(t *testing.T) {
	s := acctest.NewSandbox(t)
	other, err := s.API.AddTunnel("lab-two")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := s.API.Connect(other.ID)
	if err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logFile)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: s.ProviderConfigTokenFromEnv(t) + `
data "homelab_tunnel" "this" {}

data "homelab_tunnel" "other" {
  tunnel_id = "` + other.ID + `"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.homelab_tunnel.this", tfjsonpath.New("id"), knownvalue.StringExact(s.Tunnel.ID)),
					statecheck.ExpectKnownValue("data.homelab_tunnel.this", tfjsonpath.New("name"), knownvalue.StringExact("homelab")),
					statecheck.ExpectKnownValue("data.homelab_tunnel.this", tfjsonpath.New("status"), knownvalue.StringExact("inactive")),
					statecheck.ExpectKnownValue("data.homelab_tunnel.this", tfjsonpath.New("config_src"), knownvalue.StringExact("cloudflare")),
					statecheck.ExpectKnownValue("data.homelab_tunnel.this", tfjsonpath.New("connections"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.homelab_tunnel.this", tfjsonpath.New("created_at"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					statecheck.ExpectKnownValue("data.homelab_tunnel.other", tfjsonpath.New("name"), knownvalue.StringExact("lab-two")),
					statecheck.ExpectKnownValue("data.homelab_tunnel.other", tfjsonpath.New("status"), knownvalue.StringExact("healthy")),
					statecheck.ExpectKnownValue("data.homelab_tunnel.other", tfjsonpath.New("connections"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.homelab_tunnel.other", tfjsonpath.New("connections").AtSliceIndex(0).AtMapKey("connector_id"),
						knownvalue.StringExact(conn.ConnectorID)),
				},
				Check: resource.ComposeTestCheckFunc(noSecretInState(s.Tunnel.Secret), noSecretInState(other.Secret)),
			},
		},
	})
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	for _, secret := range []string{s.Tunnel.Secret, s.API.Token()} {
		if strings.Contains(string(logs), secret) {
			t.Errorf("a secret appears in the TF_LOG=trace output (%d bytes of logs)", len(logs))
		}
	}
	if len(logs) == 0 {
		t.Error("the trace log is empty; the secrecy check proved nothing")
	}
}

func TestAccTunnelDataSource_unknownTunnel(t *testing.T) {
	s := acctest.NewSandbox(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      s.ProviderConfig("") + `data "homelab_tunnel" "this" { tunnel_id = "00000000-0000-4000-8000-000000000000" }`,
			ExpectError: regexp.MustCompile(`Error Reading Tunnel 00000000-0000-4000-8000-000000000000`),
		}},
	})
}
