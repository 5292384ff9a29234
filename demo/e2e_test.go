// Package demo holds the end-to-end test of the main job: it runs make
// demo (the story a user sees) on a fleet of hosts, each with its own
// Docker Engine reached over SSH, behind a registry with TLS and auth, and
// checks the outcome on each host's own engine and in the registry; then
// the cases production meets: a second deploy of the same build, check
// mode, hosts with different histories, a failing health check, an
// unreachable host, a failing inventory, a promotion of a service whose
// catalog image is a repository of its own. make demo-clean must then
// leave nothing behind.
package demo

import (
	"bufio"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/dockwright/dockwright/internal/fleet"
)

// job is the demo's world as the test sees it.
type job struct {
	t        *testing.T
	root     string
	state    string
	fleet    *fleet.Fleet
	env      []string // .demo/env on top of the test's environment
	registry string
	password string
	// dir is the service's workspace make runs in (examples/hello-svc
	// unless workspace gave it one of its own).
	dir string
}

// with is j for the subtest t.
func (j *job) with(t *testing.T) *job {
	c := *j
	c.t = t
	return &c
}

// workspace gives j a checkout of examples/hello-svc of its own, as a
// second Jenkins job has, so that its builds and pinned digest do not
// race another group's.
func (j *job) workspace(t *testing.T, name string) {
	t.Helper()
	j.dir = filepath.Join(t.TempDir(), name)
	src := filepath.Join(j.root, "examples/hello-svc")
	if out, err := exec.Command("mkdir", "-p", j.dir).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, f := range []string{"Makefile", "Dockerfile", "config"} {
		if out, err := exec.Command("cp", "-r", filepath.Join(src, f), j.dir).CombinedOutput(); err != nil {
			t.Fatalf("copying %s: %v: %s", f, err, out)
		}
	}
}

