package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dockwright/dockwright/internal/pluginexec"
	"github.com/dockwright/dockwright/internal/yamlerr"
)

// ConfigEnv is the environment variable that names the config file when
// --config is not given.
const ConfigEnv = "EC2_INVENTORY_CONFIG"

// ConfigFileName is the file looked for in the working directory and beside
// the executable, in that order.
const ConfigFileName = "ec2-inventory.yml"

// Hostvars shapes.
const (
	HostvarsAWSEC2 = "aws_ec2" // snake_case instance fields, tags dict (amazon.aws.aws_ec2)
	HostvarsEC2Py  = "ec2_py"  // flat ec2_* variables (legacy ec2.py)
)

// Config is an ec2-inventory configuration file. Option names follow
// Ansible's amazon.aws.aws_ec2 plugin where it has one, then the legacy
// ec2.ini; see docs/ec2-inventory.md for the migration tables.
type Config struct {
	// Path is the file the config was read from; Raw its bytes (the cache key).
	Path string `yaml:"-"`
	Raw  []byte `yaml:"-"`

	Plugin string `yaml:"plugin"` // accepted for aws_ec2 compatibility, ignored

	Regions        Regions  `yaml:"regions"`
	RegionsExclude []string `yaml:"regions_exclude"`
	Region         string   `yaml:"region"` // where DescribeRegions and STS are called
	Profile        string   `yaml:"profile"`
	AWSProfile     string   `yaml:"aws_profile"`  // alias of profile (aws_ec2)
	BotoProfile    string   `yaml:"boto_profile"` // alias of profile (aws_ec2, old)
	EndpointURL    string   `yaml:"endpoint_url"`
	IAMRoleARN     string   `yaml:"iam_role_arn"`
	AssumeRoles    []Role   `yaml:"assume_roles"`
	Concurrency    int      `yaml:"concurrency"`
	MaxAttempts    int      `yaml:"retry_max_attempts"`
	// SDKXMLDecoder decodes DescribeInstances answers with the SDK's own
	// deserializer instead of internal/ec2xml (slower; a safety valve).
	SDKXMLDecoder bool `yaml:"sdk_xml_decoder"`

	Filters        Filters   `yaml:"filters"`
	IncludeFilters []Filters `yaml:"include_filters"`
	ExcludeFilters []Filters `yaml:"exclude_filters"`

	Hostnames       []HostnamePref `yaml:"hostnames"`
	MissingHostname string         `yaml:"missing_hostname"`

	HostvarsFormat  string    `yaml:"hostvars_format"`
	HostvarsPrefix  string    `yaml:"hostvars_prefix"`
	HostvarsSuffix  string    `yaml:"hostvars_suffix"`
	HostvarsExclude *[]string `yaml:"hostvars_exclude"`

	AllHostsGroup       string    `yaml:"all_hosts_group"`
	ContribSanitization bool      `yaml:"use_contrib_script_compatible_sanitization"`
	NestedGroups        bool      `yaml:"nested_groups"`
	LeadingSeparator    *bool     `yaml:"leading_separator"`
	TagGroupsExclude    *[]string `yaml:"tag_groups_exclude"`
	GroupBy             GroupBy   `yaml:",inline"`

	KeyedGroups []KeyedGroup              `yaml:"keyed_groups"`
	Groups      Exprs                     `yaml:"groups"`
	Compose     Exprs                     `yaml:"compose"`
	GroupVars   map[string]map[string]any `yaml:"group_vars"`
	Strict      *bool                     `yaml:"strict"`
	// Plugins are inventory plugins whose hosts join EC2's.
	Plugins []PluginSource `yaml:"plugins"`

	Cache           bool   `yaml:"cache"`
	CacheTimeout    *int   `yaml:"cache_timeout"`
	CacheConnection string `yaml:"cache_connection"`
	CachePlugin     string `yaml:"cache_plugin"` // accepted for aws_ec2 compatibility: only a file cache exists
	CachePrefix     string `yaml:"cache_prefix"` // accepted for aws_ec2 compatibility, ignored

	lines   map[string]int // top-level key -> line, for errors
	builder *builder       // compiled expressions and group families
}

