//go:build generate

// Package tools pins the documentation generator. It is a module of its own
// so that tfplugindocs and its dependencies stay out of the provider's go.mod.
package tools

import (
	// Documentation generation.
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