func TestMainJobOnTheFleet(t *testing.T) {
	if err := fleet.Available(); err != nil {
		t.Fatalf("the end-to-end test runs the main job on a fleet of network namespaces, and this machine cannot host one: %v", err)
	}
	root, _ := filepath.Abs("..")
	clean := func() []byte {
		out, _ := exec.Command("bash", filepath.Join(root, "demo/clean.sh")).CombinedOutput()
		return out
	}
	clean()
	t.Cleanup(func() {
		out := clean()
		assertNothingLeft(t, root, out)
	})
	cmd := exec.Command("bash", filepath.Join(root, "demo/demo.sh"))
	cmd.Dir = root
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make demo: %v\n%s", err, tail(out, 6000))
	}
	j := load(t, root)
	j.took(start, "make demo", nil)
	if !strings.Contains(string(out), "local simulation") {
		t.Error("the demo does not say the EC2 endpoint is simulated")
	}

	// What runs where, asked of each host's own engine.
	dev := []string{"svc-a1", "svc-a2", "svc-b1", "svc-b2", "svc-c1", "svc-c2", "svc-c3"}
	for _, h := range dev {
		j.expectRunning(h, "hello-svc", "dev", "3") // 4 deployed, rolled back to 3; svc-c3 joined by converge
	}
	for _, h := range []string{"api-a1", "api-b1"} {
		j.expectRunning(h, "hello-api", "dev", "2")
	}
	staging := j.headDigest("hello-svc", "staging")
	for _, h := range []string{"stg-a1", "stg-b1"} {
		l := j.expectRunning(h, "hello-svc", "staging", "4")
		if l["io.dockwright.image"] != j.registry+"/hello-svc@"+staging {
			t.Errorf("%s runs %s; the staging tag is %s", h, l["io.dockwright.image"], staging)
		}
	}
	// The machine's own engine ran nothing of the demo.
	if ids := containersOn(t, ""); len(ids) > 0 {
		for _, c := range ids {
			if c.Labels["io.dockwright.service"] != "" {
				t.Errorf("the machine's engine runs %s: the hosts' engines should", c.Names)
			}
		}
	}
	// keep-n-retention kept at most 3 builds on each host.
	for _, h := range dev {
		if got := j.builds(h, "hello-svc"); len(got) > 3 {
			t.Errorf("%s keeps builds %v of hello-svc, want at most 3", h, got)
		}
	}
	// The registry: --keep 2 left builds 3 and 4 and their commit tags.
	tags := j.registryTags("hello-svc")
	for _, keep := range []string{"3", "4", "staging", "git-" + commit("hello-svc", 3)[:7], "git-" + commit("hello-svc", 4)[:7]} {
		if !slices.Contains(tags, keep) {
			t.Errorf("the registry lost hello-svc:%s (has %v)", keep, tags)
		}
	}
	for _, gone := range []string{"1", "2", "git-" + commit("hello-svc", 1)[:7], "git-" + commit("hello-svc", 2)[:7]} {
		if slices.Contains(tags, gone) {
			t.Errorf("the registry still has hello-svc:%s", gone)
		}
	}
	// hello-api lives where its catalog entry says.
	if tags := j.registryTags("team/hello-api"); !slices.Contains(tags, "2") {
		t.Errorf("team/hello-api has %v, want build 2 there", tags)
	}
	// Notifications of every deploy, the promotion and the prune.
	kinds := j.events()
	if want := map[string]int{"deploy.started": 10, "deploy.finished": 10, "promotion": 2, "prune.summary": 1}; !mapsEqual(kinds, want) {
		t.Errorf("events heard: %v, want %v", kinds, want)
	}

	// Zero-downtime: the demo's traffic through the load balancers lost no
	// request in any phase (a count, not a timing).
	traffic := j.demoTraffic()
	for _, label := range []string{"deploy hello-svc build 2", "deploy hello-svc build 3", "deploy hello-svc build 4", "deploy hello-api build 2",
		"promote hello-svc build 4 to staging", "rollback hello-svc in dev", "converge hello-svc in dev"} {
		p, ok := traffic[label]
		if !ok {
			t.Errorf("the demo measured no traffic during %q (has %v)", label, traffic)
			continue
		}
		if p.Requests < 100 || p.Failed != 0 {
			t.Errorf("traffic during %s: %s; want 0 failed of at least 100", label, p.Stats)
		}
	}
	// The load balancer: every dev host of hello-svc is in the pool and
	// healthy, svc-c3 included; every answer through it is build 3.
	var devTargets []string
	for _, h := range dev {
		devTargets = append(devTargets, j.svcTarget(h))
	}
	j.expectPool("hello-svc-dev", devTargets, nil)
	j.expectPool("hello-api-dev", []string{j.addr("api-a1") + ":8002", j.addr("api-b1") + ":8002"}, nil)
	if got := answers(j.getenv("DEMO_LB_DEV")+"/", 21); got["3"] != 21 {
		t.Errorf("through the dev load balancer: %v, want build 3 only", got)
	}
	// The rollback moved dev's tag to build 3 with a record that says so.
	if got, want := j.headDigest("hello-svc", "dev"), j.headDigest("hello-svc", "3"); got != want {
		t.Errorf("hello-svc:dev is %s after the rollback, build 3 is %s", got, want)
	}
	hist := exec.Command(filepath.Join(root, "bin/image-tagger"), "history", "hello-svc", "--env", "dev", "-o", "json")
	hist.Env = j.env
	histOut, err := hist.Output()
	if err != nil {
		t.Fatalf("image-tagger history: %v", err)
	}
	var history struct {
		Promotions []struct {
			Build    uint64
			Rollback bool
		}
	}
	json.Unmarshal(histOut, &history)
	if len(history.Promotions) == 0 || history.Promotions[0].Build != 3 || !history.Promotions[0].Rollback {
		t.Errorf("dev's newest record is not the rollback to 3:\n%s", histOut)
	}
	// Each host's audit log: one line per change of what it runs.
	var actions []string
	for _, a := range j.auditLog("svc-a1") {
		actions = append(actions, a.Action+" "+a.Build)
		if a.Service != "hello-svc" || a.Env != "dev" || !strings.Contains(a.Image, "@sha256:") || a.Time == "" {
			t.Errorf("svc-a1's audit line is incomplete: %+v", a)
		}
	}
	if want := []string{"deploy 1", "deploy 2", "deploy 3", "deploy 4", "rollback 3"}; !slices.Equal(actions, want) {
		t.Errorf("svc-a1's audit log: %v, want %v", actions, want)
	}
	if got := j.auditLog("svc-c3"); len(got) != 1 || got[0].Action != "converge" || got[0].Build != "3" {
		t.Errorf("svc-c3's audit log: %+v, want one converge to 3", got)
	}
	// One zone at a time: build 4 reached every host of us-east-1a before
	// any of us-east-1b, and so on.
	zoneTimes := map[byte][]string{}
	for _, h := range dev[:6] {
		for _, a := range j.auditLog(h) {
			if a.Action == "deploy" && a.Build == "4" {
				zoneTimes[h[4]] = append(zoneTimes[h[4]], a.Time)
			}
		}
	}
	for _, pair := range [][2]byte{{'a', 'b'}, {'b', 'c'}} {
		before, after := zoneTimes[pair[0]], zoneTimes[pair[1]]
		if len(before) != 2 || len(after) != 2 || slices.Max(before) >= slices.Min(after) {
			t.Errorf("build 4 did not finish zone %c before zone %c began: %v", pair[0], pair[1], zoneTimes)
		}
	}

	// The cases production meets, in two groups that share no host,
	// deploy lock or workspace, side by side: the registry role's second
	// runs, then hello-api's cases (one stops a host's sshd); the
	// bootstrap role's second runs on hello-svc's hosts, then hello-svc's
	// cases (one kills a host's engine). Then the load balancer's API going
	// away, alone: every group would see it.
	t.Run("cases", func(t *testing.T) {
		t.Run("registry role, then hello-api", func(t *testing.T) {
			t.Parallel()
			api := j.with(t)
			api.workspace(t, "hello-api")
			api.registryRole()
			api.apiCases()
			api.neverHealthy()
		})
		t.Run("bootstrap role, then hello-svc", func(t *testing.T) {
			t.Parallel()
			svc := j.with(t)
			svc.bootstrapRole("service_hello_svc")
			svc.svcCases()
			svc.reliability()
		})
	})
	if t.Failed() {
		return
	}
	j.elbAPIDown()

	// Ansible checks host keys: with a known_hosts that does not know the
	// hosts, it refuses to connect.
	empty := filepath.Join(j.state, "empty_known_hosts")
	os.WriteFile(empty, nil, 0o644)
	c := exec.Command("ansible", "-i", filepath.Join(root, "bin/ec2-inventory"), "role_registry", "-m", "ansible.builtin.ping")
	c.Dir, c.Env = root, append(j.env, "ANSIBLE_SSH_COMMON_ARGS=-o UserKnownHostsFile="+empty, "ANSIBLE_SSH_CONTROL_PATH_DIR="+filepath.Join(j.state, "cp-empty"))
	if out, err := c.CombinedOutput(); err == nil || !strings.Contains(string(out), "Host key verification failed") {
		t.Errorf("Ansible connected to a host it does not know: %v\n%s", err, out)
	}
}