// GroupBy switches the ec2.py-style built-in groups. A nil field takes its
// default (see Enabled).
type GroupBy struct {
	Region           *bool `yaml:"group_by_region"`
	AvailabilityZone *bool `yaml:"group_by_availability_zone"`
	InstanceType     *bool `yaml:"group_by_instance_type"`
	KeyPair          *bool `yaml:"group_by_key_pair"`
	VPCID            *bool `yaml:"group_by_vpc_id"`
	SecurityGroup    *bool `yaml:"group_by_security_group"`
	AMIID            *bool `yaml:"group_by_ami_id"`
	Platform         *bool `yaml:"group_by_platform"`
	TagKeys          *bool `yaml:"group_by_tag_keys"`
	TagNone          *bool `yaml:"group_by_tag_none"`
	InstanceID       *bool `yaml:"group_by_instance_id"`
	InstanceState    *bool `yaml:"group_by_instance_state"`
	AWSAccount       *bool `yaml:"group_by_aws_account"`
}

// Role is one account to read, reached by assuming an IAM role.
type Role struct {
	RoleARN     string `yaml:"role_arn"`
	ExternalID  string `yaml:"external_id"`
	SessionName string `yaml:"session_name"`
	Alias       string `yaml:"alias"` // also groups the account's hosts as account_<alias>
	Line        int    `yaml:"-"`
}

// UnmarshalYAML records the line of the entry.
func (r *Role) UnmarshalYAML(n *yaml.Node) error {
	type plain Role
	if err := n.Decode((*plain)(r)); err != nil {
		return err
	}
	r.Line = n.Line
	return nil
}

// Regions is "all", or a list of region names (an empty list also means all,
// as in aws_ec2).
type Regions struct {
	All   bool
	Names []string
}

// UnmarshalYAML accepts `all`, `[all]`, a comma-separated string (ec2.ini) or
// a list.
func (r *Regions) UnmarshalYAML(n *yaml.Node) error {
	var names []string
	switch n.Kind {
	case yaml.ScalarNode:
		for _, s := range strings.Split(n.Value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				names = append(names, s)
			}
		}
	case yaml.SequenceNode:
		if err := n.Decode(&names); err != nil {
			return err
		}
	default:
		return fmt.Errorf("line %d: regions: want a list of region names or \"all\"", n.Line)
	}
	for _, s := range names {
		if s == "all" {
			r.All = true
			continue
		}
		r.Names = append(r.Names, s)
	}
	if r.All && len(r.Names) > 0 {
		return fmt.Errorf("line %d: regions: \"all\" cannot be mixed with region names (use regions_exclude)", n.Line)
	}
	if len(r.Names) == 0 {
		r.All = true
	}
	return nil
}

// Filter is one EC2 DescribeInstances filter: a name and the values it
// accepts (any of them).
type Filter struct {
	Name   string
	Values []string
}

// Filters is an ordered set of filters, all of which must match. In YAML it
// is a mapping from filter name to a value or a list of values.
type Filters struct {
	List []Filter
	Line int
}

// UnmarshalYAML reads a mapping, keeping its order.
func (f *Filters) UnmarshalYAML(n *yaml.Node) error {
	f.Line = n.Line
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: filters: want a mapping of filter name to value(s)", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		flt := Filter{Name: k.Value}
		switch v.Kind {
		case yaml.ScalarNode:
			flt.Values = []string{v.Value}
		case yaml.SequenceNode:
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode {
					return fmt.Errorf("line %d: filter %q: values must be scalars", item.Line, k.Value)
				}
				flt.Values = append(flt.Values, item.Value)
			}
		default:
			return fmt.Errorf("line %d: filter %q: want a value or a list of values", v.Line, k.Value)
		}
		if len(flt.Values) == 0 {
			return fmt.Errorf("line %d: filter %q has no values", v.Line, k.Value)
		}
		f.List = append(f.List, flt)
	}
	return nil
}

// HostnamePref is one entry of the hostnames preference list: an EC2 filter
// name (private-ip-address, dns-name, tag:Name, tag:K=V, ...), optionally
// joined to a prefix preference with a separator.
type HostnamePref struct {
	Name      string `yaml:"name"`
	Prefix    string `yaml:"prefix"`
	Separator string `yaml:"separator"`
	Line      int    `yaml:"-"`
}

// UnmarshalYAML accepts a string or {name, prefix, separator}.
func (h *HostnamePref) UnmarshalYAML(n *yaml.Node) error {
	h.Line = n.Line
	if n.Kind == yaml.ScalarNode {
		h.Name = n.Value
		return nil
	}
	type plain HostnamePref
	if err := n.Decode((*plain)(h)); err != nil {
		return err
	}
	h.Line = n.Line
	return nil
}

// KeyedGroup creates groups from the value of an expression (aws_ec2
// keyed_groups): a string value makes one group, a list one per element, a
// mapping one per key_value pair.
type KeyedGroup struct {
	Key               Expr    `yaml:"key"`
	Prefix            string  `yaml:"prefix"`
	Separator         *string `yaml:"separator"`
	ParentGroup       string  `yaml:"parent_group"`
	DefaultValue      *string `yaml:"default_value"`
	TrailingSeparator *bool   `yaml:"trailing_separator"`
	Line              int     `yaml:"-"`
}

