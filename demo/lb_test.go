package demo

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/docker/docker/api/types/container"

	"github.com/dockwright/dockwright/internal/deploylock"
	"github.com/dockwright/dockwright/internal/loadgen"
)

// getenv is the demo's environment variable k (.demo/env over the test's).
func (j *job) getenv(k string) string {
	v := ""
	for _, kv := range j.env {
		if n, val, ok := strings.Cut(kv, "="); ok && n == k {
			v = val
		}
	}
	return v
}

// tgARN is the ARN demo.sh gives target group name.
func tgARN(name string) string {
	sum := sha1.Sum([]byte(name))
	return fmt.Sprintf("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/%s/%x", name, sum[:8])
}

// targets asks the load balancer (the real SDK, on the simulated
// endpoint) for target group tg's targets: "ID:PORT" → state.
func (j *job) targets(tg string) map[string]string {
	j.t.Helper()
	c := elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(j.getenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2")),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDDEMO", "demo", "")})
	out, err := c.DescribeTargetHealth(context.Background(), &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgARN(tg))})
	if err != nil {
		j.t.Fatalf("DescribeTargetHealth %s: %v", tg, err)
	}
	m := map[string]string{}
	for _, d := range out.TargetHealthDescriptions {
		m[fmt.Sprintf("%s:%d", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port))] = string(d.TargetHealth.State)
	}
	return m
}

// instanceID is host's instance id in the simulated EC2 (.demo/ec2-fleet.yml).
func (j *job) instanceID(host string) string {
	j.t.Helper()
	raw, err := os.ReadFile(filepath.Join(j.state, "ec2-fleet.yml"))
	if err != nil {
		j.t.Fatal(err)
	}
	re := regexp.MustCompile(`id: (i-[0-9a-z]+), .*private_ip: ` + regexp.QuoteMeta(j.addr(host)) + `,`)
	m := re.FindStringSubmatch(string(raw))
	if m == nil {
		j.t.Fatalf("%s is not in ec2-fleet.yml", host)
	}
	return m[1]
}

// svcTarget is host's target in hello-svc's (instance) target groups.
func (j *job) svcTarget(host string) string { return j.instanceID(host) + ":8001" }

// waitFor polls cond until it holds, failing the test after limit.
func (j *job) waitFor(what string, limit time.Duration, cond func() bool) {
	j.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			j.t.Fatalf("%s: not after %s", what, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// expectPool checks that every target of tg listed in healthy is healthy
// and that those in out are not in the pool (unused or draining).
func (j *job) expectPool(tg string, healthy, out []string) {
	j.t.Helper()
	got := j.targets(tg)
	for _, id := range healthy {
		if got[id] != "healthy" {
			j.t.Errorf("%s: target %s is %q, want healthy (all: %v)", tg, id, got[id], got)
		}
	}
	for _, id := range out {
		if s := got[id]; s != "" && s != "draining" {
			j.t.Errorf("%s: target %s is %q, want it out of the pool (all: %v)", tg, id, s, got)
		}
	}
}

// traffic starts a stream of requests through a load balancer's listener
// (the DEMO_LB_* URL); Stop gives its figures.
func (j *job) traffic(lbVar string) *loadgen.Stream {
	return loadgen.Start(context.Background(), loadgen.Config{URL: j.getenv(lbVar) + "/", Rate: 50})
}

// noneFailed checks a traffic stream's figures.
func (j *job) noneFailed(phase string, s loadgen.Stats) {
	j.t.Helper()
	j.t.Logf("traffic during %s: %s", phase, s)
	if s.Requests == 0 || s.Failed != 0 {
		j.t.Errorf("traffic during %s: %s; want 0 failed", phase, s)
	}
}

// audit is one line of a host's audit log.
type audit struct {
	Time    string `json:"time"`
	Action  string `json:"action"`
	Service string `json:"service"`
	Env     string `json:"env"`
	Build   string `json:"build"`
	Image   string `json:"image"`
	Host    string `json:"host"`
	By      string `json:"by"`
}

// auditLog reads host's /var/log/dockwright/audit.log (inside the host).
func (j *job) auditLog(host string) []audit {
	j.t.Helper()
	out, err := j.fleet.Host(host).Command(context.Background(), "cat", "/var/log/dockwright/audit.log").Output()
	if err != nil {
		j.t.Fatalf("%s: reading the audit log: %v", host, err)
	}
	var lines []audit
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var a audit
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			j.t.Fatalf("%s: audit log line %q: %v", host, sc.Text(), err)
		}
		lines = append(lines, a)
	}
	return lines
}

// phase is one line of .demo/traffic.jsonl (the demo's loadgen figures).
type phase struct {
	Label string `json:"label"`
	loadgen.Stats
}

func (j *job) demoTraffic() map[string]phase {
	j.t.Helper()
	raw, err := os.ReadFile(filepath.Join(j.state, "traffic.jsonl"))
	if err != nil {
		j.t.Fatal(err)
	}
	m := map[string]phase{}
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var p phase
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			j.t.Fatalf("traffic.jsonl: %q: %v", l, err)
		}
		m[p.Label] = p
	}
	return m
}

// answers GETs url n times and returns the builds that answered.
func answers(url string, n int) map[string]int {
	m := map[string]int{}
	c := &http.Client{Timeout: 5 * time.Second}
	for i := 0; i < n; i++ {
		resp, err := c.Get(url)
		if err != nil {
			m["error"]++
			continue
		}
		var body struct{ Build string }
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		json.Unmarshal(b, &body)
		if resp.StatusCode != 200 {
			m[strconv.Itoa(resp.StatusCode)]++
			continue
		}
		m[body.Build]++
	}
	return m
}

// toggleELBAPI stops or starts again the simulated ELBv2 API (fake-ec2's
// SIGUSR1); the listeners go on carrying traffic.
func (j *job) toggleELBAPI() {
	j.t.Helper()
	raw, err := os.ReadFile(filepath.Join(j.state, "ec2.pid"))
	if err != nil {
		j.t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		j.t.Fatal(err)
	}
}

// startPlay starts ansible-playbook in a process group of its own (so a
// test can Ctrl-C it as a terminal would) and returns it with its output.
func (j *job) startPlay(args ...string) (*exec.Cmd, *strings.Builder) {
	j.t.Helper()
	args[0] = filepath.Join(j.root, "ansible", args[0])
	c := exec.Command("ansible-playbook", append([]string{"-i", filepath.Join(j.root, "bin/ec2-inventory")}, args...)...)
	c.Env = j.env
	var out strings.Builder
	c.Stdout, c.Stderr = &out, &out
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		j.t.Fatal(err)
	}
	return c, &out
}

var containerListAll = container.ListOptions{}

// runningBuild is the build of service's container on host ("" if none
// answers: the engine may be down).
func (j *job) runningBuild(host, service string) string {
	cs, err := j.engine(host).ContainerList(context.Background(), containerListAll)
	if err != nil {
		return ""
	}
	for _, c := range cs {
		if c.Labels["io.dockwright.service"] == service && c.State == "running" {
			return c.Labels["io.dockwright.build"]
		}
	}
	return ""
}

// lockHeld is the control side's deploy lock of key, if held.
func (j *job) lockHeld(key string) *deploylock.Holder {
	h, err := deploylock.Read(filepath.Join(j.state, "locks"), key)
	if err != nil {
		j.t.Fatal(err)
	}
	return h
}
