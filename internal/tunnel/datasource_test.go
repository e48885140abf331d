package tunnel_test

import (
	"encoding/base64"
	"encoding/json"
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

// checkToken decodes the token as cloudflared does and compares its parts
// with the local API's account and tunnel; it never prints the token.
func checkToken(s *acctest.Sandbox) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		token := st.RootModule().Resources["data.homelab_tunnel.this"].Primary.Attributes["token"]
		raw, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			return fmt.Errorf("token is not standard base64")
		}
		var parts struct {
			A string `json:"a"`
			T string `json:"t"`
			S string `json:"s"`
		}
		if err := json.Unmarshal(raw, &parts); err != nil {
			return fmt.Errorf("token does not hold JSON")
		}
		if parts.A != s.API.AccountID() || parts.T != s.Tunnel.ID {
			return fmt.Errorf("token is for account %q tunnel %q, want %q %q", parts.A, parts.T, s.API.AccountID(), s.Tunnel.ID)
		}
		if parts.S != s.Tunnel.Secret {
			return fmt.Errorf("token does not carry the tunnel's secret")
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
					statecheck.ExpectSensitiveValue("data.homelab_tunnel.this", tfjsonpath.New("token")),
				},
				Check: checkToken(s),
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
