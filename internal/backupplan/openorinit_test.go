package backupplan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/homelab-tf/terraform-provider-homelab/internal/restic"
	"github.com/homelab-tf/terraform-provider-homelab/internal/restic/restictest"
)

// TestAccBackupPlan_openOrInitAdoptsRepositoryMadeMeanwhile: another process creates the
// repository between our look and our `restic init` (here a wrapper runs
// the real restic's init once before ours); ours fails, and the repository
// the other process made is adopted instead of failing the apply.
func TestAccBackupPlan_openOrInitAdoptsRepositoryMadeMeanwhile(t *testing.T) {
	t.Parallel()
	real := restictest.Binary(t)
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "restic")
	script := "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = init ] && \"" + real + "\" init >/dev/null 2>&1; done\nexec \"" + real + "\" \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(dir, "repo")
	runner := &restic.Runner{Binary: wrapper, Repository: repo, Password: "correct horse battery staple"}
	id, err := openOrInit(context.Background(), runner, true)
	if err != nil {
		t.Fatalf("openOrInit: %v", err)
	}
	cfg, err := (&restic.Runner{Binary: real, Repository: repo, Password: runner.Password}).CatConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id == "" || id != cfg.ID {
		t.Errorf("openOrInit = %q, want the id of the repository made meanwhile, %q", id, cfg.ID)
	}
}