// UnmarshalYAML records the line of the entry.
func (k *KeyedGroup) UnmarshalYAML(n *yaml.Node) error {
	type plain KeyedGroup
	if err := n.Decode((*plain)(k)); err != nil {
		return err
	}
	k.Line = n.Line
	return nil
}

// Expr is an expression in the config (expr-lang syntax), with its line.
type Expr struct {
	Src  string
	Line int
}

// UnmarshalYAML reads a scalar; numbers and booleans keep their text.
func (e *Expr) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want an expression string", n.Line)
	}
	e.Src, e.Line = n.Value, n.Line
	return nil
}

// NamedExpr is one entry of groups or compose.
type NamedExpr struct {
	Name string
	Expr Expr
}

// Exprs is an ordered mapping of names to expressions (groups, compose):
// compose entries are evaluated in file order and may use earlier ones.
type Exprs []NamedExpr

// UnmarshalYAML reads a mapping, keeping its order.
func (x *Exprs) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping of name to expression", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		var e Expr
		if err := e.UnmarshalYAML(n.Content[i+1]); err != nil {
			return err
		}
		*x = append(*x, NamedExpr{Name: n.Content[i].Value, Expr: e})
	}
	return nil
}

// LocateConfig finds the config file: the flag, else $EC2_INVENTORY_CONFIG,
// else ec2-inventory.yml in dir (the working directory), else beside exe.
// It returns the places it looked when none exists.
func LocateConfig(flag, env, dir, exe string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env != "" {
		return env, nil
	}
	var tried []string
	for _, d := range []string{dir, filepath.Dir(exe)} {
		if d == "" {
			continue
		}
		p := filepath.Join(d, ConfigFileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	return "", fmt.Errorf("%w: no --config flag, no $%s, and no %s (looked in %s)",
		ErrNoConfig, ConfigEnv, ConfigFileName, strings.Join(tried, ", "))
}

// LoadConfig reads and validates a config file. Errors name the file and line
// and wrap ErrInvalidConfig (or the fs error when the file cannot be read).
func LoadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return ParseConfig(path, raw)
}

// ParseConfig parses and validates config bytes; path is used in errors.
func ParseConfig(path string, raw []byte) (*Config, error) {
	cfg := &Config{Path: path, Raw: raw}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(path, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err == nil && len(root.Content) > 0 {
		cfg.lines = map[string]int{}
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			cfg.lines[m.Content[i].Value] = m.Content[i].Line
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	// Compile every expression now, so a typo fails before any AWS call.
	b, err := newBuilder(cfg)
	if err != nil {
		return nil, err
	}
	cfg.builder = b
	return cfg, nil
}

// yamlError turns yaml.v3 errors into "file:line: message" lines.
func yamlError(path string, err error) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, yamlerr.Join(path, err, "option"))
}

// errorf returns an invalid-config error at a line of the file.
func (c *Config) errorf(line int, format string, args ...any) error {
	loc := c.Path
	if line > 0 {
		loc += ":" + strconv.Itoa(line)
	}
	return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, loc, fmt.Sprintf(format, args...))
}

func (c *Config) line(key string) int { return c.lines[key] }

var hostnameNames = map[string]bool{
	"private-ip-address": true, "ip-address": true, "dns-name": true, "private-dns-name": true,
	"instance-id": true, "network-interface.addresses.association.public-ip": true,
	"ipv6-address": true, "network-interface.ipv6-addresses.ipv6-address": true,
}

func validHostnamePref(s string) bool {
	return hostnameNames[s] || (strings.HasPrefix(s, "tag:") && len(s) > len("tag:"))
}

