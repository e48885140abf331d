package devcluster

import "syscall"

// processAttrs puts a child in its own process group, and has the kernel
// kill it if this process dies without stopping it (a test binary killed
// by `go test -timeout`, a sandbox sent SIGKILL).
func processAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
