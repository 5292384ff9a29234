package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dockwright/dockwright/internal/yamlerr"
)

// Env is the environment variable naming the catalog when --catalog is not
// given.
const Env = "DOCKWRIGHT_CATALOG"

// DefaultContainerPort is the port every service listens on in its
// container unless the catalog says otherwise.
const DefaultContainerPort = 5000

// ErrInvalid means the catalog file is malformed; the message names the
// file and line.
var ErrInvalid = errors.New("invalid catalog")

// Catalog is a parsed services.yml.
type Catalog struct {
	// Path is the file it was read from.
	Path string
	// Registry is the default registry host (and port) of images.
	Registry string
	// RegistryBackend is how image-tagger and registry-pruner speak to the
	// catalog's registries: "" or auto (ECR for an ECR hostname, the
	// registry HTTP API otherwise), distribution, or ecr.
	RegistryBackend string
	// Environments lists the environments in promotion order.
	Environments []string
	// EnvDefaults are the per-environment defaults (endpoint templates).
	EnvDefaults map[string]EnvDefaults
	// PortRange bounds host ports when set: [low, high].
	PortRange []int
	// Services are sorted by name.
	Services []Service
}

// Service is one entry of the catalog.
type Service struct {
	Name string
	// Image is the repository without tag: REGISTRY/NAME unless given.
	Image         string
	HostPort      int
	ContainerPort int
	HealthPath    string
	// Environments the service runs in (all of the catalog's when omitted).
	Environments []string
	// Endpoints are the load-balancer URLs per environment.
	Endpoints map[string][]Endpoint
	// HealthCheck overrides the environment's health conditions.
	HealthCheck *HealthCheck
	// TargetGroups are the load-balancer target group ARNs per
	// environment the deploy role (de)registers hosts with.
	TargetGroups map[string]string
	// Line is where the service is defined in the file.
	Line int
}

// Endpoint is one load-balancer URL, optionally in one availability zone.
type Endpoint struct {
	URL string `yaml:"url" json:"url"`
	AZ  string `yaml:"az" json:"az,omitempty"`
}

type fileDefaults struct {
	ContainerPort int    `yaml:"container_port"`
	HealthPath    string `yaml:"health_path"`
}

type fileService struct {
	Image         string                `yaml:"image"`
	HostPort      int                   `yaml:"host_port"`
	ContainerPort int                   `yaml:"container_port"`
	HealthPath    string                `yaml:"health_path"`
	Environments  []string              `yaml:"environments"`
	Endpoints     map[string][]Endpoint `yaml:"endpoints"`
	HealthCheck   *HealthCheck          `yaml:"health_check"`
	TargetGroups  map[string]string     `yaml:"target_groups"`
}

// HealthCheck is what health-dashboard expects of a service's health URL.
// Unset fields fall back to the environment's, then to the defaults
// (status 200, no time limit beyond the checker's timeout, any body).
type HealthCheck struct {
	// Status is the expected HTTP status.
	Status int `yaml:"status" json:"status,omitempty"`
	// MaxTime is the slowest acceptable answer ("500ms").
	MaxTime string `yaml:"max_time" json:"max_time,omitempty"`
	// BodyPath is a dotted path into a JSON body ("status", "checks.db");
	// with BodyEquals the value there must equal it. BodyContains is a
	// substring the body must contain.
	BodyPath     string `yaml:"body_path" json:"body_path,omitempty"`
	BodyEquals   string `yaml:"body_equals" json:"body_equals,omitempty"`
	BodyContains string `yaml:"body_contains" json:"body_contains,omitempty"`
}

// merged fills unset fields of h from d.
func (h HealthCheck) merged(d HealthCheck) HealthCheck {
	if h.Status == 0 {
		h.Status = d.Status
	}
	if h.MaxTime == "" {
		h.MaxTime = d.MaxTime
	}
	if h.BodyPath == "" && h.BodyEquals == "" {
		h.BodyPath, h.BodyEquals = d.BodyPath, d.BodyEquals
	}
	if h.BodyContains == "" {
		h.BodyContains = d.BodyContains
	}
	return h
}

