package inventory

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Inventory is the result of Build: hosts with their variables and groups.
type Inventory struct {
	Hosts  []Host            // sorted by name
	Groups map[string]*Group // hosts and children in insertion order until sorted
	// Skipped are the hosts left out because an expression failed on them
	// (strict: false only), in name order.
	Skipped []SkippedHost
	// Warnings are problems of the config that did not stop the build
	// (strict: false): an expression naming a variable no host has.
	Warnings []string
}

// SkippedHost is a host Build left out, and why.
type SkippedHost struct {
	Name, InstanceID string
	Err              error
}

// Host is one inventory host.
type Host struct {
	Name     string
	Vars     map[string]any
	Instance *Instance
}

// builtinFamily is one ec2.py-style group family: the groups are prefix +
// each value names appends for an instance.
type builtinFamily struct {
	parent string // nested_groups parent
	on     bool
	prefix string
	names  func(in *Instance, buf []string) []string
}

// builder holds what is prepared once per config: compiled expressions and
// group families. It is not changed by Build, so one config can be built
// many times, concurrently too.
type builder struct {
	cfg        *Config
	sanitize   func(string) string
	prefs      []HostnamePref
	excluded   map[string]bool
	compose    []program
	conds      []program
	keyed      []program
	leadingSep bool
	tagExclude []string
	families   []builtinFamily
}

// pass is the state of one Build: the inventory being filled and caches from
// a raw value to its sanitized group name(s). Most hosts share their values,
// so each name is built and sanitized once per Build.
type pass struct {
	*builder
	inv      *Inventory
	famCache []map[string]string   // per family: value -> group name
	keyCache []map[string][]string // per keyed group: string value -> group names
	scratch  []string
	joins    [][2]string // one host's expression groups: name, parent
}

func (b *builder) newPass(inv *Inventory) *pass {
	p := &pass{builder: b, inv: inv,
		famCache: make([]map[string]string, len(b.families)),
		keyCache: make([]map[string][]string, len(b.keyed)),
	}
	for i := range p.famCache {
		p.famCache[i] = map[string]string{}
	}
	for i := range p.keyCache {
		p.keyCache[i] = map[string][]string{}
	}
	return p
}

func newBuilder(cfg *Config) (*builder, error) {
	b := &builder{cfg: cfg, sanitize: sanitizeAnsible, prefs: cfg.hostnames(), excluded: cfg.hostvarsExcluded(),
		leadingSep: on(cfg.LeadingSeparator, true)}
	if cfg.ContribSanitization {
		b.sanitize = sanitizeEC2Py
	}
	b.tagExclude = []string{"Name", "aws:*"}
	if cfg.TagGroupsExclude != nil {
		b.tagExclude = *cfg.TagGroupsExclude
	}
	for _, ne := range cfg.Compose {
		p, err := compile(cfg, "compose."+ne.Name, ne.Expr)
		if err != nil {
			return nil, err
		}
		b.compose = append(b.compose, p)
	}
	for _, ne := range cfg.Groups {
		p, err := compile(cfg, "groups."+ne.Name, ne.Expr)
		if err != nil {
			return nil, err
		}
		b.conds = append(b.conds, p)
	}
	for i, kg := range cfg.KeyedGroups {
		if kg.DefaultValue != nil && kg.TrailingSeparator != nil {
			return nil, cfg.errorf(kg.Line, "keyed_groups[%d]: default_value and trailing_separator cannot be used together", i)
		}
		p, err := compile(cfg, fmt.Sprintf("keyed_groups[%d].key", i), kg.Key)
		if err != nil {
			return nil, err
		}
		b.keyed = append(b.keyed, p)
	}
	gb := cfg.GroupBy
	b.families = []builtinFamily{
		{"regions", on(gb.Region, true), "", func(in *Instance, buf []string) []string { return add(buf, in.Region) }},
		{"zones", on(gb.AvailabilityZone, true), "", func(in *Instance, buf []string) []string { return add(buf, in.AvailabilityZone) }},
		{"types", on(gb.InstanceType, true), "type_", func(in *Instance, buf []string) []string { return add(buf, in.InstanceType) }},
		{"keys", on(gb.KeyPair, true), "key_", func(in *Instance, buf []string) []string { return add(buf, in.KeyName) }},
		{"vpcs", on(gb.VPCID, true), "vpc_id_", func(in *Instance, buf []string) []string { return add(buf, in.VPCID) }},
		{"security_groups", on(gb.SecurityGroup, true), "security_group_", func(in *Instance, buf []string) []string {
			for _, g := range in.SecurityGroups {
				buf = add(buf, g.Name)
			}
			return buf
		}},
		{"images", on(gb.AMIID, true), "", func(in *Instance, buf []string) []string { return add(buf, in.ImageID) }},
		{"platforms", on(gb.Platform, true), "platform_", func(in *Instance, buf []string) []string {
			if in.Platform == "" {
				return append(buf, "linux")
			}
			return append(buf, in.Platform)
		}},
		{"tags", on(gb.TagKeys, true), "tag_", func(in *Instance, buf []string) []string {
			for _, t := range in.Tags {
				if !b.tagExcluded(t.Key) {
					buf = append(buf, t.Key+"_"+t.Value)
				}
			}
			return buf
		}},
		{"tags", on(gb.TagNone, false), "", func(in *Instance, buf []string) []string {
			if len(in.Tags) == 0 {
				return append(buf, "tag_none")
			}
			return buf
		}},
		{"instances", on(gb.InstanceID, false), "", func(in *Instance, buf []string) []string { return add(buf, in.InstanceID) }},
		{"instance_states", on(gb.InstanceState, false), "instance_state_", func(in *Instance, buf []string) []string { return add(buf, in.StateName) }},
		{"accounts", on(gb.AWSAccount, true), "aws_account_", func(in *Instance, buf []string) []string {
			return add(add(buf, in.Account), in.AccountAlias)
		}},
	}
	return b, nil
}

