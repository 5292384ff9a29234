// Package elbfake is a local Application Load Balancer for the tests and
// make demo: an endpoint speaking the ELBv2 API's real query/XML protocol
// (what community.aws.elb_target, elb_target_info, elb_target_group_info
// and the AWS SDK call: DescribeTargetGroups, DescribeTargetGroupAttributes,
// DescribeTags, RegisterTargets, DeregisterTargets, DescribeTargetHealth)
// that also carries traffic. Each target group has a listener forwarding
// HTTP to its healthy targets in turn; its own health checks (path,
// interval, timeout, thresholds) move targets initial → healthy /
// unhealthy; a deregistered target drains, taking no new request while
// its in-flight ones finish, until they have or the group's deregistration
// delay has passed, and is then unused. Targets are instances (an instance
// id and a port, resolved to the instance's address; one instance on
// several ports is allowed, as on ELB) or IP addresses.
package elbfake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the load balancer's target groups.
type Config struct {
	Region  string            `yaml:"region"`
	Account string            `yaml:"account"`
	Groups  []TargetGroupSpec `yaml:"target_groups"`
}

// TargetGroupSpec is one target group and its listener.
type TargetGroupSpec struct {
	Name string `yaml:"name"`
	// ARN is the group's ARN (default: derived from the name, region and
	// account), so that a catalog can be written before the fake starts.
	ARN string `yaml:"arn"`
	// TargetType is instance (default) or ip.
	TargetType string `yaml:"target_type"`
	// Port is the targets' default port.
	Port int `yaml:"port"`
	// Listen is the listener's HOST:PORT: traffic for the group enters here.
	Listen      string      `yaml:"listen"`
	HealthCheck HealthCheck `yaml:"health_check"`
	// DeregistrationDelay bounds draining (ELB's default is 300s).
	DeregistrationDelay Duration `yaml:"deregistration_delay"`
}

// HealthCheck is a target group's health check.
type HealthCheck struct {
	Path               string   `yaml:"path"`
	Interval           Duration `yaml:"interval"`
	Timeout            Duration `yaml:"timeout"`
	HealthyThreshold   int      `yaml:"healthy_threshold"`
	UnhealthyThreshold int      `yaml:"unhealthy_threshold"`
	// Matcher is the HTTP status a healthy target answers (default 200).
	Matcher int `yaml:"matcher"`
}

// Duration is a time.Duration written as "2s" in YAML.
type Duration struct{ time.Duration }

// UnmarshalText reads "500ms", "2s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// Target states, as ELB names them.
const (
	StateInitial   = "initial"
	StateHealthy   = "healthy"
	StateUnhealthy = "unhealthy"
	StateDraining  = "draining"
	StateUnused    = "unused"
)

// Resolver maps an instance id to its private address and availability
// zone (the EC2 fake's fleet, in the tests and the demo).
type Resolver func(instanceID string) (addr, az string, ok bool)

// Balancer is the running load balancer.
type Balancer struct {
	cfg     Config
	resolve Resolver
	log     *slog.Logger
	client  *http.Client

	mu        sync.Mutex
	groups    []*group
	listeners []*http.Server
	stop      chan struct{}
	wg        sync.WaitGroup
	calls     map[string]int
}

type group struct {
	spec    TargetGroupSpec
	arn     string
	listen  string    // the listener's address once started
	targets []*target // registered or draining, in registration order
	next    int       // round robin
}

type target struct {
	id    string
	port  int
	addr  string // HOST:PORT the listener forwards to
	az    string
	state string
	// reason and description, when not healthy (ELB's codes).
	reason, description string
	ok, bad             int // consecutive health check results
	inflight            int
	drainingSince       time.Time
	proxy               *httputil.ReverseProxy
	// transport is the target's own connection pool (an ALB keeps
	// connections per target), closed once the target is drained.
	transport *http.Transport
}

