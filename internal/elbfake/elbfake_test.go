package elbfake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
)

// backend is a target: it answers /health with its health, /slow after a
// while, anything else with its name.
type backend struct {
	name    string
	healthy atomic.Bool
	served  atomic.Int64
	srv     *httptest.Server
	port    int
}

func newBackend(t *testing.T, name string) *backend {
	b := &backend{name: name}
	b.healthy.Store(true)
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			if !b.healthy.Load() {
				http.Error(w, "sick", http.StatusInternalServerError)
				return
			}
		case "/slow":
			time.Sleep(800 * time.Millisecond)
		}
		b.served.Add(1)
		fmt.Fprint(w, b.name)
	}))
	t.Cleanup(b.srv.Close)
	_, port, _ := net.SplitHostPort(b.srv.Listener.Addr().String())
	b.port, _ = strconv.Atoi(port)
	return b
}

type fixture struct {
	lb     *Balancer
	client *elb.Client
	arn    string
	ipARN  string
}

func start(t *testing.T) *fixture {
	t.Helper()
	cfg := Config{Groups: []TargetGroupSpec{
		{Name: "web", Port: 8001, Listen: "127.0.0.1:0", DeregistrationDelay: Duration{3 * time.Second},
			HealthCheck: HealthCheck{Path: "/health", Interval: Duration{50 * time.Millisecond}, Timeout: Duration{500 * time.Millisecond}, HealthyThreshold: 2, UnhealthyThreshold: 2}},
		{Name: "web-ip", TargetType: "ip", Port: 8001, Listen: "127.0.0.1:0",
			HealthCheck: HealthCheck{Path: "/health", Interval: Duration{50 * time.Millisecond}}},
	}}
	instances := map[string]string{"i-0aaaaaaaaaaaaaaa1": "127.0.0.1"}
	lb, err := New(cfg, func(id string) (string, string, bool) { ip, ok := instances[id]; return ip, "us-east-1a", ok }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := lb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lb.Close)
	api := httptest.NewServer(lb)
	t.Cleanup(api.Close)
	client := elb.New(elb.Options{Region: "us-east-1", BaseEndpoint: aws.String(api.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	return &fixture{lb: lb, client: client, arn: lb.ARN("web"), ipARN: lb.ARN("web-ip")}
}

func (f *fixture) health(t *testing.T, arn string, targets ...types.TargetDescription) map[string]types.TargetHealth {
	t.Helper()
	out, err := f.client.DescribeTargetHealth(context.Background(), &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn), Targets: targets})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]types.TargetHealth{}
	for _, d := range out.TargetHealthDescriptions {
		m[fmt.Sprintf("%s:%d", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port))] = *d.TargetHealth
	}
	return m
}