// registryArgs and bootstrapArgs run the demo's registry and bootstrap
// playbooks again.
func (j *job) registryArgs() []string {
	return []string{"registry.yml", "-e", "@" + filepath.Join(j.state, "registry-users.yml"), "-e", "dockwright_registry_pki_dir=" + filepath.Join(j.state, "pki")}
}

func (j *job) bootstrapArgs() []string {
	return []string{"bootstrap.yml", "-e", "dockwright_host_registry=" + j.registry, "-e", "dockwright_host_registry_ca=" + filepath.Join(j.state, "pki", "ca.crt"),
		"-e", "@" + filepath.Join(j.state, "registry-login.yml"), "-e", "dockwright_host_binaries_src=" + filepath.Join(j.root, "bin")}
}

// registryRole: a second run of the registry role changes nothing, and
// --check changes nothing and ends.
func (j *job) registryRole() { j.unchanged(j.registryArgs()) }

// bootstrapRole: the same of the bootstrap role, on the hosts of limit
// (the role's tasks are the same on every app host).
func (j *job) bootstrapRole(limit string) { j.unchanged(append(j.bootstrapArgs(), "--limit", limit)) }

func (j *job) unchanged(args []string) {
	for _, run := range [][]string{slices.Clone(args), append(slices.Clone(args), "--check")} {
		recap := recapOf(j.play(0, run...))
		if regexp.MustCompile(`changed=[1-9]`).MatchString(recap) {
			j.t.Errorf("ansible-playbook %v changed something on a second run:\n%s", run, recap)
		}
	}
}