// New returns a load balancer for cfg; Start serves it.
func New(cfg Config, resolve Resolver, log *slog.Logger) (*Balancer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Account == "" {
		cfg.Account = "123456789012"
	}
	b := &Balancer{cfg: cfg, resolve: resolve, log: log, stop: make(chan struct{}), calls: map[string]int{},
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	seen := map[string]bool{}
	for _, s := range cfg.Groups {
		if s.Name == "" || seen[s.Name] {
			return nil, fmt.Errorf("target group %q: a unique name is required", s.Name)
		}
		seen[s.Name] = true
		if s.TargetType == "" {
			s.TargetType = "instance"
		}
		if s.TargetType != "instance" && s.TargetType != "ip" {
			return nil, fmt.Errorf("target group %s: target_type %q: want instance or ip", s.Name, s.TargetType)
		}
		hc := &s.HealthCheck
		if hc.Path == "" {
			hc.Path = "/"
		}
		if hc.Interval.Duration == 0 {
			hc.Interval.Duration = 5 * time.Second
		}
		if hc.Timeout.Duration == 0 {
			hc.Timeout.Duration = 2 * time.Second
		}
		if hc.HealthyThreshold == 0 {
			hc.HealthyThreshold = 2
		}
		if hc.UnhealthyThreshold == 0 {
			hc.UnhealthyThreshold = 2
		}
		if hc.Matcher == 0 {
			hc.Matcher = http.StatusOK
		}
		if s.DeregistrationDelay.Duration == 0 {
			s.DeregistrationDelay.Duration = 300 * time.Second
		}
		arn := s.ARN
		if arn == "" {
			arn = DefaultARN(cfg.Region, cfg.Account, s.Name)
		} else if !strings.HasPrefix(arn, "arn:aws:elasticloadbalancing:") || !strings.Contains(arn, ":targetgroup/"+s.Name+"/") {
			return nil, fmt.Errorf("target group %s: arn %q: want arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/%s/ID", s.Name, arn, s.Name)
		}
		b.groups = append(b.groups, &group{spec: s, arn: arn})
	}
	return b, nil
}

// DefaultARN is the ARN a group gets when its spec names none.
func DefaultARN(region, account, name string) string {
	sum := sha256.Sum256([]byte(name))
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%x", region, account, name, sum[:8])
}

// ARN returns the ARN of the target group named name ("" when none).
func (b *Balancer) ARN(name string) string {
	for _, g := range b.groups {
		if g.spec.Name == name {
			return g.arn
		}
	}
	return ""
}

// Start opens every target group's listener and starts the health checks.
func (b *Balancer) Start() error {
	for _, g := range b.groups {
		if g.spec.Listen == "" {
			continue
		}
		ln, err := net.Listen("tcp", g.spec.Listen)
		if err != nil {
			b.Close()
			return fmt.Errorf("target group %s: listener: %w", g.spec.Name, err)
		}
		g.listen = ln.Addr().String()
		srv := &http.Server{Handler: b.forward(g), ReadHeaderTimeout: 10 * time.Second}
		b.listeners = append(b.listeners, srv)
		go srv.Serve(ln)
		b.log.Debug("elbfake: listener", "group", g.spec.Name, "addr", ln.Addr().String())
	}
	for _, g := range b.groups {
		b.wg.Add(1)
		go b.checkLoop(g)
	}
	return nil
}

// Close stops the listeners and the health checks.
func (b *Balancer) Close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	for _, s := range b.listeners {
		s.Close()
	}
	b.wg.Wait()
}

// forward is a group's listener: the next healthy target in turn; 503 when
// none is healthy (ELB then answers 503 too).
func (b *Balancer) forward(g *group) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		var t *target
		for i := range g.targets {
			c := g.targets[(g.next+i)%len(g.targets)]
			if c.state == StateHealthy {
				t = c
				g.next = (g.next + i + 1) % len(g.targets)
				break
			}
		}
		if t == nil {
			b.mu.Unlock()
			http.Error(w, "no healthy target", http.StatusServiceUnavailable)
			return
		}
		t.inflight++
		proxy := t.proxy
		b.mu.Unlock()
		defer func() {
			b.mu.Lock()
			t.inflight--
			b.mu.Unlock()
		}()
		proxy.ServeHTTP(w, r)
	})
}

func (b *Balancer) checkLoop(g *group) {
	defer b.wg.Done()
	tick := time.NewTicker(g.spec.HealthCheck.Interval.Duration)
	defer tick.Stop()
	drain := time.NewTicker(50 * time.Millisecond)
	defer drain.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-drain.C:
			b.finishDraining(g)
		case <-tick.C:
			b.checkGroup(g)
		}
	}
}