func (f *fixture) waitState(t *testing.T, arn, id string, port int, want types.TargetHealthStateEnum) types.TargetHealth {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	key := fmt.Sprintf("%s:%d", id, port)
	for {
		h := f.health(t, arn, td(id, port))[key]
		if h.State == want {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %s (%s), want %s", key, h.State, h.Reason, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func td(id string, port int) types.TargetDescription {
	return types.TargetDescription{Id: aws.String(id), Port: aws.Int32(int32(port))}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The real SDK describes the target groups, registers an instance on two
// ports (as ELB allows), sees them go initial → healthy, and the listener
// spreads requests over both.
func TestRegisterHealthyRoundRobin(t *testing.T) {
	f := start(t)
	a, b := newBackend(t, "a"), newBackend(t, "b")
	ctx := context.Background()
	tgs, err := f.client.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tgs.TargetGroups) != 1 || aws.ToString(tgs.TargetGroups[0].TargetGroupArn) != f.arn || tgs.TargetGroups[0].TargetType != types.TargetTypeEnumInstance ||
		aws.ToString(tgs.TargetGroups[0].HealthCheckPath) != "/health" {
		t.Fatalf("target groups = %+v", tgs.TargetGroups)
	}
	attrs, err := f.client.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(f.arn)})
	if err != nil {
		t.Fatal(err)
	}
	if k, v := aws.ToString(attrs.Attributes[0].Key), aws.ToString(attrs.Attributes[0].Value); k != "deregistration_delay.timeout_seconds" || v != "3" {
		t.Errorf("attribute %s=%s", k, v)
	}
	// Not registered: unused, Target.NotRegistered.
	if h := f.health(t, f.arn, td("i-0aaaaaaaaaaaaaaa1", a.port))[fmt.Sprintf("i-0aaaaaaaaaaaaaaa1:%d", a.port)]; h.State != types.TargetHealthStateEnumUnused ||
		h.Reason != types.TargetHealthReasonEnumNotRegistered {
		t.Errorf("before registration: %+v", h)
	}
	if _, err := f.client.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(f.arn),
		Targets: []types.TargetDescription{td("i-0aaaaaaaaaaaaaaa1", a.port), td("i-0aaaaaaaaaaaaaaa1", b.port)}}); err != nil {
		t.Fatal(err)
	}
	if h := f.health(t, f.arn)[fmt.Sprintf("i-0aaaaaaaaaaaaaaa1:%d", a.port)]; h.State != types.TargetHealthStateEnumInitial {
		t.Errorf("just registered: %+v", h)
	}
	f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", a.port, types.TargetHealthStateEnumHealthy)
	f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", b.port, types.TargetHealthStateEnumHealthy)
	got := map[string]int{}
	for range 10 {
		code, body := get(t, f.lb.ListenerURL("web")+"/")
		if code != 200 {
			t.Fatalf("through the listener: %d %s", code, body)
		}
		got[body]++
	}
	if got["a"] != 5 || got["b"] != 5 {
		t.Errorf("round robin gave %v, want 5 each", got)
	}
}

// A target that fails its health checks turns unhealthy with the reason,
// takes no traffic, and turns healthy again when it recovers.
func TestUnhealthyTakesNoTraffic(t *testing.T) {
	f := start(t)
	a, b := newBackend(t, "a"), newBackend(t, "b")
	f.client.RegisterTargets(context.Background(), &elb.RegisterTargetsInput{TargetGroupArn: aws.String(f.arn),
		Targets: []types.TargetDescription{td("i-0aaaaaaaaaaaaaaa1", a.port), td("i-0aaaaaaaaaaaaaaa1", b.port)}})
	f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", a.port, types.TargetHealthStateEnumHealthy)
	f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", b.port, types.TargetHealthStateEnumHealthy)
	a.healthy.Store(false)
	h := f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", a.port, types.TargetHealthStateEnumUnhealthy)
	if h.Reason != types.TargetHealthReasonEnumResponseCodeMismatch || !strings.Contains(aws.ToString(h.Description), "[500]") {
		t.Errorf("unhealthy: %+v %s", h.Reason, aws.ToString(h.Description))
	}
	for range 6 {
		if _, body := get(t, f.lb.ListenerURL("web")+"/"); body != "b" {
			t.Fatalf("an unhealthy target got a request: %s", body)
		}
	}
	a.healthy.Store(true)
	f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", a.port, types.TargetHealthStateEnumHealthy)
}

