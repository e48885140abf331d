package provider_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/provider"
	"github.com/homelab-tf/terraform-provider-homelab/internal/restic/restictest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// countingResolver is the tests' 1Password: a secrets.Static that counts
// the resolutions of each reference and the requests, across every
// provider process (one per CLI command) of a test.
type countingResolver struct {
	secrets.Static

	mu       sync.Mutex
	resolved map[string]int
	requests int
}

func newCountingResolver(values secrets.Static) *countingResolver {
	return &countingResolver{Static: values, resolved: map[string]int{}}
}

func (c *countingResolver) Resolve(ctx context.Context, ref string) (string, error) {
	c.mu.Lock()
	c.requests++
	c.resolved[ref]++
	c.mu.Unlock()
	return c.Static.Resolve(ctx, ref)
}

func (c *countingResolver) ResolveBulk(ctx context.Context, refs []string) (map[string]secrets.Answer, error) {
	c.mu.Lock()
	c.requests++
	for _, ref := range refs {
		c.resolved[ref]++
	}
	c.mu.Unlock()
	return c.Static.ResolveBulk(ctx, refs)
}

// take returns the counts since the last take and starts again.
func (c *countingResolver) take() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	resolved, requests := c.resolved, c.requests
	c.resolved, c.requests = map[string]int{}, 0
	return resolved, requests
}

func (c *countingResolver) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"homelab": func() (tfprotov6.ProviderServer, error) {
			return provider.NewServer(provider.NewWithResolver("acctest", c))(), nil
		},
	}
}

// expect compares the resolutions since the last take with want (a
// reference not in want must not have been resolved) and logs the figures.
func (c *countingResolver) expect(t *testing.T, window string, want map[string]int) error {
	t.Helper()
	got, requests := c.take()
	total := 0
	for _, n := range got {
		total += n
	}
	t.Logf("%s: %d resolutions of %d references in %d requests", window, total, len(got), requests)
	for _, ref := range slices.Sorted(maps.Keys(got)) {
		if got[ref] != want[ref] {
			return fmt.Errorf("%s: %s resolved %d times, want %d", window, ref, got[ref], want[ref])
		}
	}
	for ref, n := range want {
		if got[ref] != n {
			return fmt.Errorf("%s: %s resolved %d times, want %d", window, ref, got[ref], n)
		}
	}
	return nil
}

func (c *countingResolver) check(t *testing.T, window string, want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error { return c.expect(t, window, want) }
}

// resolvedDuring is a plan check on the resolutions of the CLI command that
// made the plan.
type resolvedDuring struct {
	t      *testing.T
	c      *countingResolver
	window string
	want   map[string]int
}

func (r resolvedDuring) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = r.c.expect(r.t, r.window, r.want)
}

func once(refs ...string) map[string]int {
	out := map[string]int{}
	for _, ref := range refs {
		out[ref] = 1
	}
	return out
}