// finishDraining removes draining targets with nothing in flight or whose
// delay has passed.
func (b *Balancer) finishDraining(g *group) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := g.targets[:0]
	for _, t := range g.targets {
		if t.state == StateDraining && (t.inflight == 0 || time.Since(t.drainingSince) >= g.spec.DeregistrationDelay.Duration) {
			b.log.Debug("elbfake: drained", "group", g.spec.Name, "target", t.id, "port", t.port)
			t.transport.CloseIdleConnections()
			continue
		}
		kept = append(kept, t)
	}
	g.targets = kept
}

func (b *Balancer) checkGroup(g *group) {
	b.mu.Lock()
	var todo []*target
	for _, t := range g.targets {
		if t.state != StateDraining {
			todo = append(todo, t)
		}
	}
	hc := g.spec.HealthCheck
	b.mu.Unlock()
	var wg sync.WaitGroup
	for _, t := range todo {
		wg.Go(func() {
			reason, desc := b.probe(t.addr, hc)
			b.mu.Lock()
			defer b.mu.Unlock()
			if t.state == StateDraining {
				return
			}
			if reason == "" {
				t.ok, t.bad = t.ok+1, 0
				if t.state != StateHealthy && t.ok >= hc.HealthyThreshold {
					t.state, t.reason, t.description = StateHealthy, "", ""
				}
				return
			}
			t.ok, t.bad = 0, t.bad+1
			if t.state == StateInitial && t.bad < hc.UnhealthyThreshold {
				t.reason, t.description = "Elb.InitialHealthChecking", "Initial health checks in progress"
				return
			}
			if t.bad >= hc.UnhealthyThreshold {
				t.state, t.reason, t.description = StateUnhealthy, reason, desc
			}
		})
	}
	wg.Wait()
}

// probe runs one health check; an empty reason means healthy.
func (b *Balancer) probe(addr string, hc HealthCheck) (reason, description string) {
	ctx, cancel := context.WithTimeout(context.Background(), hc.Timeout.Duration)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+hc.Path, nil)
	resp, err := b.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "Target.Timeout", "Request timed out"
		}
		return "Target.FailedHealthChecks", "Health checks failed"
	}
	resp.Body.Close()
	if resp.StatusCode != hc.Matcher {
		return "Target.ResponseCodeMismatch", fmt.Sprintf("Health checks failed with these codes: [%d]", resp.StatusCode)
	}
	return "", ""
}

// Target is one target's health, as DescribeTargetHealth reports it.
type Target struct {
	ID, AZ              string
	Port                int
	State               string
	Reason, Description string
}

// Health returns the group's targets (draining ones included), for tests.
func (b *Balancer) Health(arn string) []Target {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, g := range b.groups {
		if g.arn == arn {
			var out []Target
			for _, t := range g.targets {
				out = append(out, Target{ID: t.id, AZ: t.az, Port: t.port, State: t.state, Reason: t.reason, Description: t.description})
			}
			return out
		}
	}
	return nil
}

// Calls returns how many requests each API action received.
func (b *Balancer) Calls() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]int, len(b.calls))
	for k, v := range b.calls {
		out[k] = v
	}
	return out
}

// apiError is an ELB error answer.
type apiError struct {
	status     int
	code, text string
}

func (e *apiError) Error() string { return e.code + ": " + e.text }

func (b *Balancer) group(arn, name string) (*group, error) {
	for _, g := range b.groups {
		if arn != "" && g.arn == arn || arn == "" && name != "" && g.spec.Name == name {
			return g, nil
		}
	}
	return nil, &apiError{http.StatusBadRequest, "TargetGroupNotFound", "One or more target groups not found"}
}

// targetsArg reads Targets.member.N.{Id,Port,AvailabilityZone}.
func targetsArg(form url.Values) []Target {
	var out []Target
	for i := 1; ; i++ {
		id := form.Get(fmt.Sprintf("Targets.member.%d.Id", i))
		if id == "" {
			return out
		}
		port, _ := strconv.Atoi(form.Get(fmt.Sprintf("Targets.member.%d.Port", i)))
		out = append(out, Target{ID: id, Port: port, AZ: form.Get(fmt.Sprintf("Targets.member.%d.AvailabilityZone", i))})
	}
}

func list(form url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v := form.Get(fmt.Sprintf("%s.member.%d", prefix, i))
		if v == "" {
			return out
		}
		out = append(out, v)
	}
}

