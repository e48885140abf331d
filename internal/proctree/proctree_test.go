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
		comm   string
		ppid   int
		wantOK bool
	}{
		{"4242 (terraform-provi) S 4100 4242 4100 0 -1", "terraform-provi", 4100, true},
		{"7 (a (b) c) R 1 7 7 0", "a (b) c", 1, true},
		{"9 (name with spaces) S 3 9", "name with spaces", 3, true},
		{"9 name S 3 9", "", 0, false},
		{"9 (name) S", "", 0, false},
		{"9 (name) S x 9", "", 0, false},
	}
	for _, tc := range cases {
		comm, ppid, ok := parseStat(tc.stat)
		if ok != tc.wantOK || comm != tc.comm || ppid != tc.ppid {
			t.Errorf("parseStat(%q) = %q, %d, %v; want %q, %d, %v", tc.stat, comm, ppid, ok, tc.comm, tc.ppid, tc.wantOK)
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
