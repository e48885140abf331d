// Package proctree reads processes from /proc: the tests and the benchmark
// use it to find the provider process Terraform or OpenTofu launched (to
// kill it, or to read its memory), and the test ground to see whether a
// component's process group is gone.
package proctree

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// stat is what this package reads of a /proc/<pid>/stat line.
type stat struct {
	pid   int
	comm  string // the first 15 bytes of the command name, as the kernel keeps it
	state string // R, S, D, Z (zombie), X (dead), ...
	ppid  int
	pgid  int
}

// processes walks /proc once; a process that ends meanwhile is left out.
func processes() []stat {
	entries, _ := os.ReadDir("/proc")
	var out []stat
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		if s, ok := parseStat(string(raw)); ok {
			s.pid = pid
			out = append(out, s)
		}
	}
	return out
}

// Children lists the processes whose parent is parent and whose command
// name is executable's (the kernel keeps the first 15 bytes of it).
func Children(parent int, executable string) []int {
	var pids []int
	for _, p := range processes() {
		if p.ppid == parent && p.comm != "" && strings.HasPrefix(executable, p.comm) {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

// Group lists the live processes of process group pgid (zombies count as
// gone: they have exited and wait only for their parent).
func Group(pgid int) []int {
	var pids []int
	for _, p := range processes() {
		if p.pgid == pgid && p.state != "Z" && p.state != "X" {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

// parseStat reads a /proc/<pid>/stat line: "pid (comm) state ppid pgrp
// ...". The name may hold spaces and parentheses, so it ends at the last
// ')'.
func parseStat(line string) (stat, bool) {
	open, end := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || end < open {
		return stat{}, false
	}
	fields := strings.Fields(line[end+1:])
	if len(fields) < 3 {
		return stat{}, false
	}
	ppid, err1 := strconv.Atoi(fields[1])
	pgid, err2 := strconv.Atoi(fields[2])
	if err1 != nil || err2 != nil {
		return stat{}, false
	}
	return stat{comm: line[open+1 : end], state: fields[0], ppid: ppid, pgid: pgid}, true
}