// svcCases: hello-svc in dev, on entry every host on build 3.
func (j *job) svcCases() {
	t := j.t
	// Hosts with different histories keep different sets: build 5 reaches
	// svc-a1 only; retention there keeps 5, 4, 3, and svc-a2 keeps 4, 3, 2.
	j.make(0, "docker-deploy", "SERVICE=hello-svc", "BUILD_NUMBER=5", "GIT_COMMIT="+commit("hello-svc", 5), "ENV=dev",
		"LIMIT="+j.addr("svc-a1"))
	j.expectRunning("svc-a1", "hello-svc", "dev", "5")
	j.expectRunning("svc-a2", "hello-svc", "dev", "3")
	if got := j.builds("svc-a1", "hello-svc"); !slices.Equal(got, []string{"3", "4", "5"}) {
		t.Errorf("svc-a1 keeps %v, want [3 4 5]", got)
	}
	if got := j.builds("svc-a2", "hello-svc"); !slices.Equal(got, []string{"2", "3", "4"}) {
		t.Errorf("svc-a2 keeps %v, want [2 3 4]", got)
	}

	// A --limit that leaves out localhost (where the lock, the plan and the
	// tag move run) is refused, naming the fix.
	limited := j.play(2, "deploy.yml", "-e", "service=hello-svc", "-e", "env=dev", "-e", "build=5", "-e", "image_pinned=x", "--limit", j.addr("svc-a2"))
	if !strings.Contains(limited, "leaves out localhost") || !strings.Contains(limited, "LIMIT=") {
		t.Errorf("a --limit without localhost is not refused clearly:\n%s", tail([]byte(limited), 2000))
	}
	j.expectRunning("svc-a2", "hello-svc", "dev", "3")

	// A second deploy of the build a host runs changes nothing.
	three := j.registry + "/hello-svc@" + j.headDigest("hello-svc", "3")
	limit := strings.Join([]string{j.addr("svc-a2"), j.addr("svc-b1"), "localhost"}, ",")
	recap := j.play(0, "deploy.yml", "-e", "service=hello-svc", "-e", "env=dev", "-e", "build=3", "-e", "image_pinned="+three, "--limit", limit)
	for _, h := range []string{"svc-a2", "svc-b1"} {
		if !regexp.MustCompile(regexp.QuoteMeta(j.addr(h)) + ` +: ok=\d+ +changed=0 `).MatchString(recap) {
			t.Errorf("a second deploy of build 3 changed %s:\n%s", h, recapOf(recap))
		}
	}
	// Check mode: completes, reports, changes nothing.
	five := j.registry + "/hello-svc@" + j.headDigest("hello-svc", "5")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	j.playCtx(ctx, 0, "deploy.yml", "--check", "-e", "service=hello-svc", "-e", "env=dev", "-e", "build=5", "-e", "image_pinned="+five, "--limit", j.addr("svc-a2")+",localhost")
	j.expectRunning("svc-a2", "hello-svc", "dev", "3")
	if got := j.builds("svc-a2", "hello-svc"); !slices.Equal(got, []string{"2", "3", "4"}) {
		t.Errorf("after --check svc-a2 keeps %v, want [2 3 4] still", got)
	}

	// An inventory that fails fails the deploy, naming ec2-inventory, before
	// any host is touched.
	outInv := j.makeEnv(1, []string{"AWS_ENDPOINT_URL_EC2=http://127.0.0.1:1"}, "docker-deploy", "SERVICE=hello-svc", "BUILD_NUMBER=8", "ENV=dev")
	if !strings.Contains(outInv, "ec2-inventory") {
		t.Errorf("the failure does not name the inventory:\n%s", tail([]byte(outInv), 2000))
	}
	j.expectRunning("svc-b2", "hello-svc", "dev", "3")

}

