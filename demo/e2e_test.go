// Package demo holds the end-to-end test of the main job: it runs make
// demo (the same flow a user sees) and checks the outcome with the Docker
// Engine and the registry, then a deploy whose health check fails and one
// whose inventory fails.
package demo

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/dockwright/dockwright/internal/clitest"
)

// registry is the demo's registry address (demo.sh writes it).
var registry string

func TestMainJobEndToEnd(t *testing.T) {
	root, _ := filepath.Abs("..")
	clean := func() { exec.Command("bash", filepath.Join(root, "demo/clean.sh")).Run() }
	clean()
	t.Cleanup(clean)
	cmd := exec.Command("bash", filepath.Join(root, "demo/demo.sh"))
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make demo: %v\n%s", err, tail(out))
	}
	addr, err := os.ReadFile(filepath.Join(root, ".demo/registry.addr"))
	if err != nil {
		t.Fatal(err)
	}
	registry = strings.TrimSpace(string(addr))
	if !strings.Contains(string(out), "local simulation") {
		t.Error("the demo does not say the EC2 endpoint is simulated")
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	running := func() map[string]map[string]string {
		cs, err := cli.ContainerList(ctx, container.ListOptions{Filters: filters.NewArgs(filters.Arg("name", "demo-hello-"))})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]map[string]string{}
		for _, c := range cs {
			out[strings.TrimPrefix(c.Names[0], "/")] = c.Labels
		}
		return out
	}
	// The right build on each host of the right group.
	want := map[string]string{
		"demo-hello-svc-127-0-0-11": "dev/3", "demo-hello-svc-127-0-0-12": "dev/3", // rolled back from 4
		"demo-hello-api-127-0-0-13": "dev/4", "demo-hello-api-127-0-0-14": "dev/4",
		"demo-hello-svc-127-0-0-21": "staging/3", "demo-hello-svc-127-0-0-22": "staging/3", // promoted
	}
	got := running()
	for name, w := range want {
		l, ok := got[name]
		if !ok {
			t.Errorf("%s is not running", name)
			continue
		}
		if g := l["io.dockwright.env"] + "/" + l["io.dockwright.build"]; g != w {
			t.Errorf("%s runs %s, want %s", name, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("running: %v", got)
	}
	// The staging tag's digest is what staging runs.
	d := headDigest(t, "hello-svc", "staging")
	if img := got["demo-hello-svc-127-0-0-21"]["io.dockwright.image"]; !strings.HasSuffix(img, "@"+d) {
		t.Errorf("staging runs %s, the staging tag is %s", img, d)
	}
	// Each container answers on its host port.
	for _, u := range []string{"http://127.0.0.11:8001/health", "http://127.0.0.21:8001/health", "http://127.0.0.14:8002/health"} {
		resp, err := http.Get(u)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("GET %s: %v %v", u, err, resp)
		} else {
			resp.Body.Close()
		}
	}
	// At most 3 versions of each service remain on the hosts (one Engine).
	for _, svc := range []string{"hello-svc", "hello-api"} {
		is, err := cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("reference", registry+"/"+svc))})
		if err != nil {
			t.Fatal(err)
		}
		versions := 0
		for _, i := range is {
			for _, tag := range i.RepoTags {
				if tg := tag[strings.LastIndex(tag, ":")+1:]; tg != "" && tg[0] >= '1' && tg[0] <= '9' && !strings.Contains(tg, "-") {
					versions++
				}
			}
		}
		if versions > 3 {
			t.Errorf("%s: %d versions on the host, want at most 3", svc, versions)
		}
	}
	// The registry keeps what registry-pruner --keep 2 said.
	tags := registryTags(t, "hello-svc")
	for _, keep := range []string{"3", "4", "staging"} {
		if !contains(tags, keep) {
			t.Errorf("registry lost hello-svc:%s (has %v)", keep, tags)
		}
	}
	for _, gone := range []string{"1", "2"} {
		if contains(tags, gone) {
			t.Errorf("registry still has hello-svc:%s", gone)
		}
	}
	// Each build was pushed with its own commit tag (git-<sha7>), which
	// went with its build: only builds 3's and 4's remain.
	var commits []string
	for _, tag := range tags {
		if strings.HasPrefix(tag, "git-") {
			commits = append(commits, tag)
		}
	}
	slices.Sort(commits)
	if want := []string{"git-" + demoCommit("hello-svc", 3)[:7], "git-" + demoCommit("hello-svc", 4)[:7]}; !slices.Equal(commits, sortedCopy(want)) {
		t.Errorf("commit tags left in the registry: %v, want %v (those of the kept builds 3 and 4)", commits, want)
	}

	// The notifiers (the shipped notify-file plugin, through
	// DOCKWRIGHT_NOTIFY) heard every deploy play once at its start and once
	// at its end (8 builds, the promotion's deploy, the rollback), the
	// promotion, the prune, and keep-n-retention removing build 1 of each
	// service when build 4 arrived (the simulated hosts run it with the
	// control machine's environment; on real hosts it has its own).
	kinds := map[string]int{}
	raw, err := os.ReadFile(filepath.Join(root, ".demo/events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e struct{ Kind, Source, Summary string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("events.jsonl: %q: %v", line, err)
		}
		kinds[e.Kind]++
	}
	if want := map[string]int{"deploy.started": 10, "deploy.finished": 10, "promotion": 1, "prune.summary": 1, "retention.summary": 2}; !maps.Equal(kinds, want) {
		t.Errorf("events heard: %v, want %v", kinds, want)
	}
	if !strings.Contains(string(out), "what the notifiers heard") {
		t.Error("the demo does not show the events")
	}

	env := demoEnv(t, root)
	// Deploy events reach a notifier plugin (the shipped notify-webhook,
	// through dockwright-plugin-host emit) from the Ansible runs below.
	kit := clitest.BuildNotifyKit(t)
	hook := kit.Hook(t)
	env = append(env, "DOCKWRIGHT_PLUGIN_DIR="+kit.PluginDir)
	make := func(args ...string) ([]byte, error) {
		c := exec.Command("make", append([]string{"-s", "-C", filepath.Join(root, "examples/hello-svc"),
			"SERVICE=hello-api", "REGISTRY=" + registry, "INVENTORY=" + root + "/bin/ec2-inventory",
			"CATALOG=" + root + "/.demo/services.yml", "GIT_COMMIT=0123456789abcdef"}, args...)...)
		c.Env = env
		return c.CombinedOutput()
	}

	// docker-build put the OCI labels on the image.
	ins, err := cli.ImageInspect(ctx, "hello-svc:4")
	if err != nil {
		t.Fatal(err)
	}
	if l := ins.Config.Labels; l["org.opencontainers.image.version"] != "4" || l["org.opencontainers.image.revision"] != demoCommit("hello-svc", 4) || l["io.dockwright.service"] != "hello-svc" {
		t.Errorf("labels of hello-svc:4 = %v", l)
	}
	// docker-push without a build number stops with a clear message.
	if out, err := make("docker-push", "BUILD_NUMBER="); err == nil || !strings.Contains(string(out), "BUILD_NUMBER is not set") {
		t.Errorf("docker-push without BUILD_NUMBER: %v\n%s", err, out)
	}

	// A build whose health check fails stops after the first host; the
	// other keeps build 4.
	failVars := filepath.Join(root, ".demo/unhealthy.yml")
	if err := os.WriteFile(failVars, []byte("container_env: {APP__HEALTH__FAIL: \"true\"}\nhealth_retries: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = make("docker-deploy", "BUILD_NUMBER=5", "ENV=dev",
		"ANSIBLE_OPTS=-e dockwright_bin="+root+"/bin -e lock_file="+root+"/.demo/dockwright.lock -e container_per_host=true -e @"+failVars+" -e notify_file="+hook.File)
	if err == nil {
		t.Fatalf("a deploy with a failing health check succeeded:\n%s", tail(out))
	}
	got = running()
	a, b := got["demo-hello-api-127-0-0-13"]["io.dockwright.build"], got["demo-hello-api-127-0-0-14"]["io.dockwright.build"]
	if a != "5" || b != "4" {
		t.Errorf("after the failed rollout: first host runs %q, second %q; want 5 (the failing batch) and 4 (untouched)", a, b)
	}
	// The notifiers heard it start once and fail on the first host.
	if k := strings.Join(hook.Kinds(), " "); k != "deploy.started deploy.failed" {
		t.Errorf("events of the failed deploy: %s, want deploy.started deploy.failed", k)
	} else {
		ev := hook.Events()
		if s := ev[0]["summary"]; s != "deploying hello-api build 5 to dev (2 hosts)" {
			t.Errorf("deploy.started summary = %q", s)
		}
		if s, _ := ev[1]["summary"].(string); !strings.HasPrefix(s, "hello-api deploy of build 5 failed on 127.0.0.13 in dev: ") || ev[1]["source"] != "ansible" {
			t.Errorf("deploy.failed = %v", ev[1])
		}
	}

	// An explicit rollback target: build 2, which the hosts kept (the
	// registry no longer has it), on the dev hosts of hello-svc only.
	rb := exec.Command("make", "-s", "-C", filepath.Join(root, "examples/hello-svc"), "rollback",
		"SERVICE=hello-svc", "ENV=dev", "BUILD=2", "REGISTRY="+registry, "INVENTORY="+root+"/bin/ec2-inventory",
		"CATALOG="+root+"/.demo/services.yml", "ANSIBLE_OPTS=-e dockwright_bin="+root+"/bin -e lock_file="+root+"/.demo/dockwright.lock -e container_per_host=true -e notify_file="+hook.File)
	rb.Env = env
	if out, err := rb.CombinedOutput(); err != nil {
		t.Fatalf("make rollback BUILD=2: %v\n%s", err, tail(out))
	}
	got = running()
	for _, name := range []string{"demo-hello-svc-127-0-0-11", "demo-hello-svc-127-0-0-12"} {
		if b := got[name]["io.dockwright.build"]; b != "2" {
			t.Errorf("%s runs build %q after rollback BUILD=2", name, b)
		}
	}
	if b := got["demo-hello-svc-127-0-0-21"]["io.dockwright.build"]; b != "3" {
		t.Errorf("staging moved to %q during a dev rollback", b)
	}
	// Two batches, one started and one finished event.
	if k := strings.Join(hook.Kinds(), " "); k != "deploy.started deploy.failed deploy.started deploy.finished" {
		t.Errorf("events after the rollback: %s, want the failed deploy's, then deploy.started deploy.finished", k)
	} else if s := hook.Events()[2]["summary"]; s != "rolling hello-svc back in dev to build 2 (2 hosts)" {
		t.Errorf("rollback deploy.started summary = %q", s)
	}

	// An inventory that fails makes the deploy fail, not run on no hosts.
	env = append(env, "AWS_ENDPOINT_URL_EC2=http://127.0.0.1:1")
	out, err = make("docker-deploy", "BUILD_NUMBER=6", "ENV=dev",
		"ANSIBLE_OPTS=-e dockwright_bin="+root+"/bin -e container_per_host=true")
	if err == nil {
		t.Fatalf("make docker-deploy succeeded with a failing inventory:\n%s", tail(out))
	}
	if !strings.Contains(string(out), "ec2-inventory") {
		t.Errorf("the failure does not name the inventory:\n%s", tail(out))
	}
}