// A deregistered target drains: no new request reaches it, the one in
// flight finishes with its answer, then it is unused at once (before the
// deregistration delay: nothing was left in flight).
func TestDeregisterDrains(t *testing.T) {
	f := start(t)
	a, b := newBackend(t, "a"), newBackend(t, "b")
	ctx := context.Background()
	f.client.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(f.arn), Targets: []types.TargetDescription{td("i-0aaaaaaaaaaaaaaa1", a.port)}})
	f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", a.port, types.TargetHealthStateEnumHealthy)
	var wg sync.WaitGroup
	var slowCode int
	var slowBody string
	wg.Go(func() { slowCode, slowBody = get(t, f.lb.ListenerURL("web")+"/slow") })
	time.Sleep(200 * time.Millisecond) // the slow request is in flight
	f.client.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(f.arn), Targets: []types.TargetDescription{td("i-0aaaaaaaaaaaaaaa1", b.port)}})
	f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", b.port, types.TargetHealthStateEnumHealthy)
	if _, err := f.client.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(f.arn),
		Targets: []types.TargetDescription{td("i-0aaaaaaaaaaaaaaa1", a.port)}}); err != nil {
		t.Fatal(err)
	}
	h := f.health(t, f.arn, td("i-0aaaaaaaaaaaaaaa1", a.port))[fmt.Sprintf("i-0aaaaaaaaaaaaaaa1:%d", a.port)]
	if h.State != types.TargetHealthStateEnumDraining || h.Reason != types.TargetHealthReasonEnumDeregistrationInProgress {
		t.Errorf("after deregistering with a request in flight: %+v", h)
	}
	before := a.served.Load()
	for range 6 {
		if _, body := get(t, f.lb.ListenerURL("web")+"/"); body != "b" {
			t.Errorf("a draining target got a new request: %s", body)
		}
	}
	wg.Wait()
	if slowCode != 200 || slowBody != "a" {
		t.Errorf("the in-flight request got %d %q", slowCode, slowBody)
	}
	if a.served.Load() != before+1 {
		t.Errorf("a served %d requests while draining, want only the one in flight", a.served.Load()-before)
	}
	start := time.Now()
	f.waitState(t, f.arn, "i-0aaaaaaaaaaaaaaa1", a.port, types.TargetHealthStateEnumUnused)
	if time.Since(start) > 2*time.Second {
		t.Errorf("draining took %s after the last request, want at once", time.Since(start))
	}
}

// ip targets are registered by address; bad input is the API's error.
func TestIPTargetsAndErrors(t *testing.T) {
	f := start(t)
	a := newBackend(t, "a")
	ctx := context.Background()
	if _, err := f.client.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(f.ipARN), Targets: []types.TargetDescription{td("127.0.0.1", a.port)}}); err != nil {
		t.Fatal(err)
	}
	f.waitState(t, f.ipARN, "127.0.0.1", a.port, types.TargetHealthStateEnumHealthy)
	if code, body := get(t, f.lb.ListenerURL("web-ip")+"/"); code != 200 || body != "a" {
		t.Errorf("through the ip group's listener: %d %s", code, body)
	}
	if code, _ := get(t, f.lb.ListenerURL("web")+"/"); code != http.StatusServiceUnavailable {
		t.Errorf("a group without targets answered %d, want 503", code)
	}
	var ae smithy.APIError
	_, err := f.client.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(f.arn), Targets: []types.TargetDescription{td("i-0nope", 8001)}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidTarget" {
		t.Errorf("unknown instance: %v", err)
	}
	_, err = f.client.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "TargetGroupNotFound" {
		t.Errorf("unknown target group: %v", err)
	}
	_, err = f.client.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(f.ipARN), Targets: []types.TargetDescription{td("not-an-ip", 1)}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" {
		t.Errorf("bad ip: %v", err)
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, yaml, err string
	}{
		{"durations and defaults", "target_groups:\n  - name: web\n    port: 8080\n    deregistration_delay: 5s\n    health_check: {path: /health, interval: 250ms}\n", ""},
		{"unknown key", "target_groups:\n  - name: web\n    prot: 8080\n", "line 3: field prot not found"},
		{"bad duration", "target_groups:\n  - name: web\n    deregistration_delay: soon\n", "invalid duration"},
		{"bad arn", "target_groups:\n  - name: web\n    arn: arn:aws:ec2:x\n", "want arn:aws:elasticloadbalancing"},
		{"bad target type", "target_groups:\n  - name: web\n    target_type: lambda\n", "want instance or ip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := dir + "/" + strings.ReplaceAll(c.name, " ", "-") + ".yml"
			if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(path)
			if err == nil {
				_, err = New(cfg, nil, nil)
			}
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				g := cfg.Groups[0]
				if g.DeregistrationDelay.Duration != 5*time.Second || g.HealthCheck.Interval.Duration != 250*time.Millisecond {
					t.Errorf("durations = %v, %v", g.DeregistrationDelay, g.HealthCheck.Interval)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
		})
	}
}