// apiCases: hello-api, on entry api-a1 and api-b1 on build 2.
func (j *job) apiCases() {
	t := j.t
	// A build whose health check fails stops after the first host (exit 3
	// through dwmake); the other keeps build 2.
	failVars := filepath.Join(j.state, "unhealthy.yml")
	os.WriteFile(failVars, []byte("dockwright_service_container_env: {APP__HEALTH__FAIL: \"true\"}\ndockwright_service_health_retries: 3\n"), 0o644)
	out6 := j.make(3, "docker-deploy", "SERVICE=hello-api", "BUILD_NUMBER=6", "GIT_COMMIT="+commit("hello-api", 6), "ENV=dev", "ANSIBLE_OPTS=-e @"+failVars)
	if !strings.Contains(out6, "hello-api build 6 failed on "+j.addr("api-a1")) {
		t.Errorf("the failure does not name api-a1:\n%s", tail([]byte(out6), 3000))
	}
	j.expectRunning("api-a1", "hello-api", "dev", "6")
	j.expectRunning("api-b1", "hello-api", "dev", "2")

	// An unreachable host (its sshd stopped) fails the play naming it
	// (exit 1: operational); the host after it is not touched.
	api := j.fleet.Host("api-a1")
	if err := api.StopSSH(); err != nil {
		t.Fatal(err)
	}
	out7 := j.make(1, "docker-deploy", "SERVICE=hello-api", "BUILD_NUMBER=7", "GIT_COMMIT="+commit("hello-api", 7), "ENV=dev")
	if !strings.Contains(out7, "fatal: ["+j.addr("api-a1")+"]: UNREACHABLE!") {
		t.Errorf("the unreachable host is not named:\n%s", tail([]byte(out7), 3000))
	}
	j.expectRunning("api-b1", "hello-api", "dev", "2")
	if err := api.StartSSH(context.Background()); err != nil {
		t.Fatal(err)
	}

	// make promote of a service whose catalog image is a repository of its
	// own moves that repository's tag (and finds no staging host to deploy).
	j.make(0, "promote", "SERVICE=hello-api", "BUILD=2", "ENV=staging")
	if got, want := j.headDigest("team/hello-api", "staging"), j.headDigest("team/hello-api", "2"); got != want {
		t.Errorf("team/hello-api:staging is %s, build 2 is %s", got, want)
	}
	// promote of a build that does not exist: image-tagger's exit 2 comes
	// through promote.yml and dwmake.
	j.make(2, "promote", "SERVICE=hello-api", "BUILD=99", "ENV=staging")
}

