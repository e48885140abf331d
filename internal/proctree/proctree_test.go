package proctree

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

func TestParseStat(t *testing.T) {
	cases := []struct {
		stat   string
		want   stat
		wantOK bool
	}{
		{"4242 (terraform-provi) S 4100 4242 4100 0 -1", stat{comm: "terraform-provi", state: "S", ppid: 4100, pgid: 4242}, true},
		{"7 (a (b) c) R 1 7 7 0", stat{comm: "a (b) c", state: "R", ppid: 1, pgid: 7}, true},
		{"9 (name with spaces) S 3 9", stat{comm: "name with spaces", state: "S", ppid: 3, pgid: 9}, true},
		// The cases the test ground's process-group check had.
		{"4242 (argocd) S 1 4242 4242 0 -1", stat{comm: "argocd", state: "S", ppid: 1, pgid: 4242}, true},
		{"77 (git (remote) x) Z 4242 4242 4242 0", stat{comm: "git (remote) x", state: "Z", ppid: 4242, pgid: 4242}, true},
		{"12 (sh) R 1", stat{}, false},
		{"garbage", stat{}, false},
		{"9 (a) S 1 notanumber 3", stat{}, false},
		{"9 name S 3 9", stat{}, false},
		{"9 (name) S", stat{}, false},
		{"9 (name) S x 9", stat{}, false},
	}
	for _, tc := range cases {
		got, ok := parseStat(tc.stat)
		if ok != tc.wantOK || got != tc.want {
			t.Errorf("parseStat(%q) = %+v, %v; want %+v, %v", tc.stat, got, ok, tc.want, tc.wantOK)
		}
	}
}

// TestChildren starts a child under a known name and finds it, and only it.
func TestChildren(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatalf("sleep is needed to start a child process: %v", err)
	}
	named := filepath.Join(t.TempDir(), "proctree-child-x")
	if err := os.Symlink(sleep, named); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(named, "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if got := Children(os.Getpid(), "proctree-child-x"); !slices.Equal(got, []int{cmd.Process.Pid}) {
		t.Errorf("Children = %v, want [%d]", got, cmd.Process.Pid)
	}
	if got := Children(os.Getpid(), "another-name"); len(got) != 0 {
		t.Errorf("Children with another name = %v, want none", got)
	}
}
