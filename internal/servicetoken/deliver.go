package servicetoken

import (
	"context"

	"github.com/homelab-tf/terraform-provider-homelab/internal/cloudflare"
	"github.com/homelab-tf/terraform-provider-homelab/internal/diagnostics"
	"github.com/homelab-tf/terraform-provider-homelab/internal/kube"
	"github.com/homelab-tf/terraform-provider-homelab/internal/secrets"
)

// deliver writes the client id and secret into the sink. The secret is
// revealed here, into the one write, and nowhere else.
func (r *serviceTokenResource) deliver(ctx context.Context, to *deliverToModel, clientID string, secret cloudflare.Secret) error {
	switch {
	case to.KubernetesSecret != nil:
		k := to.KubernetesSecret
		kc, diags := r.Data.KubeClient()
		if err := diagnostics.Err(diags); err != nil {
			return err
		}
		ns := k.Namespace.ValueString()
		if k.CreateNamespace.ValueBool() {
			if err := kc.EnsureNamespace(ctx, ns); err != nil {
				return err
			}
		}
		_, err := kc.ApplySecret(ctx, kube.SecretSpec{
			Namespace: ns, Name: k.Name.ValueString(), Type: "Opaque",
			Data: map[string][]byte{KeyClientID: []byte(clientID), KeyClientSecret: []byte(secret.Reveal())},
		})
		return err
	case to.OnePasswordItem != nil:
		w, diags := r.Data.ItemWriter()
		if err := diagnostics.Err(diags); err != nil {
			return err
		}
		return w.WriteItem(ctx, secrets.Item{
			Vault: to.OnePasswordItem.Vault.ValueString(), Title: to.OnePasswordItem.Title.ValueString(),
			Fields: []secrets.ItemField{
				{Title: KeyClientID, Value: clientID},
				{Title: KeyClientSecret, Value: secret.Reveal(), Concealed: true},
			},
		})
	}
	return nil
}

// sinkLost reports whether the Kubernetes sink no longer holds what was
// delivered: the Secret is gone, the client id is another, or the secret
// key was changed or removed by another client (the provider's field
// manager no longer owns it, kube.FieldSet). 1Password items are not
// read back: that would resolve the secret.
func (r *serviceTokenResource) sinkLost(ctx context.Context, to *deliverToModel, clientID string) (bool, error) {
	if to == nil || to.KubernetesSecret == nil {
		return false, nil
	}
	kc, diags := r.Data.KubeClient()
	if err := diagnostics.Err(diags); err != nil {
		return false, err
	}
	live, err := kc.GetSecret(ctx, to.KubernetesSecret.Namespace.ValueString(), to.KubernetesSecret.Name.ValueString())
	if err != nil || live == nil {
		return live == nil && err == nil, err
	}
	_, hasSecret := live.Data[KeyClientSecret]
	owned := kube.OwnedFields(live)
	return string(live.Data[KeyClientID]) != clientID || !hasSecret ||
		!owned.Has("data", KeyClientSecret) || !owned.Has("data", KeyClientID), nil
}

// release removes the two keys from the Kubernetes sink (the Secret, when
// nothing else is in it).
func (r *serviceTokenResource) release(ctx context.Context, to *deliverToModel) error {
	if to == nil || to.KubernetesSecret == nil {
		return nil
	}
	kc, diags := r.Data.KubeClient()
	if err := diagnostics.Err(diags); err != nil {
		return err
	}
	return kc.ReleaseSecret(ctx, to.KubernetesSecret.Namespace.ValueString(), to.KubernetesSecret.Name.ValueString(),
		map[string]bool{KeyClientID: true, KeyClientSecret: true})
}
