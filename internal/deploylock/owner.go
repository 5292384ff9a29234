package deploylock

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Owner returns the process a lock taken now should live as long as: the
// outermost ansible-playbook among pid's ancestors (the run, not one of
// its workers), else pid's parent (the shell or make that ran it).
func Owner(pid int) int {
	owner := 0
	parent := ppid(pid)
	for p := parent; p > 1; p = ppid(p) {
		if isAnsiblePlaybook(p) {
			owner = p
		}
	}
	if owner == 0 {
		return parent
	}
	return owner
}

func isAnsiblePlaybook(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	args := bytes.Split(bytes.TrimRight(b, "\x00"), []byte{0})
	for i, a := range args {
		// python3 /usr/bin/ansible-playbook ..., or the script itself.
		if i > 1 {
			break
		}
		if filepath.Base(string(a)) == "ansible-playbook" {
			return true
		}
	}
	return false
}

// stat returns /proc/PID/stat's fields after the command name (field 3 on).
func stat(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

func ppid(pid int) int {
	f := stat(pid)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// startTime is the process's start (clock ticks since boot): with the pid,
// it names one process, even once the pid is reused.
func startTime(pid int) string {
	f := stat(pid)
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// alive reports whether pid is still the process that started at start.
func alive(pid int, start string) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return false
	}
	f := stat(pid)
	if len(f) < 20 {
		return false
	}
	return f[19] == start && f[0] != "Z"
}

// Watch returns when the owner process ends or ctx is done.
func Watch(ctx context.Context, owner int, every time.Duration) {
	start := startTime(owner)
	if start == "" {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !alive(owner, start) {
				return
			}
		}
	}
}