// Check returns the health conditions of a service in an environment.
func (c *Catalog) Check(s Service, env string) HealthCheck {
	h := HealthCheck{}
	if s.HealthCheck != nil {
		h = *s.HealthCheck
	}
	h = h.merged(c.EnvDefaults[env].HealthCheck)
	if h.Status == 0 {
		h.Status = 200
	}
	return h
}

type file struct {
	Registry     string                 `yaml:"registry"`
	Backend      string                 `yaml:"registry_backend"`
	PortRange    []int                  `yaml:"port_range"`
	Environments envList                `yaml:"environments"`
	Defaults     fileDefaults           `yaml:"defaults"`
	Services     map[string]fileService `yaml:"services"`
}

// topLine is the line of a top-level key (0 when absent).
func topLine(root *yaml.Node, key string) int {
	if len(root.Content) == 0 {
		return 0
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

// Load reads and validates a catalog file.
func Load(path string) (*Catalog, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading catalog: %w", err)
	}
	return Parse(path, raw)
}

// Parse parses and validates catalog bytes; path is used in errors.
func Parse(path string, raw []byte) (*Catalog, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(path, err)
	}
	c := &Catalog{Path: path, Registry: f.Registry, RegistryBackend: f.Backend, PortRange: f.PortRange, EnvDefaults: map[string]EnvDefaults{}}
	for _, e := range f.Environments {
		c.Environments = append(c.Environments, e.Name)
		c.EnvDefaults[e.Name] = e.EnvDefaults
	}
	if f.Defaults.ContainerPort == 0 {
		f.Defaults.ContainerPort = DefaultContainerPort
	}
	if f.Defaults.HealthPath == "" {
		f.Defaults.HealthPath = "/health"
	}
	// The strict decode above checked every key; the node tree gives the
	// services in file order with their lines.
	var root yaml.Node
	_ = yaml.Unmarshal(raw, &root)
	var order []*yaml.Node
	if len(root.Content) > 0 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "services" {
				sv := m.Content[i+1]
				for j := 0; j < len(sv.Content); j += 2 {
					order = append(order, sv.Content[j])
				}
			}
		}
	}
	envs := map[string]bool{}
	for _, e := range c.Environments {
		envs[e] = true
	}
	var errs []error
	switch f.Backend {
	case "", "auto", "distribution", "ecr":
	default:
		errs = append(errs, fmt.Errorf("%s:%d: registry_backend %q: want auto, distribution or ecr", path, topLine(&root, "registry_backend"), f.Backend))
	}
	if len(c.PortRange) != 0 && (len(c.PortRange) != 2 || c.PortRange[0] < 1 || c.PortRange[1] > 65535 || c.PortRange[0] > c.PortRange[1]) {
		errs = append(errs, fmt.Errorf("%s: port_range %v: want [LOW, HIGH] within 1-65535", path, c.PortRange))
	}
	for _, e := range f.Environments {
		if t := e.Endpoint; t != "" {
			probe := strings.NewReplacer("{service}", "svc", "{env}", e.Name, "{az}", "az").Replace(t)
			if u, err := url.Parse(probe); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				errs = append(errs, fmt.Errorf("%s:%d: environment %q: endpoint template %q: want an http(s) URL with {service}", path, e.line, e.Name, t))
			}
		}
	}
	bad := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...)))
	}
	ports := map[int]string{}
	for _, k := range order {
		fs := f.Services[k.Value]
		s := Service{
			Name: k.Value, Image: fs.Image, HostPort: fs.HostPort, ContainerPort: fs.ContainerPort,
			HealthPath: fs.HealthPath, Environments: fs.Environments, Endpoints: fs.Endpoints, Line: k.Line,
			HealthCheck: fs.HealthCheck, TargetGroups: fs.TargetGroups,
		}
		for e, arn := range fs.TargetGroups {
			if len(envs) > 0 && !envs[e] {
				bad(k.Line, "service %q: target_groups for unknown environment %q", s.Name, e)
			}
			if !strings.HasPrefix(arn, "arn:") {
				bad(k.Line, "service %q: target_groups.%s %q: want an ARN (arn:aws:elasticloadbalancing:...)", s.Name, e, arn)
			}
		}
		if hc := fs.HealthCheck; hc != nil {
			if hc.MaxTime != "" {
				if _, err := time.ParseDuration(hc.MaxTime); err != nil {
					bad(k.Line, "service %q: health_check.max_time %q: want a duration (500ms, 2s)", s.Name, hc.MaxTime)
				}
			}
			if hc.Status != 0 && (hc.Status < 100 || hc.Status > 599) {
				bad(k.Line, "service %q: health_check.status %d: want an HTTP status", s.Name, hc.Status)
			}
		}
		if !nameRE().MatchString(s.Name) {
			bad(k.Line, "service name %q: want lowercase letters, digits, '-', '_' or '.'", s.Name)
		}
		if s.Image == "" {
			if c.Registry == "" {
				s.Image = s.Name
			} else {
				s.Image = c.Registry + "/" + s.Name
			}
		}
		if !repoRE().MatchString(s.Image) {
			bad(k.Line, "service %q: image %q: want a repository without tag or digest ([HOST[:PORT]/]PATH, lowercase)", s.Name, s.Image)
		}
		if s.ContainerPort == 0 {
			s.ContainerPort = f.Defaults.ContainerPort
		}
		if s.HealthPath == "" {
			s.HealthPath = f.Defaults.HealthPath
		}
		if s.HostPort < 0 || s.HostPort > 65535 || s.ContainerPort < 1 || s.ContainerPort > 65535 {
			bad(k.Line, "service %q: port out of range 1-65535", s.Name)
		}
		if s.HostPort != 0 && len(c.PortRange) == 2 && (s.HostPort < c.PortRange[0] || s.HostPort > c.PortRange[1]) {
			bad(k.Line, "service %q: host_port %d is outside port_range %d-%d", s.Name, s.HostPort, c.PortRange[0], c.PortRange[1])
		}
		if s.HostPort != 0 {
			if other, dup := ports[s.HostPort]; dup {
				bad(k.Line, "service %q: host_port %d is already used by %q", s.Name, s.HostPort, other)
			}
			ports[s.HostPort] = s.Name
		}
		if len(s.Environments) == 0 {
			s.Environments = slices.Clone(c.Environments)
		}
		for _, e := range s.Environments {
			if len(envs) > 0 && !envs[e] {
				bad(k.Line, "service %q: unknown environment %q (known: %s)", s.Name, e, strings.Join(c.Environments, ", "))
			}
		}
		for e, eps := range s.Endpoints {
			if len(envs) > 0 && !envs[e] {
				bad(k.Line, "service %q: endpoints for unknown environment %q", s.Name, e)
			}
			for _, ep := range eps {
				if u, err := url.Parse(ep.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					bad(k.Line, "service %q: endpoint %q: want an http(s) URL", s.Name, ep.URL)
				}
			}
		}
		c.Services = append(c.Services, s)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	slices.SortFunc(c.Services, func(a, b Service) int { return strings.Compare(a.Name, b.Name) })
	return c, nil
}

// repoRE is the repository grammar of Docker's reference package:
// an optional registry host[:port], then lowercase path components.
var repoRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
})

var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`) })

// Service returns the named service.
func (c *Catalog) Service(name string) (Service, bool) {
	i, ok := slices.BinarySearchFunc(c.Services, name, func(s Service, n string) int { return strings.Compare(s.Name, n) })
	if !ok {
		return Service{}, false
	}
	return c.Services[i], true
}

// Names returns the service names, sorted.
func (c *Catalog) Names() []string {
	out := make([]string, len(c.Services))
	for i, s := range c.Services {
		out[i] = s.Name
	}
	return out
}

func yamlError(path string, err error) error {
	return fmt.Errorf("%w: %s", ErrInvalid, yamlerr.Join(path, err, "key"))
}
