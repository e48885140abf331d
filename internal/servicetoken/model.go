package servicetoken

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

type serviceTokenModel struct {
	ID            types.String    `tfsdk:"id"`
	Name          types.String    `tfsdk:"name"`
	Duration      types.String    `tfsdk:"duration"`
	RenewBefore   types.String    `tfsdk:"renew_before"`
	SecretVersion types.Int64     `tfsdk:"secret_version"`
	DeliverTo     *deliverToModel `tfsdk:"deliver_to"`
	ClientID      types.String    `tfsdk:"client_id"`
	ExpiresAt     types.String    `tfsdk:"expires_at"`
}

type deliverToModel struct {
	KubernetesSecret *kubernetesSecretModel `tfsdk:"kubernetes_secret"`
	OnePasswordItem  *onePasswordItemModel  `tfsdk:"onepassword_item"`
}

type kubernetesSecretModel struct {
	Namespace       types.String `tfsdk:"namespace"`
	Name            types.String `tfsdk:"name"`
	CreateNamespace types.Bool   `tfsdk:"create_namespace"`
}

type onePasswordItemModel struct {
	Vault types.String `tfsdk:"vault"`
	Title types.String `tfsdk:"title"`
}

// lostVersion is secret_version in state when the sink lost the secret.
const lostVersion = 0

// checkDuration accepts what the API does: a positive Go duration or
// "forever".
func checkDuration(s string) error {
	if s == "forever" {
		return nil
	}
	return validators.CheckDuration(s)
}

// fromToken writes what the API says of the token into m.
func (m *serviceTokenModel) fromToken(t cloudflare.ServiceToken) {
	m.ID = types.StringValue(t.ID)
	m.Name = types.StringValue(t.Name)
	m.ClientID = types.StringValue(t.ClientID)
	if t.Duration != "" {
		m.Duration = types.StringValue(t.Duration)
	}
	m.ExpiresAt = types.StringNull()
	if !t.ExpiresAt.IsZero() {
		m.ExpiresAt = types.StringValue(t.ExpiresAt.UTC().Format(time.RFC3339))
	}
}

// renewalDue reports whether a token expiring at expiresAt (RFC 3339) is
// within renewBefore of now; false when either is unset, unreadable, or
// the token never expires.
func renewalDue(expiresAt, renewBefore string, now time.Time) bool {
	if expiresAt == "" || renewBefore == "" {
		return false
	}
	exp, err := time.Parse(time.RFC3339, expiresAt)
	if err != nil || exp.Year() >= 9999 {
		return false
	}
	window, err := time.ParseDuration(renewBefore)
	if err != nil {
		return false
	}
	return exp.Sub(now) <= window
}

// checkRenewal refuses a renewal window at least as long as the duration:
// every apply would refresh.
func checkRenewal(duration, renewBefore string) error {
	if renewBefore == "" || duration == "" || duration == "forever" {
		return nil
	}
	// Unreadable values are the schema validators' to report.
	d, errD := time.ParseDuration(duration)
	w, errW := time.ParseDuration(renewBefore)
	if errors.Join(errD, errW) != nil || w < d {
		return nil //nolint:nilerr // reported by the attribute validators
	}
	return fmt.Errorf("renew_before (%s) must be shorter than duration (%s), or every apply would refresh the token", renewBefore, duration)
}

// sinkName names the sink in messages.
func (d *deliverToModel) sinkName() string {
	switch {
	case d == nil:
		return "no sink"
	case d.KubernetesSecret != nil:
		return fmt.Sprintf("Secret %s/%s", d.KubernetesSecret.Namespace.ValueString(), d.KubernetesSecret.Name.ValueString())
	case d.OnePasswordItem != nil:
		return fmt.Sprintf("1Password item %q in vault %q", d.OnePasswordItem.Title.ValueString(), d.OnePasswordItem.Vault.ValueString())
	}
	return "no sink"
}