func (c *Config) validate() error {
	if c.Plugin != "" && !strings.HasSuffix(c.Plugin, "aws_ec2") && c.Plugin != "ec2_inventory" {
		return c.errorf(c.line("plugin"), "plugin %q: this file is read by ec2-inventory; leave plugin out, or use aws_ec2 when sharing the file with Ansible's plugin", c.Plugin)
	}
	n := 0
	for _, p := range []string{c.Profile, c.AWSProfile, c.BotoProfile} {
		if p != "" {
			n++
		}
	}
	if n > 1 {
		return c.errorf(max(c.line("profile"), c.line("aws_profile"), c.line("boto_profile")), "set only one of profile, aws_profile, boto_profile")
	}
	if c.Concurrency < 0 || c.Concurrency > 64 {
		return c.errorf(c.line("concurrency"), "concurrency %d: want 1 to 64", c.Concurrency)
	}
	if c.MaxAttempts < 0 || c.MaxAttempts > 20 {
		return c.errorf(c.line("retry_max_attempts"), "retry_max_attempts %d: want 1 to 20", c.MaxAttempts)
	}
	if c.IAMRoleARN != "" && len(c.AssumeRoles) > 0 {
		return c.errorf(c.line("iam_role_arn"), "set iam_role_arn or assume_roles, not both (iam_role_arn is a one-entry assume_roles)")
	}
	for i, r := range c.AssumeRoles {
		if !strings.HasPrefix(r.RoleARN, "arn:") {
			return c.errorf(r.Line, "assume_roles[%d].role_arn %q is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)", i, r.RoleARN)
		}
	}
	for _, f := range append([]Filters{c.Filters}, append(c.IncludeFilters, c.ExcludeFilters...)...) {
		for _, flt := range f.List {
			if flt.Name == "" {
				return c.errorf(f.Line, "a filter has an empty name")
			}
		}
	}
	for i, h := range c.Hostnames {
		if !validHostnamePref(h.Name) {
			return c.errorf(h.Line, "hostnames[%d] %q: want one of private-ip-address, ip-address, dns-name, private-dns-name, instance-id, tag:NAME, tag:NAME=VALUE", i, h.Name)
		}
		if h.Prefix != "" && !validHostnamePref(h.Prefix) {
			return c.errorf(h.Line, "hostnames[%d] prefix %q: want a hostname preference such as tag:Name", i, h.Prefix)
		}
	}
	switch c.MissingHostname {
	case "", "error", "instance-id":
	default:
		return c.errorf(c.line("missing_hostname"), "missing_hostname %q: want error or instance-id", c.MissingHostname)
	}
	switch c.HostvarsFormat {
	case "", HostvarsAWSEC2, HostvarsEC2Py:
	default:
		return c.errorf(c.line("hostvars_format"), "hostvars_format %q: want %s or %s", c.HostvarsFormat, HostvarsAWSEC2, HostvarsEC2Py)
	}
	if c.CacheTimeout != nil && *c.CacheTimeout < 0 {
		return c.errorf(c.line("cache_timeout"), "cache_timeout %d: want seconds >= 0", *c.CacheTimeout)
	}
	if c.CachePlugin != "" && c.CachePlugin != "jsonfile" && c.CachePlugin != "ansible.builtin.jsonfile" {
		return c.errorf(c.line("cache_plugin"), "cache_plugin %q: only the built-in file cache exists; remove cache_plugin", c.CachePlugin)
	}
	for i, kg := range c.KeyedGroups {
		if strings.TrimSpace(kg.Key.Src) == "" {
			return c.errorf(kg.Line, "keyed_groups[%d] has no key", i)
		}
	}
	for i, p := range c.Plugins {
		if err := pluginexec.ValidName(p.Name); err != nil {
			return c.errorf(c.line("plugins"), "plugins[%d]: %v", i, err)
		}
	}
	return nil
}

// Strictness: a failed region or account aborts the run unless strict is false.
func (c *Config) strict() bool { return c.Strict == nil || *c.Strict }

func (c *Config) profile() string {
	for _, p := range []string{c.Profile, c.AWSProfile, c.BotoProfile} {
		if p != "" {
			return p
		}
	}
	return ""
}

func (c *Config) concurrency() int {
	if c.Concurrency == 0 {
		return 8
	}
	return c.Concurrency
}

// CacheTTL is cache_timeout (default 300 s).
func (c *Config) CacheTTL() time.Duration {
	if c.CacheTimeout == nil {
		return 300 * time.Second
	}
	return time.Duration(*c.CacheTimeout) * time.Second
}

func (c *Config) allHostsGroup() string {
	if c.AllHostsGroup == "" {
		return "aws_ec2"
	}
	return c.AllHostsGroup
}

func (c *Config) hostnames() []HostnamePref {
	if len(c.Hostnames) == 0 {
		return []HostnamePref{{Name: "dns-name"}, {Name: "private-dns-name"}, {Name: "private-ip-address"}}
	}
	return c.Hostnames
}

func (c *Config) hostvarsExcluded() map[string]bool {
	list := []string{"network_interfaces", "block_device_mappings"}
	if c.HostvarsExclude != nil {
		list = *c.HostvarsExclude
	}
	m := make(map[string]bool, len(list))
	for _, k := range list {
		m[k] = true
	}
	return m
}

// on reads an optional switch: b when set, else def.
func on(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}
