package proxy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// TestAccProxy_tokenNeverLogged runs a create, refresh and destroy with
// trace logging of both the CLI and the provider, and checks the API token
// appears in neither the logs nor the state. It sets process environment,
// so it cannot run in parallel.
func TestAccProxy_tokenNeverLogged(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	s := acctest.NewSandbox(t)
	token := s.API.Token()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: s.ProviderConfigTokenFromEnv(t) + `
resource "homelab_proxy" "jellyfin" {
  name    = "jellyfin"
  service = "http://127.0.0.1:8096"
}`,
			Check: func(st *terraform.State) error {
				for _, rs := range st.RootModule().Resources {
					for k, v := range rs.Primary.Attributes {
						if strings.Contains(v, token) {
							t.Errorf("state attribute %s holds the API token", k)
						}
					}
				}
				return nil
			},
		}},
	})
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "Cloudflare API request") {
		t.Fatalf("the trace log (%d bytes) has no Cloudflare request lines; the check below would prove nothing", len(logs))
	}
	if strings.Contains(string(logs), token) {
		for _, line := range strings.Split(string(logs), "\n") {
			if strings.Contains(line, token) {
				t.Errorf("the API token appears in the trace log: %.300s", strings.ReplaceAll(line, token, "<TOKEN>"))
				break
			}
		}
	}
}
