package proxy_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// TestAccProxy_sharedPolicy: proxies that allow the same e-mails link one
// reusable policy; a proxy whose e-mails change moves to the policy for its
// new list (renaming its old one in place when nothing else links it), and
// a policy goes with the last proxy that links it.
func TestAccProxy_sharedPolicy(t *testing.T) {
	t.Parallel()
	s := acctest.NewSandbox(t)
	config := func(emails map[string]string) string {
		var b strings.Builder
		b.WriteString(s.ProviderConfig(""))
		for i, name := range []string{"a", "b", "c"} {
			list, ok := emails[name]
			if !ok {
				continue
			}
			access := ""
			if list == "off" {
				access = "\n  access = { enabled = false }"
			} else if list != "" {
				access = fmt.Sprintf("\n  access = { allowed_emails = [%s] }", list)
			}
			fmt.Fprintf(&b, "\nresource \"homelab_proxy\" %q {\n  name    = %q\n  service = \"http://127.0.0.1:%d\"%s\n}\n", name, name, 8000+i, access)
		}
		return b.String()
	}
	policyOf := func(st *terraform.State, name string) string {
		return st.RootModule().Resources["homelab_proxy."+name].Primary.Attributes["access_policy_id"]
	}
	var firstA string
	expect := func(same [][]string, policies int) resource.TestCheckFunc {
		return func(st *terraform.State) error {
			seen := map[string]string{}
			for _, group := range same {
				id := policyOf(st, group[0])
				for _, name := range group[1:] {
					if got := policyOf(st, name); got != id {
						return fmt.Errorf("%s links %s and %s links %s, want one shared policy", group[0], id, name, got)
					}
				}
				if other, ok := seen[id]; ok {
					return fmt.Errorf("%s and %s share policy %s, want separate ones", other, group[0], id)
				}
				seen[id] = group[0]
			}
			live, err := s.Client.ListAccessPolicies(context.Background())
			if err != nil {
				return err
			}
			if len(live) != policies {
				return fmt.Errorf("%d policies in the account, want %d: %+v", len(live), policies, live)
			}
			return nil
		}
	}
	me, both := fmt.Sprintf("%q", acctest.Email), fmt.Sprintf("%q, \"you@example.com\"", acctest.Email)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(s, "http_status:404"),
		Steps: []resource.TestStep{
			{
				Config:           config(map[string]string{"a": "", "b": me, "c": both}),
				ConfigPlanChecks: emptyPlan(),
				Check: resource.ComposeTestCheckFunc(
					expect([][]string{{"a", "b"}, {"c"}}, 2),
					checkLive(s, "c-home.example.com", "http://127.0.0.1:8002", []string{acctest.Email, "you@example.com"}),
					func(st *terraform.State) error { firstA = policyOf(st, "a"); return nil },
				),
			},
			{
				Config:           config(map[string]string{"a": "", "b": both, "c": both}),
				ConfigPlanChecks: emptyPlan(),
				Check: resource.ComposeTestCheckFunc(
					expect([][]string{{"a"}, {"b", "c"}}, 2),
					checkLive(s, "b-home.example.com", "http://127.0.0.1:8001", []string{acctest.Email, "you@example.com"}),
				),
			},
			{
				// a alone links its policy now, so it is renamed, not replaced.
				Config:           config(map[string]string{"a": `"friend@example.org"`, "b": both, "c": both}),
				ConfigPlanChecks: emptyPlan(),
				Check: resource.ComposeTestCheckFunc(
					expect([][]string{{"a"}, {"b", "c"}}, 2),
					resource.TestCheckResourceAttrWith("homelab_proxy.a", "access_policy_id", func(id string) error {
						if id != firstA {
							return fmt.Errorf("a's policy is %s, want its previous %s renamed", id, firstA)
						}
						return nil
					}),
					checkLive(s, "a-home.example.com", "http://127.0.0.1:8000", []string{"friend@example.org"}),
				),
			},
			{
				// c goes; b still links the policy they shared.
				Config:           config(map[string]string{"a": `"friend@example.org"`, "b": both}),
				ConfigPlanChecks: emptyPlan(),
				Check: resource.ComposeTestCheckFunc(
					expect([][]string{{"a"}, {"b"}}, 2),
					checkLive(s, "b-home.example.com", "http://127.0.0.1:8001", []string{acctest.Email, "you@example.com"}),
				),
			},
			{
				// Access off for b: its application and its last policy go.
				Config:           config(map[string]string{"a": `"friend@example.org"`, "b": "off"}),
				ConfigPlanChecks: emptyPlan(),
				Check: resource.ComposeTestCheckFunc(
					expect([][]string{{"a"}}, 1),
					checkLive(s, "b-home.example.com", "http://127.0.0.1:8001", nil),
				),
			},
		},
	})
}
