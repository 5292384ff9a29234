package health

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dockwright/dockwright/internal/catalog"
)

// Target is one URL to check.
type Target struct {
	// ID is stable across rounds: "web/endpoint/https://..." or "web/host/10.0.1.5".
	ID      string `json:"id"`
	Service string `json:"service"`
	Env     string `json:"env"`
	// Kind is "endpoint" (a load balancer) or "host" (one instance).
	Kind string `json:"kind"`
	AZ   string `json:"az,omitempty"`
	Host string `json:"host,omitempty"`
	URL  string `json:"url"`
	// Conditions is what a healthy answer looks like.
	Conditions Conditions `json:"conditions"`
}

// Conditions are the checks an answer must pass.
type Conditions struct {
	Status       int           `json:"status"`
	MaxTime      time.Duration `json:"max_time,omitempty"`
	BodyPath     string        `json:"body_path,omitempty"`
	BodyEquals   string        `json:"body_equals,omitempty"`
	BodyContains string        `json:"body_contains,omitempty"`
}

func conditions(h catalog.HealthCheck) Conditions {
	c := Conditions{Status: h.Status, BodyPath: h.BodyPath, BodyEquals: h.BodyEquals, BodyContains: h.BodyContains}
	if h.MaxTime != "" {
		c.MaxTime, _ = time.ParseDuration(h.MaxTime) // validated by the catalog
	}
	return c
}

// InventoryHost is one host of the Ansible inventory (ec2-inventory --list).
type InventoryHost struct {
	Name    string
	Address string // ansible_host, else the name
	AZ      string
	Groups  []string
}

// Targets lists what to check in env: every endpoint of every service that
// runs there, plus, when hosts are given, every host in both the
// service_<name> and env_<env> groups at the service's host port.
func Targets(c *catalog.Catalog, env string, hosts []InventoryHost) ([]Target, error) {
	if len(c.Environments) > 0 && !slices.Contains(c.Environments, env) {
		return nil, fmt.Errorf("%w: environment %q (known: %s)", catalog.ErrUnknown, env, strings.Join(c.Environments, ", "))
	}
	var out []Target
	for _, s := range c.Services {
		if len(s.Environments) > 0 && !slices.Contains(s.Environments, env) {
			continue
		}
		cond := conditions(c.Check(s, env))
		if l, err := c.Endpoints(s.Name, env, ""); err == nil {
			for _, e := range l.Endpoints {
				u, err := healthURL(e.URL, s.HealthPath)
				if err != nil {
					return nil, err
				}
				out = append(out, Target{ID: s.Name + "/endpoint/" + e.URL, Service: s.Name, Env: env, Kind: "endpoint", AZ: e.AZ, URL: u, Conditions: cond})
			}
		}
		if s.HostPort == 0 {
			continue
		}
		sg, eg := "service_"+sanitize(s.Name), "env_"+sanitize(env)
		for _, h := range hosts {
			if slices.Contains(h.Groups, sg) && slices.Contains(h.Groups, eg) {
				out = append(out, Target{
					ID: s.Name + "/host/" + h.Name, Service: s.Name, Env: env, Kind: "host", AZ: h.AZ, Host: h.Name,
					URL: fmt.Sprintf("http://%s:%d%s", h.Address, s.HostPort, s.HealthPath), Conditions: cond,
				})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func healthURL(base, path string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	return u.String(), nil
}

// sanitize is ec2-inventory's group-name rule for tag values (a copy of
// inventory.sanitizeAnsible: importing that package would link the AWS SDK).
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