func (b *builder) tagExcluded(key string) bool {
	for _, p := range b.tagExclude {
		if wildcardMatch(p, key) {
			return true
		}
	}
	return false
}

func add(buf []string, s string) []string {
	if s == "" {
		return buf
	}
	return append(buf, s)
}

// Build turns instances into an inventory. It does no I/O. It fails when two
// instances resolve to one hostname, when an instance has no hostname (unless
// missing_hostname says what to use), and when an expression fails.
func Build(cfg *Config, instances []Instance) (*Inventory, error) {
	b := cfg.builder
	if b == nil {
		var err error
		if b, err = newBuilder(cfg); err != nil {
			return nil, err
		}
	}
	// Expressions that read a variable no host has: an error with strict,
	// else warnings (an ec2.py name under the aws_ec2 shape is the classic).
	var warnings []string
	if len(instances) > 0 {
		if problems := b.unknownVariables(instances); len(problems) > 0 {
			if cfg.strict() {
				return nil, joinProblems(problems)
			}
			for _, p := range problems {
				warnings = append(warnings, p.Error())
			}
		}
	}
	// Names first, in instance order: duplicates and hosts without a name
	// are reported all together, before any variable is computed.
	names := make([]string, len(instances))
	owner := make(map[string]*Instance, len(instances))
	var problems []error
	for i := range instances {
		in := &instances[i]
		name := hostname(in, b.prefs)
		if name == "" {
			if cfg.MissingHostname != "instance-id" {
				problems = append(problems, fmt.Errorf("%w: %s in %s (account %s): none of hostnames %s has a value; add a preference such as instance-id, or set missing_hostname: instance-id",
					ErrNoHostname, in.InstanceID, in.Region, in.Account, prefNames(b.prefs)))
				continue
			}
			name = in.InstanceID
		}
		if prev, dup := owner[name]; dup {
			problems = append(problems, fmt.Errorf("%w: %q is both %s (%s, account %s) and %s (%s, account %s); refusing to merge them: choose hostnames that are unique (e.g. instance-id, or a prefix)",
				ErrDuplicateHostname, name, prev.InstanceID, prev.Region, prev.Account, in.InstanceID, in.Region, in.Account))
			continue
		}
		owner[name] = in
		names[i] = name
	}
	if len(problems) > 0 {
		return nil, joinProblems(problems)
	}
	// Variables and groups, hosts taken in name order so that every
	// group's hosts come out sorted.
	order := make([]int, len(instances))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	inv := &Inventory{Hosts: make([]Host, 0, len(instances)), Groups: map[string]*Group{}, Warnings: warnings}
	p := b.newPass(inv)
	all := inv.group(cfg.allHostsGroup())
	for _, i := range order {
		in := &instances[i]
		vars, err := p.host(in, names[i])
		if err != nil {
			if cfg.strict() {
				return nil, err // the first in host name order
			}
			// strict: false: the host is left out
			inv.Skipped = append(inv.Skipped, SkippedHost{Name: names[i], InstanceID: in.InstanceID, Err: err})
			continue
		}
		all.addHost(names[i])
		inv.Hosts = append(inv.Hosts, Host{Name: names[i], Vars: vars, Instance: in})
	}
	for name, vars := range cfg.GroupVars {
		g := inv.group(b.sanitize(name))
		g.Vars = vars
	}
	for _, g := range inv.Groups {
		if !slices.IsSorted(g.Hosts) { // sorted by construction; checked, as it is cheap
			sort.Strings(g.Hosts)
		}
		sort.Strings(g.Children)
		g.childSet = nil
	}
	return inv, nil
}