// register adds targets (a target already registered, even draining, is
// left as it is: ELB does the same).
func (b *Balancer) register(g *group, ts []Target) error {
	for _, t := range ts {
		port := t.Port
		if port == 0 {
			port = g.spec.Port
		}
		addr, az := t.ID, t.AZ
		switch g.spec.TargetType {
		case "instance":
			ip, iaz, ok := b.resolve(t.ID)
			if !ok {
				return &apiError{http.StatusBadRequest, "InvalidTarget", fmt.Sprintf("The following targets are not in a running state and cannot be registered: '%s'", t.ID)}
			}
			addr, az = ip, iaz
		case "ip":
			if net.ParseIP(t.ID) == nil {
				return &apiError{http.StatusBadRequest, "ValidationError", fmt.Sprintf("'%s' is not a valid IP address", t.ID)}
			}
		}
		if slices.ContainsFunc(g.targets, func(x *target) bool { return x.id == t.ID && x.port == port }) {
			continue
		}
		u := &url.URL{Scheme: "http", Host: net.JoinHostPort(addr, strconv.Itoa(port))}
		tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 64, IdleConnTimeout: 60 * time.Second}
		nt := &target{id: t.ID, port: port, addr: u.Host, az: az, state: StateInitial,
			reason: "Elb.RegistrationInProgress", description: "Target registration is in progress", transport: tr,
			proxy: &httputil.ReverseProxy{Transport: tr, Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u); r.Out.Host = r.In.Host },
				ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
					b.log.Debug("elbfake: target error", "target", u.Host, "err", err)
					http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
				}}}
		g.targets = append(g.targets, nt)
		b.log.Debug("elbfake: registered", "group", g.spec.Name, "target", t.ID, "port", port, "addr", u.Host)
	}
	return nil
}

// deregister starts draining targets (unknown ones are ignored, as on ELB).
func (b *Balancer) deregister(g *group, ts []Target) {
	for _, t := range ts {
		port := t.Port
		if port == 0 {
			port = g.spec.Port
		}
		for _, x := range g.targets {
			if x.id == t.ID && x.port == port && x.state != StateDraining {
				x.state, x.reason, x.description = StateDraining, "Target.DeregistrationInProgress", "Target deregistration is in progress"
				x.drainingSince = time.Now()
				b.log.Debug("elbfake: draining", "group", g.spec.Name, "target", t.ID, "port", port, "inflight", x.inflight)
			}
		}
	}
}

// health describes the asked targets (every registered one when none is
// asked); a target that is not registered is unused, Target.NotRegistered.
func (b *Balancer) health(g *group, ask []Target) []Target {
	describe := func(t *target) Target {
		return Target{ID: t.id, Port: t.port, AZ: t.az, State: t.state, Reason: t.reason, Description: t.description}
	}
	var out []Target
	if len(ask) == 0 {
		for _, t := range g.targets {
			out = append(out, describe(t))
		}
		return out
	}
	for _, a := range ask {
		port := a.Port
		if port == 0 {
			port = g.spec.Port
		}
		i := slices.IndexFunc(g.targets, func(x *target) bool { return x.id == a.ID && x.port == port })
		if i >= 0 {
			out = append(out, describe(g.targets[i]))
			continue
		}
		out = append(out, Target{ID: a.ID, Port: port, State: StateUnused, Reason: "Target.NotRegistered", Description: "Target is not registered to the target group"})
	}
	return out
}

// ListenerURL returns the group's listener as http://HOST:PORT, once
// started ("" when it has none).
func (b *Balancer) ListenerURL(name string) string {
	for _, g := range b.groups {
		if g.spec.Name == name && g.listen != "" {
			return "http://" + g.listen
		}
	}
	return ""
}

func stateErr(err error) (int, string, string) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status, ae.code, ae.text
	}
	return http.StatusInternalServerError, "InternalFailure", err.Error()
}

// LoadConfig reads a Config from YAML (unknown keys are errors):
//
//	region: us-east-1
//	account: "123456789012"
//	target_groups:
//	  - name: web-prod
//	    port: 8080
//	    listen: 127.0.0.1:8800
//	    deregistration_delay: 5s
//	    health_check: {path: /health, interval: 1s, healthy_threshold: 2}
func LoadConfig(path string) (Config, error) {
	var cfg Config
	raw, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}