func load(t *testing.T, root string) *job {
	t.Helper()
	state := filepath.Join(root, ".demo")
	f, err := fleet.Load(filepath.Join(state, "fleet"))
	if err != nil {
		t.Fatal(err)
	}
	j := &job{t: t, root: root, state: state, fleet: f, env: os.Environ()}
	raw, err := os.ReadFile(filepath.Join(state, "env"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		line := strings.TrimPrefix(sc.Text(), "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if u, err := unquote(v); err == nil {
			v = u
		}
		j.env = append(j.env, k+"="+v)
		if k == "DEMO_REGISTRY" {
			j.registry = v
		}
	}
	users, _ := os.ReadFile(filepath.Join(state, "registry-users.yml"))
	if m := regexp.MustCompile(`password: "([^"]+)"`).FindSubmatch(users); m != nil {
		j.password = string(m[1])
	}
	return j
}

// unquote undoes bash's printf %q for the values demo.sh writes.
func unquote(v string) (string, error) {
	if !strings.ContainsAny(v, `\'"`) {
		return v, nil
	}
	out, err := exec.Command("bash", "-c", "printf %s "+v).Output()
	return string(out), err
}

func (j *job) addr(host string) string {
	h := j.fleet.Host(host)
	if h == nil {
		j.t.Fatalf("no host %s in the fleet", host)
	}
	return h.Addr
}

func (j *job) engine(host string) *client.Client {
	j.t.Helper()
	h := j.fleet.Host(host)
	cli, err := client.NewClientWithOpts(client.WithHost("unix://"+h.EngineSocket), client.WithAPIVersionNegotiation())
	if err != nil {
		j.t.Fatal(err)
	}
	return cli
}

func containersOn(t *testing.T, socket string) []container.Summary {
	t.Helper()
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if socket != "" {
		opts = append(opts, client.WithHost("unix://"+socket))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cli.ContainerList(context.Background(), container.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// expectRunning checks that host runs service's container with env and
// build, and returns its labels.
func (j *job) expectRunning(host, service, env, build string) map[string]string {
	j.t.Helper()
	for _, c := range containersOn(j.t, j.fleet.Host(host).EngineSocket) {
		if c.Labels["io.dockwright.service"] == service {
			if got := c.Labels["io.dockwright.env"] + "/" + c.Labels["io.dockwright.build"]; got != env+"/"+build {
				j.t.Errorf("%s runs %s %s, want %s/%s", host, service, got, env, build)
			}
			return c.Labels
		}
	}
	j.t.Errorf("%s runs no %s", host, service)
	return nil
}

// builds are the build tags of service's repository on host's engine.
func (j *job) builds(host, service string) []string {
	j.t.Helper()
	is, err := j.engine(host).ImageList(context.Background(), image.ListOptions{})
	if err != nil {
		j.t.Fatal(err)
	}
	var out []string
	for _, i := range is {
		for _, ref := range i.RepoTags {
			repo, tag, _ := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
			if repo == service && regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(tag) {
				out = append(out, tag)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return out
}

func (j *job) http() *http.Client {
	pool := x509.NewCertPool()
	ca, err := os.ReadFile(filepath.Join(j.state, "pki", "ca.crt"))
	if err != nil {
		j.t.Fatal(err)
	}
	pool.AppendCertsFromPEM(ca)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func (j *job) headDigest(repo, tag string) string {
	j.t.Helper()
	req, _ := http.NewRequest(http.MethodHead, "https://"+j.registry+"/v2/"+repo+"/manifests/"+tag, nil)
	req.SetBasicAuth("jenkins", j.password)
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	resp, err := j.http().Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		j.t.Fatalf("HEAD %s:%s: %s", repo, tag, resp.Status)
	}
	return resp.Header.Get("Docker-Content-Digest")
}

func (j *job) registryTags(repo string) []string {
	j.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "https://"+j.registry+"/v2/"+repo+"/tags/list", nil)
	req.SetBasicAuth("jenkins", j.password)
	resp, err := j.http().Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Tags []string }
	json.NewDecoder(resp.Body).Decode(&body)
	return body.Tags
}

func (j *job) events() map[string]int {
	raw, err := os.ReadFile(filepath.Join(j.state, "events.jsonl"))
	if err != nil {
		j.t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e struct{ Kind string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			j.t.Fatalf("events.jsonl: %q: %v", line, err)
		}
		kinds[e.Kind]++
	}
	return kinds
}

// make runs make/dwmake in examples/hello-svc with the demo's settings and
// checks its exit code.
func (j *job) make(want int, args ...string) string { return j.makeEnv(want, nil, args...) }

func (j *job) makeEnv(want int, extraEnv []string, args ...string) string {
	j.t.Helper()
	dir := j.dir
	if dir == "" {
		dir = filepath.Join(j.root, "examples/hello-svc")
	}
	c := exec.Command(filepath.Join(j.root, "make/dwmake"), append([]string{"-s", "-C", dir, "DOCKWRIGHT=" + j.root,
		"REGISTRY=" + j.registry, "INVENTORY=" + filepath.Join(j.root, "bin/ec2-inventory"), "CATALOG=" + filepath.Join(j.state, "services.yml")}, args...)...)
	c.Env = append(slices.Clone(j.env), extraEnv...)
	start := time.Now()
	out, err := c.CombinedOutput()
	j.took(start, "dwmake", args)
	if code := exitCode(err); code != want {
		j.t.Fatalf("dwmake %v: exit %d, want %d\n%s", args, code, want, tail(out, 5000))
	}
	return string(out)
}

// play runs ansible-playbook with a playbook of ansible/ and the demo's
// inventory, checks its exit code, and returns its output.
func (j *job) play(want int, args ...string) string {
	return j.playCtx(context.Background(), want, args...)
}

func (j *job) playCtx(ctx context.Context, want int, args ...string) string {
	j.t.Helper()
	args[0] = filepath.Join(j.root, "ansible", args[0])
	c := exec.CommandContext(ctx, "ansible-playbook", append([]string{"-i", filepath.Join(j.root, "bin/ec2-inventory")}, args...)...)
	c.Env = j.env
	start := time.Now()
	out, err := c.CombinedOutput()
	j.took(start, "ansible-playbook", args)
	if ctx.Err() != nil {
		j.t.Fatalf("ansible-playbook %v did not finish: %v\n%s", args, ctx.Err(), tail(out, 4000))
	}
	if code := exitCode(err); code != want {
		j.t.Fatalf("ansible-playbook %v: exit %d, want %d\n%s", args, code, want, tail(out, 5000))
	}
	return string(out)
}

// took logs how long a step of the test ran (go test -v shows where the
// end-to-end test's time goes).
func (j *job) took(start time.Time, what string, args []string) {
	j.t.Logf("%6.1fs %s %s", time.Since(start).Seconds(), what, strings.Join(args, " "))
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

func recapOf(out string) string {
	if i := strings.Index(out, "PLAY RECAP"); i >= 0 {
		return out[i:]
	}
	return tail([]byte(out), 2000)
}

// commit is the commit demo.sh gives build n of svc: sha1("svc-n").
func commit(svc string, n int) string {
	return fmt.Sprintf("%x", sha1.Sum([]byte(fmt.Sprintf("%s-%d", svc, n))))
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// assertNothingLeft checks what make demo-clean must have removed.
func assertNothingLeft(t *testing.T, root string, cleanOut []byte) {
	t.Helper()
	if out, _ := exec.Command("ip", "netns", "list").Output(); strings.Contains(string(out), "dwf-demo-") {
		t.Errorf("make demo-clean left namespaces:\n%s\n%s", out, cleanOut)
	}
	if _, err := os.Stat("/sys/fs/cgroup/pids/dwf-demo"); err == nil {
		t.Errorf("make demo-clean left the fleet's cgroup:\n%s", cleanOut)
	}
	if _, err := os.Stat(filepath.Join(root, ".demo")); err == nil {
		t.Errorf("make demo-clean left .demo:\n%s", cleanOut)
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(raw), filepath.Join(root, ".demo")) {
			t.Errorf("make demo-clean left process %s: %s", e.Name(), strings.ReplaceAll(string(raw), "\x00", " "))
		}
	}
}

func tail(b []byte, n int) string {
	s := string(b)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