// TestAccProvider_onePasswordAskedOnce: five homelab_bootstrap_secret
// resources hold 40 keys over 8 distinct references. Each apply resolves
// each reference it needs exactly once, however many keys and resources
// share it; refresh and plan, with or without drift, resolve nothing.
func TestAccProvider_onePasswordAskedOnce(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	ns := cluster.Namespace(t, "asked-once")
	refs := make([]string, 8)
	values := secrets.Static{}
	for i := range refs {
		refs[i] = fmt.Sprintf("op://homelab/app-%d/password", i)
		values[refs[i]] = fmt.Sprintf("Pw-%d-7c2e91", i)
	}
	c := newCountingResolver(values)

	// Secret i has sizes[i] keys; key j refers to refs[(3i+j) % 8].
	sizes := []int{4, 6, 8, 10, 12}
	secretRefs := func(i, extra int) map[string]string {
		out := map[string]string{}
		for j := range sizes[i] {
			out[fmt.Sprintf("KEY_%02d", j)] = refs[(3*i+j)%8]
		}
		if extra > 0 {
			out["EXTRA"] = refs[1]
		}
		return out
	}
	refsOf := func(m map[string]string) []string { return slices.Compact(slices.Sorted(maps.Values(m))) }
	config := func(extra int) string {
		var b strings.Builder
		b.WriteString("provider \"homelab\" {\n  " + cluster.ProviderBlock() + "\n}\n")
		keys := 0
		for i := range sizes {
			fmt.Fprintf(&b, "\nresource \"homelab_bootstrap_secret\" \"s%d\" {\n  name       = \"app-%d\"\n  namespace  = %q\n  references = {\n", i, i, ns)
			e := 0
			if i == 0 {
				e = extra // only the first resource changes
			}
			m := secretRefs(i, e)
			for _, k := range slices.Sorted(maps.Keys(m)) {
				fmt.Fprintf(&b, "    %s = %q\n", k, m[k])
				keys++
			}
			b.WriteString("  }\n}\n")
		}
		if extra == 0 && keys != 40 {
			t.Fatalf("the configuration has %d keys, want 40", keys)
		}
		return b.String()
	}
	none := map[string]int{}
	quiet := func(window string) []plancheck.PlanCheck {
		return []plancheck.PlanCheck{resolvedDuring{t, c, window, none}, plancheck.ExpectEmptyPlan()}
	}
	postApply := resource.ConfigPlanChecks{
		PostApplyPreRefresh:  quiet("plan without refresh"),
		PostApplyPostRefresh: quiet("refresh and plan without drift"),
	}
	c.take()

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: c.factories(),
		Steps: []resource.TestStep{
			{
				Config: config(0),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{resolvedDuring{t, c, "create: plan", none}},
					PostApplyPreRefresh:  postApply.PostApplyPreRefresh,
					PostApplyPostRefresh: postApply.PostApplyPostRefresh,
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					c.check(t, "create: apply of 40 keys over 8 references", once(refs...)),
					func(*terraform.State) error {
						for i := range sizes {
							s, err := cluster.Clientset.CoreV1().Secrets(ns).Get(context.Background(), fmt.Sprintf("app-%d", i), metav1.GetOptions{})
							if err != nil {
								return err
							}
							for k, ref := range secretRefs(i, 0) {
								if string(s.Data[k]) != values[ref] {
									return fmt.Errorf("app-%d key %s does not hold the value of %s", i, k, ref)
								}
							}
						}
						return nil
					},
				),
			},
			{
				RefreshState: true,
				Check:        c.check(t, "refresh without drift", none),
			},
			{
				// One resource changes: its references are resolved once
				// each, the other resources' not at all.
				Config: config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						resolvedDuring{t, c, "update: plan", none},
						plancheck.ExpectResourceAction("homelab_bootstrap_secret.s0", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("homelab_bootstrap_secret.s1", plancheck.ResourceActionNoop),
					},
					PostApplyPreRefresh:  postApply.PostApplyPreRefresh,
					PostApplyPostRefresh: postApply.PostApplyPostRefresh,
				},
				Check: c.check(t, "update of one resource: apply", once(refsOf(secretRefs(0, 1))...)),
			},
			{
				// Drift: a key deleted in the cluster. Refresh finds it
				// without resolving; the repair resolves that Secret's
				// references once each.
				PreConfig: func() {
					secrets := cluster.Clientset.CoreV1().Secrets(ns)
					s, err := secrets.Get(context.Background(), "app-1", metav1.GetOptions{})
					if err != nil {
						t.Fatal(err)
					}
					delete(s.Data, "KEY_00")
					if _, err := secrets.Update(context.Background(), s, metav1.UpdateOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						resolvedDuring{t, c, "drift: refresh and plan", none},
						plancheck.ExpectResourceAction("homelab_bootstrap_secret.s1", plancheck.ResourceActionUpdate),
					},
					PostApplyPreRefresh:  postApply.PostApplyPreRefresh,
					PostApplyPostRefresh: postApply.PostApplyPostRefresh,
				},
				Check: c.check(t, "drift repair: apply", once(refsOf(secretRefs(1, 0))...)),
			},
		},
	})
}

// TestAccProvider_backupPlanRefreshResolvesItsPassword: a backup plan and a
// bootstrap Secret share a reference. The apply resolves each of the three
// references once. Refresh resolves only the backup plan's password, once:
// opening the repository with it is the check (its id, and whether the
// password still opens it); the backend variable is not resolved for a
// local repository, and the Secret's references never at refresh.
func TestAccProvider_backupPlanRefreshResolvesItsPassword(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	ns := cluster.Namespace(t, "asked-once-backup")
	bin := restictest.Binary(t)
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.Mkdir(repo, 0o700); err != nil {
		t.Fatal(err)
	}
	const (
		refDB  = "op://homelab/infisical/db_password"
		refPw  = "op://homelab/restic/password"
		refEnv = "op://homelab/b2/application key"
	)
	c := newCountingResolver(secrets.Static{refDB: "db-Pw-51e0a3", refPw: "restic-Pw-c94d27", refEnv: "b2-Key-0a8f6e"})
	config := "provider \"homelab\" {\n  " + cluster.ProviderBlock() + "\n}\n" + fmt.Sprintf(`
resource "homelab_bootstrap_secret" "s" {
  name       = "infisical"
  namespace  = %[1]q
  references = { DB_PASSWORD = %[2]q, RESTIC_PASSWORD = %[3]q }
}

resource "homelab_backup_plan" "p" {
  name                   = "homelab"
  repository             = %[4]q
  password_reference     = %[3]q
  environment_references = { B2_ACCOUNT_KEY = %[5]q }
  paths                  = ["/etc"]
  restic_binary          = %[6]q
}
`, ns, refDB, refPw, repo, refEnv, bin)
	none := map[string]int{}
	refresh := once(refPw)
	c.take()

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: c.factories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:            []plancheck.PlanCheck{resolvedDuring{t, c, "create: plan", none}},
					PostApplyPreRefresh: []plancheck.PlanCheck{resolvedDuring{t, c, "plan without refresh", none}, plancheck.ExpectEmptyPlan()},
					PostApplyPostRefresh: []plancheck.PlanCheck{
						resolvedDuring{t, c, "refresh and plan", refresh}, plancheck.ExpectEmptyPlan(),
					},
				},
				Check: c.check(t, "create: apply", once(refDB, refPw, refEnv)),
			},
			{
				RefreshState: true,
				Check:        c.check(t, "refresh", refresh),
			},
		},
	})
}
