package bootstrapsecret_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

// TestAccBootstrapSecret_missingPermission connects with explicit host,
// token and CA as a service account without any RBAC grant: the error
// names the verb and the resource it lacks.
func TestAccBootstrapSecret_missingPermission(t *testing.T) {
	cluster := acctest.KubeWithoutCRDs(t)
	t.Parallel()
	ctx := context.Background()
	ns := cluster.Namespace(t, "rbac")
	sa, err := cluster.Clientset.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "no-grants"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cluster.Clientset.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("requesting a service account token: %v", err)
	}
	config := fmt.Sprintf(`
provider "homelab" {
  kubernetes = {
    host                   = %q
    token                  = %q
    cluster_ca_certificate = %q
  }
}
resource "homelab_bootstrap_secret" "s" {
  name      = "s"
  namespace = %q
  generate  = { K = { length = 8 } }
}`, cluster.Config.Host, tok.Status.Token, string(cluster.Config.CAData), ns)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: regexp.MustCompile(`(?s)Error Creating Bootstrap Secret.*cannot get resource "secrets".*Grant the\s+provider's credentials`),
		}},
	})
}
