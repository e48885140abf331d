//go:build generate

package tools

// Format the example Terraform files.
//go:generate terraform fmt -recursive ../examples/

// Generate docs/ from the provider's schema, templates/ and examples/.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name homelab --rendered-provider-name Homelab