// demoEnv is the environment demo.sh exported: the simulated EC2 endpoint.
func demoEnv(t *testing.T, root string) []string {
	url, err := os.ReadFile(filepath.Join(root, ".demo/ec2.url"))
	if err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(),
		"AWS_ENDPOINT_URL_EC2="+strings.TrimSpace(string(url)), "AWS_ACCESS_KEY_ID=AKIDDEMO", "AWS_SECRET_ACCESS_KEY=demo",
		"AWS_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"EC2_INVENTORY_CONFIG="+root+"/.demo/ec2-inventory.yml", "DOCKWRIGHT_CATALOG="+root+"/.demo/services.yml")
}

func headDigest(t *testing.T, repo, tag string) string {
	req, _ := http.NewRequest(http.MethodHead, "http://"+registry+"/v2/"+repo+"/manifests/"+tag, nil)
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Docker-Content-Digest")
}

func registryTags(t *testing.T, repo string) []string {
	resp, err := http.Get("http://" + registry + "/v2/" + repo + "/tags/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Tags []string }
	json.NewDecoder(resp.Body).Decode(&body)
	return body.Tags
}

// demoCommit is the commit demo.sh gives build n of svc: sha1("svc-n").
func demoCommit(svc string, n int) string {
	return fmt.Sprintf("%x", sha1.Sum([]byte(fmt.Sprintf("%s-%d", svc, n))))
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}
