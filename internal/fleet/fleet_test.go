package fleet

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testDir is a state directory under /tmp, which every host replaces with
// its own: the fleet must work from there (a CI clone may be anywhere).
func testDir(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(t.TempDir(), name)
}

func upFleet(t *testing.T, spec Spec) *Fleet {
	t.Helper()
	if err := Available(); err != nil {
		t.Fatalf("the fleet tests need a machine that can host one: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		if err := Down(context.Background(), spec.Name, spec.Dir, nil); err != nil {
			t.Errorf("Down: %v", err)
		}
	})
	f, err := Up(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// ssh runs a command on a host as the deploy user, checking its host key
// against the fleet's known_hosts.
func ssh(t *testing.T, f *Fleet, h *Host, command string) (string, error) {
	t.Helper()
	out, err := exec.Command("ssh", "-i", f.KeyFile, "-o", "UserKnownHostsFile="+f.KnownHosts, "-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes", "-o", "ConnectTimeout=5", f.User+"@"+h.Addr, command).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// buildServer builds a static HTTP server answering "hi from HOSTNAME" and
// returns a tar of a root filesystem holding it as /srv.
func buildServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() {\n\th, _ := os.Hostname()\n\thttp.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, \"hi from %s\", h) })\n\thttp.ListenAndServe(\":5000\", nil)\n}\n"
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module srv\n\ngo 1.21\n"), 0o644)
	build := exec.Command("go", "build", "-o", "srv", ".")
	build.Dir, build.Env = dir, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the test server: %v\n%s", err, out)
	}
	if out, err := exec.Command("tar", "-C", dir, "-cf", filepath.Join(dir, "srv.tar"), "srv").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	return filepath.Join(dir, "srv.tar")
}

// A fleet's hosts are hosts: reached over SSH with checked host keys as a
// deploy user who may sudo, each with its own hostname, files and Docker
// Engine whose published ports answer on the host's address; and Down
// leaves nothing behind.
func TestFleetUpDown(t *testing.T) {
	spec := Spec{Name: "ftest", Dir: testDir(t, "ftest"), Hosts: []HostSpec{{Name: "web1", Engine: true, SSH: true}, {Name: "db-1", SSH: true}}}
	f := upFleet(t, spec)
	web, db := f.Host("web1"), f.Host("db-1")
	if web.Addr == db.Addr || !strings.HasPrefix(web.Addr, f.Subnet+".") {
		t.Fatalf("addresses %s, %s in %s", web.Addr, db.Addr, f.Subnet)
	}

	// SSH with the known_hosts Up wrote; sudo; the host's own name.
	out, err := ssh(t, f, web, "hostname; id -un; sudo -n id -u")
	if err != nil || out != "web1\n"+f.User+"\n0" {
		t.Fatalf("ssh web1: %v: %q", err, out)
	}
	// Password logins are off.
	if out, err := exec.Command("ssh", "-o", "UserKnownHostsFile="+f.KnownHosts, "-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no",
		f.User+"@"+db.Addr, "true").CombinedOutput(); err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Errorf("a login without the key: %v: %s", err, out)
	}

	// Each host's files are its own: written on db1, absent on web1 and on
	// the machine; the deploy user exists on the hosts only.
	if _, err := ssh(t, f, db, "echo db1 | sudo tee /etc/dwf-test-file >/dev/null"); err != nil {
		t.Fatal(err)
	}
	if out, err := ssh(t, f, web, "cat /etc/dwf-test-file"); err == nil {
		t.Errorf("web1 sees db1's file: %s", out)
	}
	if _, err := os.Stat("/etc/dwf-test-file"); err == nil {
		t.Error("the machine sees db1's file")
	}
	if raw, _ := os.ReadFile("/etc/passwd"); strings.Contains(string(raw), "\n"+f.User+":") {
		t.Errorf("the deploy user %q was added to the machine's /etc/passwd", f.User)
	}

	// web1's own engine runs a container whose port answers on web1's
	// address; the machine's engine does not see it.
	docker := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("docker", append([]string{"-H", "unix://" + web.EngineSocket}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	tarball, err := os.Open(buildServer(t))
	if err != nil {
		t.Fatal(err)
	}
	imp := exec.Command("docker", "-H", "unix://"+web.EngineSocket, "import", "-c", `ENTRYPOINT ["/srv"]`, "-", "fleet-test:1")
	imp.Stdin = tarball
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	id := docker("run", "-d", "--name", "fleet-test-srv", "-p", "8001:5000", "fleet-test:1")
	var body string
	for i := 0; i < 50; i++ {
		resp, err := http.Get("http://" + web.Addr + ":8001/")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.HasPrefix(body, "hi from ") {
		t.Fatalf("GET %s:8001: %q", web.Addr, body)
	}
	if out, _ := exec.Command("docker", "ps", "-q", "--no-trunc").Output(); strings.Contains(string(out), id) {
		t.Error("the machine's engine sees web1's container")
	}
	// The deploy user reaches the engine through sudo, at its usual socket.
	if out, err := ssh(t, f, web, "sudo -n docker ps --format '{{.Names}}'"); err != nil || out != "fleet-test-srv" {
		t.Errorf("docker ps on web1: %v %q", err, out)
	}

	// StopSSH makes a host unreachable; its container goes on serving.
	if err := db.StopSSH(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := ssh(t, f, db, "true"); err == nil {
		t.Error("db1 still answers SSH after StopSSH")
	}
	if err := db.StartSSH(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := ssh(t, f, db, "true"); err != nil {
		t.Errorf("db1 after StartSSH: %v", err)
	}

	// Down: nothing left.
	if err := Down(context.Background(), f.Name, f.Dir, nil); err != nil {
		t.Fatal(err)
	}
	assertGone(t, f)
}

// assertGone checks that nothing of fleet f is left on the machine.
func assertGone(t *testing.T, f *Fleet) {
	t.Helper()
	if out, _ := exec.Command("ip", "netns", "list").Output(); strings.Contains(string(out), statePrefix+f.Name+"-") {
		t.Errorf("namespaces left: %s", out)
	}
	if exec.Command("ip", "link", "show", "dev", statePrefix+f.Name).Run() == nil {
		t.Errorf("interface %s left", statePrefix+f.Name)
	}
	ctrls, _ := os.ReadDir(cgroupRoot)
	for _, c := range ctrls {
		if _, err := os.Stat(filepath.Join(cgroupRoot, c.Name(), statePrefix+f.Name)); err == nil {
			t.Errorf("cgroup %s/%s left", c.Name(), statePrefix+f.Name)
		}
	}
	if raw, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(raw), f.Dir) {
		t.Errorf("mounts under %s left", f.Dir)
	}
	if _, err := os.Stat(f.Dir); err == nil {
		t.Errorf("%s left", f.Dir)
	}
	for _, h := range f.Hosts {
		if h.EngineSocket != "" {
			if err := exec.Command("docker", "-H", "unix://"+h.EngineSocket, "version").Run(); err == nil {
				t.Errorf("the engine of %s still answers", h.Name)
			}
		}
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cgroup"))
		if err == nil && strings.Contains(string(raw), "/"+statePrefix+f.Name+"/") {
			cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			t.Errorf("process %s (%s) left in the fleet's cgroup", e.Name(), strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
}

// Down after a crash: with the state file gone and the engine's container
// still running, Down finds everything by the fleet's names; Up over a
// previous fleet of the same name starts clean.
func TestFleetDownAfterCrash(t *testing.T) {
	spec := Spec{Name: "fcrash", Dir: testDir(t, "fcrash"), Hosts: []HostSpec{{Name: "h1", Engine: true, SSH: true}}}
	first := upFleet(t, spec)
	again, err := Up(context.Background(), spec) // over the first: idempotent
	if err != nil {
		t.Fatal(err)
	}
	if again.Host("h1").Addr != first.Host("h1").Addr {
		t.Errorf("a second Up moved h1 from %s to %s", first.Host("h1").Addr, again.Host("h1").Addr)
	}
	if _, err := ssh(t, again, again.Host("h1"), "true"); err != nil {
		t.Fatalf("after a second Up: %v", err)
	}
	if err := os.Remove(filepath.Join(spec.Dir, stateFile)); err != nil {
		t.Fatal(err)
	}
	if err := Down(context.Background(), spec.Name, spec.Dir, nil); err != nil {
		t.Fatal(err)
	}
	assertGone(t, again)
	// And Down of nothing is not an error.
	if err := Down(context.Background(), spec.Name, spec.Dir, nil); err != nil {
		t.Errorf("Down of a fleet that is gone: %v", err)
	}
}

func TestSpecRefusals(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"bad name", Spec{Name: "Demo!", Dir: "/work/x", Hosts: []HostSpec{{Name: "h1"}}}, "name"},
		{"no hosts", Spec{Name: "x", Dir: "/work/x"}, "0 hosts"},
		{"duplicate host", Spec{Name: "x", Dir: "/work/x", Hosts: []HostSpec{{Name: "h1"}, {Name: "h1"}}}, "unique"},
		{"host name too long for its interface", Spec{Name: "x", Dir: "/work/x", Hosts: []HostSpec{{Name: "web-server-1"}}}, "up to 10"},
		{"host name ending in '-'", Spec{Name: "x", Dir: "/work/x", Hosts: []HostSpec{{Name: "web-"}}}, "host name"},
		{"public subnet", Spec{Name: "x", Subnet: "8.8.8", Dir: "/work/x", Hosts: []HostSpec{{Name: "h1"}}}, "private"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Up(context.Background(), tt.spec)
			if !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Up: %v, want ErrSpec about %q", err, tt.want)
			}
		})
	}
}
