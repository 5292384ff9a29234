package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Errors returned by this package.
var (
	// ErrUnavailable means this machine cannot host a fleet (not root, no
	// namespaces, a tool missing); the error says which.
	ErrUnavailable = errors.New("fleet unavailable")
	// ErrSpec means a Spec that cannot be built.
	ErrSpec = errors.New("invalid fleet spec")
)

// Spec describes a fleet to build.
type Spec struct {
	// Name names everything the fleet makes on the machine (namespaces
	// dwf-NAME-HOST, the interface dwf-NAME, the cgroup dwf-NAME): 1 to 6
	// lower-case letters and digits.
	Name string
	// Subnet is the first three octets of the fleet's /24, "10.77.1"; by
	// default derived from Name within 10.77.0.0/16.
	Subnet string
	// Dir holds the fleet's state: its keys, known_hosts, the state file and
	// each host's logs, engine data and engine socket. Every host sees it at
	// /run/dwf too (a bind mount), so it may be anywhere, /tmp included.
	Dir string
	// User is the deploy user on every SSH host (default "deploy").
	User string
	// Hosts are the fleet's hosts, addressed .10, .11, ... in order.
	Hosts []HostSpec
	// Log gets progress at debug level; nil discards it.
	Log *slog.Logger
}

// HostSpec is one host.
type HostSpec struct {
	// Name is the host's name and hostname: up to 10 lower-case letters,
	// digits and '-', starting with a letter.
	Name string
	// Engine gives the host its own Docker Engine (vfs storage), serving
	// /var/run/docker.sock inside the host and Dir/NAME/docker.sock on the
	// machine.
	Engine bool
	// SSH gives the host its own sshd on port 22 of its address: key-only
	// login for the deploy user, who may sudo without a password.
	SSH bool
}

// Fleet is a fleet that is up (Up), or was (Load).
type Fleet struct {
	Name   string `json:"name"`
	Dir    string `json:"dir"`
	Subnet string `json:"subnet"`
	// Gateway is the machine's address on the fleet's segment.
	Gateway string `json:"gateway"`
	User    string `json:"user"`
	// KeyFile is the deploy user's private key; KnownHosts holds every SSH
	// host's keys.
	KeyFile    string  `json:"key_file"`
	KnownHosts string  `json:"known_hosts"`
	Hosts      []*Host `json:"hosts"`
}

// Host is one host of a fleet.
type Host struct {
	Name   string `json:"name"`
	Addr   string `json:"address"`
	Engine bool   `json:"engine"`
	SSH    bool   `json:"ssh"`
	// NetNS, MountNS and UTSNS are the namespace files nsenter enters.
	NetNS   string `json:"netns"`
	MountNS string `json:"mountns"`
	UTSNS   string `json:"utsns"`
	// Dir is the host's own directory under the fleet's.
	Dir string `json:"dir"`
	// EngineSocket is the host's Docker Engine as the machine reaches it
	// (DOCKER_HOST=unix://EngineSocket), empty without an engine.
	EngineSocket string `json:"engine_socket,omitempty"`
	// Cgroup is the pids cgroup every process of the host runs in.
	Cgroup string `json:"cgroup"`
}

const (
	statePrefix  = "dwf-"
	cgroupRoot   = "/sys/fs/cgroup"
	stateFile    = "fleet.json"
	defaultUser  = "deploy"
	engineWait   = 60 * time.Second
	firstHostIdx = 10
)

// overlaid are the directories a host has of its own over the machine's
// (its writes go to its own layer); /run and /tmp are fresh.
var overlaid = []string{"/etc", "/var", "/opt", "/home", "/root", "/usr/local"}

// Available reports why this machine cannot host a fleet, or nil.
func Available() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: not root (network and mount namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)", ErrUnavailable)
	}
	for _, tool := range []string{"ip", "nsenter", "unshare", "mount", "umount"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%w: %s not found (util-linux, iproute2)", ErrUnavailable, tool)
		}
	}
	if _, err := os.Stat(filepath.Join(cgroupRoot, "pids")); err != nil {
		return fmt.Errorf("%w: no pids cgroup at %s/pids (cgroup v1 with the pids controller)", ErrUnavailable, cgroupRoot)
	}
	probe := fmt.Sprintf("%sprobe-%d", statePrefix, os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", probe).CombinedOutput(); err != nil {
		return fmt.Errorf("%w: cannot create a network namespace: %s", ErrUnavailable, strings.TrimSpace(string(out)))
	}
	exec.Command("ip", "netns", "del", probe).Run()
	return nil
}

