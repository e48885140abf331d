package ephemeralsecret

import "github.com/hashicorp/terraform-plugin-framework/types"

// secretModel is homelab_secret's configuration and result.
type secretModel struct {
	Reference types.String `tfsdk:"reference"`
	Value     types.String `tfsdk:"value"`
}
