//go:build tools

// Package restic pins the restic CLI that the backup-plan tests run against.
// `go install github.com/restic/restic/cmd/restic@v0.19.1` does not work
// through every module proxy (the version list lookup can be refused), so it
// is built from this wrapper module instead: `make restic` writes bin/restic.
package restic

import _ "github.com/restic/restic/cmd/restic"
