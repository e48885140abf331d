package devcluster

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/proctree"
)

func linuxOnly(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("process groups are read from /proc")
	}
}

// TestProcessStopKillsItsGroup: a component that ignores SIGTERM and has
// started a child of its own (as the repo server starts git and helm) is
// gone, with that child, when stop returns.
func TestProcessStopKillsItsGroup(t *testing.T) {
	linuxOnly(t)
	p, err := startProcess("stubborn", "/bin/sh", []string{"-c", `trap "" TERM; sleep 300 & echo started; wait`}, nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(proctree.Group(p.pgid())) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the group never had two processes: %v", proctree.Group(p.pgid()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	begin := time.Now()
	if err := p.stop(500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if left := proctree.Group(p.pgid()); len(left) > 0 {
		t.Fatalf("processes %v of the group are still running", left)
	}
	if !p.exited() {
		t.Error("stop returned before the process exited")
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("stop took %s; SIGKILL should follow the 500ms grace", took)
	}
}

// TestWaitHealthyFailures: a component that exits, or never becomes
// healthy, fails the start with the end of its log, and is stopped.
func TestWaitHealthyFailures(t *testing.T) {
	linuxOnly(t)
	ctx := context.Background()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"

	exits, err := startProcess("exits", "/bin/sh", []string{"-c", `echo 'configmap "argocd-cm" not found' >&2; exit 3`}, nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	err = waitHealthy(ctx, exits, url, 30*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") || !strings.Contains(err.Error(), `configmap "argocd-cm" not found`) ||
		!strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("waitHealthy of an exiting process: %v; want its exit status and log", err)
	}

	hangs, err := startProcess("hangs", "/bin/sh", []string{"-c", `echo waiting; exec sleep 300`}, nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	err = waitHealthy(ctx, hangs, url, time.Second)
	if err == nil || !strings.Contains(err.Error(), "not ready after 1s") || !strings.Contains(err.Error(), "waiting") {
		t.Errorf("waitHealthy of a process that never serves: %v; want a timeout with its log", err)
	}
	if err := hangs.stop(time.Second); err != nil {
		t.Fatal(err)
	}
	if left := proctree.Group(hangs.pgid()); len(left) > 0 {
		t.Errorf("processes %v still running", left)
	}
	if _, err := os.Stat(hangs.log); err != nil {
		t.Errorf("the log: %v", err)
	}
}
