package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
)

func providerConfig(cluster *acctest.Cluster) string {
	return fmt.Sprintf("provider \"homelab\" {\n  domain      = %q\n  host_prefix = %q\n  %s\n}\n", acctest.Domain, acctest.HostPrefix, cluster.ProviderBlock())
}

func liveApp(t *testing.T, ns, name string) *unstructured.Unstructured {
	t.Helper()
	cluster := acctest.Kube(t)
	obj, err := cluster.Dynamic.Resource(kube.ApplicationGVR).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading Application %s/%s: %v", ns, name, err)
	}
	return obj
}

func appGone(cluster *acctest.Cluster, ns, name string) error {
	_, err := cluster.Dynamic.Resource(kube.ApplicationGVR).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("Application %s/%s still exists", ns, name)
}

// patchApp changes an Application the way another client would: a JSON
// merge patch under its own field manager.
func patchApp(t *testing.T, ns, name, manager string, patch map[string]any) {
	t.Helper()
	cluster := acctest.Kube(t)
	data, err := json.Marshal(patch)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cluster.Dynamic.Resource(kube.ApplicationGVR).Namespace(ns).Patch(context.Background(), name, types.MergePatchType, data,
		metav1.PatchOptions{FieldManager: manager})
	if err != nil {
		t.Fatalf("patching Application %s/%s: %v", ns, name, err)
	}
}

// noSecretsInPlan fails when any of the values shows up in what the plan
// JSON says about values.
type noSecretsInPlan struct{ values []string }

func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal([]any{req.Plan.PlannedValues, req.Plan.ResourceChanges, req.Plan.PriorState, req.Plan.OutputChanges, req.Plan.ResourceDrift, req.Plan.Config})
	if err != nil {
		resp.Error = err
		return
	}
	if len(raw) < 200 {
		resp.Error = fmt.Errorf("the plan JSON is only %d bytes; the check would prove nothing", len(raw))
		return
	}
	for _, v := range c.values {
		if v != "" && strings.Contains(string(raw), v) {
			resp.Error = fmt.Errorf("a secret value appears in the plan JSON")
			return
		}
	}
}

// noSecretsInState fails when any value shows up in any state attribute.
func noSecretsInState(values ...string) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		for _, rs := range st.RootModule().Resources {
			for k, attr := range rs.Primary.Attributes {
				for _, v := range values {
					if v != "" && strings.Contains(attr, v) {
						return fmt.Errorf("state attribute %s of %s holds a secret value", k, rs.Primary.ID)
					}
				}
			}
		}
		return nil
	}
}
