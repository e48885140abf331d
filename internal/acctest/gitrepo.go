package acctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// GitRepo is a local git repository for ArgoCD to sync from, reached by
// its repo server as a file:// URL.
type GitRepo struct {
	Dir string
	URL string
}

// NewGitRepo creates a repository with one commit on branch main holding
// files (path: content).
func NewGitRepo(t testing.TB, files map[string]string) *GitRepo {
	t.Helper()
	dir := t.TempDir()
	r := &GitRepo{Dir: dir, URL: "file://" + dir}
	r.git(t, "init", "--quiet", "--initial-branch=main")
	r.Commit(t, "initial content", files)
	return r
}

// Commit writes files (an empty content removes the file) and commits
// them; it returns the new commit's hash.
func (r *GitRepo) Commit(t testing.TB, message string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(r.Dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.git(t, "add", "--all")
	r.git(t, "commit", "--quiet", "--allow-empty", "-m", message)
	return strings.TrimSpace(r.git(t, "rev-parse", "HEAD"))
}

func (r *GitRepo) git(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	// A fixed identity, and none of the developer's git configuration.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=acctest", "GIT_AUTHOR_EMAIL=acctest@example.com",
		"GIT_COMMITTER_NAME=acctest", "GIT_COMMITTER_EMAIL=acctest@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
