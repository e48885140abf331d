//go:build !linux

package devcluster

import "syscall"

// processAttrs puts a child in its own process group. Only Linux can also
// tie its life to this process's.
func processAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
