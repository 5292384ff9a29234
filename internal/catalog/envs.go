package catalog

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// EnvDefaults are what every service gets in an environment unless it says
// otherwise: an endpoint template ("https://{service}.prod.example.com";
// with {az}, one endpoint per AZ of AZs).
type EnvDefaults struct {
	Endpoint    string      `yaml:"endpoint"`
	AZs         []string    `yaml:"azs"`
	HealthCheck HealthCheck `yaml:"health_check"`
}

type envDef struct {
	Name string
	EnvDefaults
	line int
}

// envList accepts `environments: [dev, prod]` or a mapping of names to
// EnvDefaults.
type envList []envDef

func (l *envList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.SequenceNode:
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		for _, name := range names {
			*l = append(*l, envDef{Name: name, line: n.Line})
		}
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			var d EnvDefaults
			v := n.Content[i+1]
			if v.Kind == yaml.MappingNode {
				if err := decodeKnown(v, &d); err != nil {
					return err
				}
			} else if v.Tag != "!!null" {
				return fmt.Errorf("line %d: environment %q: want a mapping (endpoint, azs) or nothing", v.Line, n.Content[i].Value)
			}
			*l = append(*l, envDef{Name: n.Content[i].Value, EnvDefaults: d, line: n.Content[i].Line})
		}
		return nil
	}
	return fmt.Errorf("line %d: environments: want a list of names or a mapping", n.Line)
}

// decodeKnown decodes a mapping node refusing unknown keys.
func decodeKnown(n *yaml.Node, d *EnvDefaults) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "endpoint":
			if err := n.Content[i+1].Decode(&d.Endpoint); err != nil {
				return err
			}
		case "azs":
			if err := n.Content[i+1].Decode(&d.AZs); err != nil {
				return err
			}
		case "health_check":
			if err := n.Content[i+1].Decode(&d.HealthCheck); err != nil {
				return err
			}
		default:
			return fmt.Errorf("line %d: unknown key %s in environment defaults (endpoint, azs, health_check)", n.Content[i].Line, k)
		}
	}
	return nil
}

// ErrUnknown means a service or environment the catalog does not have.
var ErrUnknown = fmt.Errorf("%w: unknown name", ErrInvalid)

// Lookup is the answer of Endpoints.
type Lookup struct {
	Service   string     `json:"service"`
	Env       string     `json:"env"`
	AZ        string     `json:"az,omitempty"`
	Endpoints []Endpoint `json:"endpoints"`
	// SameAZ says whether the first endpoint is in the AZ asked for; false
	// means the lookup fell back to another AZ (or AZ-less endpoints).
	SameAZ bool `json:"same_az"`
}

// InAZ keeps only the lookup's endpoints tagged with az (none when the
// service has no endpoint there): for a caller that must stay in its zone.
func (l Lookup) InAZ(az string) Lookup {
	kept := []Endpoint{}
	for _, e := range l.Endpoints {
		if e.AZ == az {
			kept = append(kept, e)
		}
	}
	l.AZ, l.Endpoints, l.SameAZ = az, kept, len(kept) > 0
	return l
}

// Endpoints returns a service's endpoints in env: its own, else the
// environment's template, in the catalog's order (a template's in the order
// of its azs). With az, same-AZ endpoints come first.
func (c *Catalog) Endpoints(service, env, az string) (Lookup, error) {
	s, ok := c.Service(service)
	if !ok {
		return Lookup{}, fmt.Errorf("%w: service %q is not in %s (known: %s)", ErrUnknown, service, c.Path, strings.Join(c.Names(), ", "))
	}
	if len(c.Environments) > 0 && !slices.Contains(c.Environments, env) {
		return Lookup{}, fmt.Errorf("%w: environment %q (known: %s)", ErrUnknown, env, strings.Join(c.Environments, ", "))
	}
	if len(s.Environments) > 0 && !slices.Contains(s.Environments, env) {
		return Lookup{}, fmt.Errorf("%w: service %q does not run in %q (it runs in %s)", ErrUnknown, service, env, strings.Join(s.Environments, ", "))
	}
	eps := slices.Clone(s.Endpoints[env])
	if len(eps) == 0 {
		d := c.EnvDefaults[env]
		if d.Endpoint != "" {
			r := func(azName string) string {
				return strings.NewReplacer("{service}", s.Name, "{env}", env, "{az}", azName).Replace(d.Endpoint)
			}
			if strings.Contains(d.Endpoint, "{az}") {
				for _, a := range d.AZs {
					eps = append(eps, Endpoint{URL: r(a), AZ: a})
				}
			} else {
				eps = append(eps, Endpoint{URL: r("")})
			}
		}
	}
	if len(eps) == 0 {
		return Lookup{}, fmt.Errorf("%w: service %q has no endpoint in %q (no endpoints and no environment template)", ErrUnknown, service, env)
	}
	l := Lookup{Service: service, Env: env, AZ: az}
	if az != "" {
		slices.SortStableFunc(eps, func(a, b Endpoint) int {
			switch {
			case a.AZ == az && b.AZ != az:
				return -1
			case a.AZ != az && b.AZ == az:
				return 1
			}
			return 0
		})
		l.SameAZ = eps[0].AZ == az
	}
	l.Endpoints = eps
	return l, nil
}

// ServiceInfo is what a deploy needs to know of one service in one
// environment (env-config-resolver catalog show: the Ansible role reads
// it instead of parsing services.yml again).
type ServiceInfo struct {
	Name          string `json:"name"`
	Image         string `json:"image"`
	HostPort      int    `json:"host_port"`
	ContainerPort int    `json:"container_port"`
	HealthPath    string `json:"health_path"`
	// Environments the service runs in.
	Environments []string `json:"environments"`
	// Env, TargetGroup and Endpoints are for the environment asked for.
	Env         string     `json:"env,omitempty"`
	TargetGroup string     `json:"target_group,omitempty"`
	Endpoints   []Endpoint `json:"endpoints,omitempty"`
}

// Describe returns service's deploy settings, with those of env when env
// is not empty (an unknown service or environment is ErrUnknown).
func (c *Catalog) Describe(service, env string) (ServiceInfo, error) {
	s, ok := c.Service(service)
	if !ok {
		return ServiceInfo{}, fmt.Errorf("%w: service %q is not in %s (known: %s)", ErrUnknown, service, c.Path, strings.Join(c.Names(), ", "))
	}
	info := ServiceInfo{Name: s.Name, Image: s.Image, HostPort: s.HostPort, ContainerPort: s.ContainerPort, HealthPath: s.HealthPath,
		Environments: s.Environments}
	if len(info.Environments) == 0 {
		info.Environments = slices.Clone(c.Environments)
	}
	if env == "" {
		return info, nil
	}
	l, err := c.Endpoints(service, env, "")
	switch {
	case err == nil:
		info.Endpoints = l.Endpoints
	case len(c.Environments) > 0 && !slices.Contains(c.Environments, env), len(s.Environments) > 0 && !slices.Contains(s.Environments, env):
		return ServiceInfo{}, err
	}
	info.Env, info.TargetGroup = env, s.TargetGroups[env]
	return info, nil
}