// joinProblems reports up to 20 problems, one per line, and how many more.
func joinProblems(ps []error) error {
	const show = 20
	var sb strings.Builder
	for i, p := range ps {
		if i == show {
			fmt.Fprintf(&sb, "\n... and %d more", len(ps)-show)
			break
		}
		if i > 0 {
			sb.WriteString("\n")
		}
		sb.WriteString(p.Error())
	}
	return &problemsError{msg: sb.String(), errs: ps}
}

type problemsError struct {
	msg  string
	errs []error
}

func (e *problemsError) Error() string   { return e.msg }
func (e *problemsError) Unwrap() []error { return e.errs }

func prefNames(ps []HostnamePref) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return "[" + strings.Join(names, ", ") + "]"
}

func (inv *Inventory) group(name string) *Group {
	g, ok := inv.Groups[name]
	if !ok {
		g = &Group{}
		inv.Groups[name] = g
	}
	return g
}

// host computes one host's variables and adds it to its groups. Every
// expression is evaluated before the host joins any group, so a host whose
// expression fails is in no group at all (Build skips it when strict is
// false).
func (p *pass) host(in *Instance, name string) (map[string]any, error) {
	cfg, inv := p.cfg, p.inv
	env := awsVars(in, p.excluded)
	if cfg.HostvarsFormat == HostvarsEC2Py {
		// ec2.py users' names work in expressions too.
		for k, v := range ec2PyVars(in, p.excluded) {
			if _, taken := env[k]; !taken {
				env[k] = v
			}
		}
	}
	if ah := ansibleHost(in, p.prefs); ah != "" {
		env["ansible_host"] = ah
	}
	composed := make(map[string]any, len(p.compose))
	for i, prog := range p.compose {
		v, err := prog.run(cfg, env, name)
		if err != nil {
			return nil, err
		}
		env[cfg.Compose[i].Name] = v
		composed[cfg.Compose[i].Name] = v
	}
	joins := p.joins[:0] // the host's groups from conditions and keyed groups
	for i, prog := range p.conds {
		v, err := prog.run(cfg, env, name)
		if err != nil {
			return nil, err
		}
		if truthy(v) {
			joins = append(joins, [2]string{p.sanitize(cfg.Groups[i].Name)})
		}
	}
	for i, prog := range p.keyed {
		kg := &cfg.KeyedGroups[i]
		v, err := prog.run(cfg, env, name)
		if err != nil {
			return nil, err
		}
		sv, isString := v.(string)
		gnames, cached := p.keyCache[i][sv]
		if !isString || !cached {
			names, err := keyedNames(kg, v, p.leadingSep)
			if err != nil {
				return nil, fmt.Errorf("%w: %s:%d: keyed_groups[%d].key %q on host %q: %v", ErrExpression, cfg.Path, kg.Line, i, kg.Key.Src, name, err)
			}
			gnames = names[:0]
			for _, n := range names {
				gnames = append(gnames, p.sanitize(n))
			}
			if isString {
				p.keyCache[i][sv] = gnames
			}
		}
		parent := ""
		if kg.ParentGroup != "" {
			parent = p.sanitize(kg.ParentGroup)
		}
		for _, gname := range gnames {
			joins = append(joins, [2]string{gname, parent})
		}
	}
	p.joins = joins
	for _, j := range joins {
		inv.group(j[0]).addHost(name)
		if j[1] != "" {
			inv.group(j[1]).addChild(j[0])
		}
	}
	for fi, f := range p.families {
		if !f.on {
			continue
		}
		p.scratch = f.names(in, p.scratch[:0])
		for _, v := range p.scratch {
			gname, ok := p.famCache[fi][v]
			if !ok {
				gname = p.sanitize(f.prefix + v)
				p.famCache[fi][v] = gname
			}
			inv.group(gname).addHost(name)
			if cfg.NestedGroups {
				inv.group(f.parent).addChild(gname)
			}
		}
	}
	return p.outputVars(in, env, composed), nil
}

