package fleet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Down removes the fleet name whose state is in dir: every process of its
// hosts (the engines, their containers, the sshds and the sessions they
// serve, whatever a deploy started), then every process on the machine
// whose command line names dir (the SSH connections Ansible keeps open
// through control sockets in it, say), the mounts, the namespaces, the
// machine's interface, the cgroups and dir itself. It works from the names
// alone, so it also removes what a crashed Up or an interrupted test left,
// and does nothing when there is nothing to remove.
func Down(ctx context.Context, name, dir string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !validName(name, 6) {
		return fmt.Errorf("%w: name %q", ErrSpec, name)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var errs []error
	// 1. Every process of the fleet's hosts: they all run in its cgroup.
	group := filepath.Join(cgroupRoot, "pids", statePrefix+name)
	if err := killCgroup(group, log); err != nil {
		errs = append(errs, err)
	}
	// 2. Processes on the machine that name the fleet's directory.
	killNaming(dir, log)
	// 3. Mounts under dir (the namespace files, overlays left visible).
	if err := unmountUnder(dir); err != nil {
		errs = append(errs, err)
	}
	// 4. Namespaces and the machine's interface.
	out, _ := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		ns, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if strings.HasPrefix(ns, statePrefix+name+"-") {
			if err := run(ctx, "ip", "netns", "del", ns); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if exec.CommandContext(ctx, "ip", "link", "show", "dev", statePrefix+name).Run() == nil {
		if err := run(ctx, "ip", "link", "del", "dev", statePrefix+name); err != nil {
			errs = append(errs, err)
		}
	}
	// 5. The cgroups, in every controller (the engines made them in all).
	ctrls, _ := os.ReadDir(cgroupRoot)
	for _, c := range ctrls {
		if err := removeCgroupTree(filepath.Join(cgroupRoot, c.Name(), statePrefix+name)); err != nil {
			errs = append(errs, err)
		}
	}
	// 6. The state.
	if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, fmt.Errorf("removing %s: %w", dir, err))
	}
	return errors.Join(errs...)
}

// cgroupPids lists the processes in a cgroup and all its descendants.
func cgroupPids(root string) []int {
	var pids []int
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "cgroup.procs" {
			return nil
		}
		raw, _ := os.ReadFile(p)
		for _, f := range strings.Fields(string(raw)) {
			if n, err := strconv.Atoi(f); err == nil {
				pids = append(pids, n)
			}
		}
		return nil
	})
	return pids
}

// killCgroup stops every process in the cgroup tree: SIGTERM (an engine
// stops its containers), then SIGKILL for what is left after 10 s.
func killCgroup(root string, log *slog.Logger) error {
	pids := cgroupPids(root)
	if len(pids) == 0 {
		return nil
	}
	log.Debug("fleet: stopping processes", "cgroup", root, "count", len(pids))
	signalAll(pids, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if len(cgroupPids(root)) == 0 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	for range 50 {
		left := cgroupPids(root)
		if len(left) == 0 {
			return nil
		}
		signalAll(left, syscall.SIGKILL)
		time.Sleep(100 * time.Millisecond)
	}
	if left := cgroupPids(root); len(left) > 0 {
		return fmt.Errorf("processes %v of %s survive SIGKILL", left, root)
	}
	return nil
}

func signalAll(pids []int, sig syscall.Signal) {
	for _, p := range pids {
		syscall.Kill(p, sig)
	}
}

// killNaming kills processes on the machine whose command line contains
// dir, but never this process or its ancestors.
func killNaming(dir string, log *slog.Logger) {
	self := map[int]bool{}
	for p := os.Getpid(); p > 1; {
		self[p] = true
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			break
		}
		// pid (comm) state ppid ...: comm may hold spaces; ppid follows the last ')'.
		s := string(raw)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 2 {
			break
		}
		p, _ = strconv.Atoi(fields[1])
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || self[pid] {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(raw), dir) {
			continue
		}
		log.Debug("fleet: stopping a process that names the fleet", "pid", pid, "cmdline", strings.ReplaceAll(string(raw), "\x00", " "))
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// unmountUnder unmounts every mount point at or under dir, deepest first.
func unmountUnder(dir string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		p := unescapeMount(fields[4])
		if p == dir || strings.HasPrefix(p, dir+"/") {
			points = append(points, p)
		}
	}
	slices.SortFunc(points, func(a, b string) int { return len(b) - len(a) })
	var errs []error
	for _, p := range slices.Compact(points) {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// removeCgroupTree removes a cgroup directory and its children, deepest
// first (a cgroup directory is removed with rmdir once it has no process).
func removeCgroupTree(root string) error {
	if _, err := os.Stat(root); err != nil {
		return nil
	}
	var dirs []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	for _, d := range dirs {
		if err := syscall.Rmdir(d); err != nil && !errors.Is(err, syscall.ENOENT) {
			return fmt.Errorf("removing cgroup %s: %w", d, err)
		}
	}
	return nil
}
