//go:build tools

// Package tofu pins the OpenTofu CLI that the acceptance tests run against.
// OpenTofu cannot be installed with `go install` because its go.mod has a
// replace directive, so it is built from this wrapper module instead.
package tofu

import _ "github.com/opentofu/opentofu/cmd/tofu"