// outputVars shapes the printed variables: the instance fields (aws_ec2 or
// ec2_py shape, with hostvars_prefix/suffix), then ansible_host and the
// composed variables, which take neither prefix nor suffix.
func (b *builder) outputVars(in *Instance, env, composed map[string]any) map[string]any {
	cfg := b.cfg
	if cfg.HostvarsFormat != HostvarsEC2Py && cfg.HostvarsPrefix == "" && cfg.HostvarsSuffix == "" {
		return env // env already holds the fields, ansible_host and composed vars
	}
	// env may have had fields replaced by compose: shape the fields afresh.
	var fields map[string]any
	if cfg.HostvarsFormat == HostvarsEC2Py {
		fields = ec2PyVars(in, b.excluded)
	} else {
		fields = awsVars(in, b.excluded)
	}
	out := make(map[string]any, len(fields)+len(composed)+1)
	for k, v := range fields {
		out[cfg.HostvarsPrefix+k+cfg.HostvarsSuffix] = v
	}
	if ah, ok := env["ansible_host"]; ok {
		out["ansible_host"] = ah
	}
	for k, v := range composed {
		out[k] = v
	}
	return out
}

// unknownVariables reports each expression that reads a top-level variable
// no host can have: not an instance field (or one hostvars_exclude leaves
// out), not ansible_host, not a composed variable, not a variable of a
// plugin's host, and with hostvars_format: ec2_py not an ec2_* name.
func (b *builder) unknownVariables(instances []Instance) []error {
	cfg := b.cfg
	known := map[string]bool{"ansible_host": true}
	for _, n := range awsFieldNames {
		known[n] = !b.excluded[n]
	}
	ec2py := cfg.HostvarsFormat == HostvarsEC2Py
	if ec2py {
		for _, n := range ec2PyFieldNames {
			known[n] = !b.excluded[n]
		}
	}
	for _, ne := range cfg.Compose {
		known[ne.Name] = true
	}
	for i := range instances {
		for k := range instances[i].Vars {
			known[k] = true
		}
	}
	var problems []error
	for _, progs := range [][]program{b.compose, b.conds, b.keyed} {
		for _, p := range progs {
			for _, id := range p.idents {
				if known[id] || ec2py && strings.HasPrefix(id, "ec2_tag_") {
					continue
				}
				why := "a variable no host has"
				switch _, field := known[id]; {
				case field:
					why = "which hostvars_exclude leaves out of every host (remove it from hostvars_exclude to use it)"
				case strings.HasPrefix(id, "ec2_"):
					aws := ec2PyToAWS[id]
					if strings.HasPrefix(id, "ec2_tag_") {
						aws = "tags." + strings.TrimPrefix(id, "ec2_tag_")
					}
					why = "an ec2.py name, which no host has with hostvars_format: aws_ec2"
					if aws != "" {
						why += " (here: " + aws + ")"
					}
					why += "; set hostvars_format: ec2_py to use ec2_* names"
				}
				problems = append(problems, cfg.errorf(p.line, "%s: expression %q reads %s, %s", p.what, p.src, id, why))
			}
		}
	}
	return problems
}
