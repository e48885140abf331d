// Package proctree finds the processes a CLI started, from /proc: the
// tests and the benchmark use it to find the provider process Terraform
// or OpenTofu launched (to kill it, or to read its memory).
package proctree

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Children lists the processes whose parent is parent and whose command
// name is executable's (the kernel keeps the first 15 bytes of it).
func Children(parent int, executable string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		if comm, ppid, ok := parseStat(string(stat)); ok && ppid == parent && comm != "" && strings.HasPrefix(executable, comm) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// parseStat reads the command name and the parent pid from a
// /proc/<pid>/stat line: "pid (comm) state ppid ...". The name may hold
// spaces and parentheses, so it ends at the last ')'.
func parseStat(stat string) (comm string, ppid int, ok bool) {
	open, end := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if open < 0 || end < open {
		return "", 0, false
	}
	fields := strings.Fields(stat[end+1:])
	if len(fields) < 2 {
		return "", 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return "", 0, false
	}
	return stat[open+1 : end], ppid, true
}
