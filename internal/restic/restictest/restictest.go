// Package restictest finds the restic binary the tests run: the one named
// by HOMELAB_RESTIC_BINARY (the Makefile exports it), else bin/restic in
// the repository root. A missing binary fails the test; it never skips.
package restictest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvBinary names the variable that points at the restic to test with.
const EnvBinary = "HOMELAB_RESTIC_BINARY"

// Binary returns the absolute path of the restic binary, or fails t.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v; run `make restic` to build restic 0.19.1 into bin/", EnvBinary, p, err)
		}
		return p
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the repository root; set " + EnvBinary)
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "bin", "restic")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("restic is not built (%v): run `make restic` (it builds restic 0.19.1 into bin/restic), or set %s", err, EnvBinary)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// Command is an *exec.Cmd of restic for test set-up and checks, with only
// the given environment (e.g. RESTIC_PASSWORD=...).
func Command(t testing.TB, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	return cmd
}