// validName reports whether s is 1 to max lower-case letters and digits,
// starting with a letter.
func validName(s string, max int) bool {
	if s == "" || len(s) > max || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validHostName: up to 10 lower-case letters, digits and '-' (the host's
// port on the switch is "p-" and the name: 15 characters at most), starting
// with a letter, not ending with '-'.
func validHostName(s string) bool {
	return validName(strings.ReplaceAll(s, "-", "x"), 10) && !strings.HasSuffix(s, "-") && !strings.Contains(s, "--")
}

// subnetFor derives a /24 within 10.77.0.0/16 from a fleet name.
func subnetFor(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("10.77.%d", 1+h.Sum32()%250)
}

func (s *Spec) check() error {
	if !validName(s.Name, 6) {
		return fmt.Errorf("%w: name %q: want 1 to 6 lower-case letters and digits, starting with a letter", ErrSpec, s.Name)
	}
	if s.Subnet == "" {
		s.Subnet = subnetFor(s.Name)
	}
	if ip := net.ParseIP(s.Subnet + ".1").To4(); ip == nil || !ip.IsPrivate() {
		return fmt.Errorf("%w: subnet %q: want the first three octets of a private /24 such as 10.77.1", ErrSpec, s.Subnet)
	}
	if s.User == "" {
		s.User = defaultUser
	}
	if !validName(s.User, 16) {
		return fmt.Errorf("%w: user %q", ErrSpec, s.User)
	}
	dir, err := filepath.Abs(s.Dir)
	if err != nil || s.Dir == "" {
		return fmt.Errorf("%w: no Dir", ErrSpec)
	}
	s.Dir = dir
	if len(s.Hosts) == 0 || len(s.Hosts) > 200 {
		return fmt.Errorf("%w: %d hosts: want 1 to 200", ErrSpec, len(s.Hosts))
	}
	seen := map[string]bool{}
	for _, h := range s.Hosts {
		if !validHostName(h.Name) || seen[h.Name] {
			return fmt.Errorf("%w: host name %q: want a unique name of up to 10 lower-case letters, digits and '-', starting with a letter", ErrSpec, h.Name)
		}
		seen[h.Name] = true
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	return nil
}

func (f *Fleet) switchNS() string  { return statePrefix + f.Name + "-sw" }
func (f *Fleet) machineIf() string { return statePrefix + f.Name }
func (f *Fleet) nsDir() string     { return filepath.Join(f.Dir, "ns") }

// Host returns the host named name, or nil.
func (f *Fleet) Host(name string) *Host {
	for _, h := range f.Hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// Load reads the state of the fleet whose state is in dir.
func Load(dir string) (*Fleet, error) {
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	var f Fleet
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return &f, nil
}

func (f *Fleet) save() error {
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(f.Dir, stateFile), append(raw, '\n'), 0o644)
}

// run runs a command on the machine and returns its error with its output.
func run(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Up builds the fleet: first Down of whatever a fleet of the same name left
// in the same Dir, then the switch, the hosts (in parallel), their engines
// and sshds, the deploy user's key and known_hosts. On an error it removes
// what it made.
func Up(ctx context.Context, spec Spec) (f *Fleet, err error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	if err := Available(); err != nil {
		return nil, err
	}
	if err := Down(ctx, spec.Name, spec.Dir, spec.Log); err != nil {
		return nil, fmt.Errorf("removing the previous fleet %s: %w", spec.Name, err)
	}
	f = &Fleet{Name: spec.Name, Dir: spec.Dir, Subnet: spec.Subnet, Gateway: spec.Subnet + ".1", User: spec.User,
		KeyFile: filepath.Join(spec.Dir, "id_ed25519"), KnownHosts: filepath.Join(spec.Dir, "known_hosts")}
	for i, hs := range spec.Hosts {
		h := &Host{Name: hs.Name, Addr: fmt.Sprintf("%s.%d", spec.Subnet, firstHostIdx+i), Engine: hs.Engine, SSH: hs.SSH,
			NetNS:   "/run/netns/" + statePrefix + spec.Name + "-" + hs.Name,
			MountNS: filepath.Join(f.nsDir(), hs.Name+".mnt"), UTSNS: filepath.Join(f.nsDir(), hs.Name+".uts"),
			Dir: filepath.Join(spec.Dir, "hosts", hs.Name), Cgroup: filepath.Join(statePrefix+spec.Name, hs.Name)}
		if hs.Engine {
			h.EngineSocket = filepath.Join(h.Dir, "docker.sock")
		}
		f.Hosts = append(f.Hosts, h)
	}
	defer func() {
		if err != nil {
			Down(context.WithoutCancel(ctx), f.Name, f.Dir, spec.Log)
		}
	}()
	if err := os.MkdirAll(f.nsDir(), 0o755); err != nil {
		return nil, err
	}
	// Save first, so that a crash from here on leaves a state Down reads.
	if err := f.save(); err != nil {
		return nil, err
	}
	spec.Log.Debug("fleet: the switch", "fleet", f.Name, "subnet", f.Subnet+".0/24")
	if err := f.upSwitch(ctx); err != nil {
		return nil, err
	}
	if err := run(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dockwright-fleet-"+f.Name, "-f", f.KeyFile); err != nil {
		return nil, err
	}
	pub, err := os.ReadFile(f.KeyFile + ".pub")
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(f.Hosts))
	var wg sync.WaitGroup
	for i, h := range f.Hosts {
		wg.Go(func() {
			if err := f.upHost(ctx, h, pub, spec.Log); err != nil {
				errs[i] = fmt.Errorf("host %s: %w", h.Name, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := f.writeKnownHosts(); err != nil {
		return nil, err
	}
	return f, f.save()
}

// upSwitch makes the segment: a bridge in the switch namespace, and the
// machine's interface on it.
func (f *Fleet) upSwitch(ctx context.Context) error {
	sw := f.switchNS()
	steps := [][]string{
		{"ip", "netns", "add", sw},
		{"ip", "-n", sw, "link", "set", "dev", "lo", "up"},
		{"ip", "-n", sw, "link", "add", "name", "br0", "type", "bridge"},
		{"ip", "-n", sw, "link", "set", "dev", "br0", "up"},
		{"ip", "link", "add", "name", f.machineIf(), "type", "veth", "peer", "name", "machine", "netns", sw},
		{"ip", "-n", sw, "link", "set", "dev", "machine", "master", "br0"},
		{"ip", "-n", sw, "link", "set", "dev", "machine", "up"},
		{"ip", "addr", "add", f.Gateway + "/24", "dev", f.machineIf()},
		{"ip", "link", "set", "dev", f.machineIf(), "up"},
		// The namespace files live on a private bind mount of their own.
		{"mount", "--bind", f.nsDir(), f.nsDir()},
		{"mount", "--make-private", f.nsDir()},
	}
	for _, s := range steps {
		if err := run(ctx, s[0], s[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// upHost makes one host: its namespaces and files, then its engine and
// sshd.
func (f *Fleet) upHost(ctx context.Context, h *Host, pub []byte, log *slog.Logger) error {
	log.Debug("fleet: host", "host", h.Name, "address", h.Addr)
	netns := filepath.Base(h.NetNS)
	port := "p-" + h.Name // the host's port on the switch
	steps := [][]string{
		{"ip", "netns", "add", netns},
		{"ip", "-n", netns, "link", "set", "dev", "lo", "up"},
		{"ip", "-n", f.switchNS(), "link", "add", "name", port, "type", "veth", "peer", "name", "eth0", "netns", netns},
		{"ip", "-n", f.switchNS(), "link", "set", "dev", port, "master", "br0"},
		{"ip", "-n", f.switchNS(), "link", "set", "dev", port, "up"},
		{"ip", "-n", netns, "addr", "add", h.Addr + "/24", "dev", "eth0"},
		{"ip", "-n", netns, "link", "set", "dev", "eth0", "up"},
	}
	for _, s := range steps {
		if err := run(ctx, s[0], s[1:]...); err != nil {
			return err
		}
	}
	for _, d := range []string{"docker"} {
		if err := os.MkdirAll(filepath.Join(h.Dir, d), 0o755); err != nil {
			return err
		}
	}
	for _, c := range []string{h.MountNS, h.UTSNS} {
		if err := os.WriteFile(c, nil, 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(cgroupRoot, "pids", h.Cgroup), 0o755); err != nil {
		return err
	}
	if err := run(ctx, "unshare", "--mount="+h.MountNS, "--uts="+h.UTSNS, "--propagation", "private", "true"); err != nil {
		return err
	}
	// Inside the host: a fresh /run, the fleet's directory at /run/dwf (a
	// bind mount of the machine's, made before anything is replaced, so Dir
	// may be anywhere), overlays whose upper layers are in /run (memory: a
	// host's writes vanish with it, and never touch the machine's files),
	// its own /var/lib/docker on disk under Dir, a fresh /tmp.
	var mounts strings.Builder
	mounts.WriteString("set -e\n")
	fmt.Fprintf(&mounts, "mount -t tmpfs -o mode=755 tmpfs /run\nmkdir -p %s\nmount --bind %s %s\n", innerDir, f.Dir, innerDir)
	for _, d := range overlaid {
		name := strings.ReplaceAll(strings.TrimPrefix(d, "/"), "/", "_")
		up, work := "/run/.dwf-layers/"+name+"/upper", "/run/.dwf-layers/"+name+"/work"
		fmt.Fprintf(&mounts, "mkdir -p %s %s\nmount -t overlay overlay -o lowerdir=%s,upperdir=%s,workdir=%s %s\n", up, work, d, up, work, d)
	}
	fmt.Fprintf(&mounts, "mount --bind %s /var/lib/docker\n", h.inside(filepath.Join(h.Dir, "docker")))
	mounts.WriteString("mkdir -p /run/lock /run/sshd\nchmod 1777 /run/lock\n")
	mounts.WriteString("mount -t tmpfs -o mode=1777 tmpfs /tmp\n")
	fmt.Fprintf(&mounts, "hostname %s\n", h.Name)
	// No name server is reachable from a host; names of the fleet resolve
	// from /etc/hosts.
	fmt.Fprintf(&mounts, "printf '127.0.0.1 localhost\\n%s %s\\n%s gateway\\n' > /etc/hosts\n", h.Addr, h.Name, f.Gateway)
	mounts.WriteString("printf 'options timeout:1 attempts:1\\n' > /etc/resolv.conf\n")
	if err := h.exec(ctx, nil, "sh", "-c", mounts.String()); err != nil {
		return fmt.Errorf("its filesystems: %w", err)
	}
	if h.SSH {
		if err := f.setupSSH(ctx, h, pub); err != nil {
			return fmt.Errorf("sshd: %w", err)
		}
	}
	if h.Engine {
		if err := f.startEngine(ctx, h); err != nil {
			return fmt.Errorf("its Docker Engine: %w", err)
		}
	}
	return nil
}

// innerDir is where every host sees the fleet's directory.
const innerDir = "/run/dwf"

// inside maps a path under the fleet's directory (as the machine sees it)
// to the same file as the host sees it.
func (h *Host) inside(p string) string {
	fleetDir := filepath.Dir(filepath.Dir(h.Dir)) // DIR/hosts/NAME
	rel, err := filepath.Rel(fleetDir, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return p
	}
	return filepath.Join(innerDir, rel)
}

// nsenter returns the arguments that enter h's namespaces.
func (h *Host) nsenter() []string {
	return []string{"--net=" + h.NetNS, "--mount=" + h.MountNS, "--uts=" + h.UTSNS}
}

// Command returns a command that runs argv as root inside the host (its
// network, mount and UTS namespaces), like a root shell on it.
func (h *Host) Command(ctx context.Context, argv ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "nsenter", append(h.nsenter(), argv...)...)
}

// exec runs argv in the host with stdin and returns its error with output.
func (h *Host) exec(ctx context.Context, stdin []byte, argv ...string) error {
	cmd := h.Command(ctx, argv...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// daemon starts argv in the host, detached, in the host's cgroup, with
// its output appended to log.
func (h *Host) daemon(log string, argv ...string) error {
	lf, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	procs := filepath.Join(cgroupRoot, "pids", h.Cgroup, "cgroup.procs")
	script := `echo $$ > "$0" && exec "$@"`
	args := append(append(h.nsenter(), "setsid", "sh", "-c", script, procs), argv...)
	cmd := exec.Command("nsenter", args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reaped when it exits (Down); nothing waits for it here
	return nil
}

func (f *Fleet) setupSSH(ctx context.Context, h *Host, pub []byte) error {
	u := f.User
	script := fmt.Sprintf(`set -e
id %[1]s >/dev/null 2>&1 || useradd -m -s /bin/bash %[1]s
install -d -m 700 -o %[1]s -g %[1]s /home/%[1]s/.ssh
cat > /home/%[1]s/.ssh/authorized_keys
chown %[1]s: /home/%[1]s/.ssh/authorized_keys; chmod 600 /home/%[1]s/.ssh/authorized_keys
echo '%[1]s ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/dockwright-fleet; chmod 440 /etc/sudoers.d/dockwright-fleet
rm -f /etc/ssh/ssh_host_*; ssh-keygen -q -A
mkdir -p /etc/ssh/sshd_config.d
printf 'ListenAddress %[2]s\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\nUseDNS no\n' > /etc/ssh/sshd_config.d/dockwright-fleet.conf
/usr/sbin/sshd -t
`, u, h.Addr)
	if err := h.exec(ctx, pub, "sh", "-c", script); err != nil {
		return err
	}
	return h.StartSSH(ctx)
}

// StartSSH starts the host's sshd (again, after StopSSH) and waits until it
// accepts connections.
func (h *Host) StartSSH(ctx context.Context) error {
	if err := h.daemon(filepath.Join(h.Dir, "sshd.log"), "/usr/sbin/sshd", "-D", "-e", "-o", "PidFile="+h.inside(filepath.Join(h.Dir, "sshd.pid"))); err != nil {
		return err
	}
	return waitTCP(ctx, h.Addr+":22", 20*time.Second)
}

// StopSSH stops the host's sshd and the sessions it serves (an SSH client
// keeping a connection open, as Ansible does, loses it too): the host is
// unreachable while its engine and containers go on.
func (h *Host) StopSSH() error {
	n := 0
	for _, pid := range cgroupPids(filepath.Join(cgroupRoot, "pids", h.Cgroup)) {
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err == nil && strings.TrimSpace(string(comm)) == "sshd" {
			syscall.Kill(pid, syscall.SIGKILL)
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("host %s: no sshd running", h.Name)
	}
	return nil
}

// KillEngine kills the host's Docker Engine as a crash would (SIGKILL to
// dockerd, containerd, the shims and every container's processes, all of
// the host's processes but sshd): its containers stop serving at once.
func (h *Host) KillEngine() error {
	n := 0
	for _, pid := range cgroupPids(filepath.Join(cgroupRoot, "pids", h.Cgroup)) {
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || strings.TrimSpace(string(comm)) == "sshd" {
			continue
		}
		syscall.Kill(pid, syscall.SIGKILL)
		n++
	}
	if n == 0 {
		return fmt.Errorf("host %s: no engine running", h.Name)
	}
	return nil
}

// StartEngine starts the host's Docker Engine again (after KillEngine);
// the containers whose restart policy says so come back with it.
func (f *Fleet) StartEngine(ctx context.Context, h *Host) error {
	if h.EngineSocket == "" {
		return fmt.Errorf("host %s has no engine", h.Name)
	}
	return f.startEngine(ctx, h)
}

func waitTCP(ctx context.Context, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not answer after %s: %v", addr, limit, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (f *Fleet) startEngine(ctx context.Context, h *Host) error {
	cfg := map[string]any{
		"storage-driver": "vfs",
		"cgroup-parent":  "/" + h.Cgroup,
		"log-driver":     "json-file",
		"log-opts":       map[string]string{"max-size": "10m", "max-file": "2"},
		"hosts":          []string{"unix:///var/run/docker.sock", "unix://" + h.inside(h.EngineSocket)},
		"pidfile":        h.inside(filepath.Join(h.Dir, "docker.pid")),
	}
	raw, _ := json.MarshalIndent(cfg, "", "  ")
	if err := h.exec(ctx, raw, "sh", "-c", "mkdir -p /etc/docker && cat > /etc/docker/daemon.json"); err != nil {
		return err
	}
	if err := h.daemon(filepath.Join(h.Dir, "dockerd.log"), "dockerd", "--config-file", "/etc/docker/daemon.json"); err != nil {
		return err
	}
	deadline := time.Now().Add(engineWait)
	for {
		err := exec.CommandContext(ctx, "docker", "-H", "unix://"+h.EngineSocket, "version", "--format", "{{.Server.Version}}").Run()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			tail, _ := os.ReadFile(filepath.Join(h.Dir, "dockerd.log"))
			if len(tail) > 2000 {
				tail = tail[len(tail)-2000:]
			}
			return fmt.Errorf("no answer on %s after %s; dockerd.log ends:\n%s", h.EngineSocket, engineWait, tail)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// writeKnownHosts collects every SSH host's public host keys, read from
// its own /etc/ssh, into one known_hosts file.
func (f *Fleet) writeKnownHosts() error {
	var b strings.Builder
	for _, h := range f.Hosts {
		if !h.SSH {
			continue
		}
		for _, alg := range []string{"ed25519", "ecdsa", "rsa"} {
			raw, err := h.Command(context.Background(), "cat", "/etc/ssh/ssh_host_"+alg+"_key.pub").Output()
			if err != nil {
				return fmt.Errorf("host %s: its %s host key: %w", h.Name, alg, err)
			}
			fields := strings.Fields(string(raw))
			if len(fields) < 2 {
				return fmt.Errorf("host %s: malformed %s host key", h.Name, alg)
			}
			fmt.Fprintf(&b, "%s %s %s\n", h.Addr, fields[0], fields[1])
		}
	}
	return os.WriteFile(f.KnownHosts, []byte(b.String()), 0o644)
}
