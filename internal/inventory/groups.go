package inventory

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Group is one Ansible group in the --list output.
type Group struct {
	Hosts    []string
	Children []string
	Vars     map[string]any

	childSet map[string]struct{}
}

// addHost adds h once. Build adds all of one host's groups before the next
// host, so a repeat can only be the last host added.
func (g *Group) addHost(h string) {
	if n := len(g.Hosts); n > 0 && g.Hosts[n-1] == h {
		return
	}
	g.Hosts = append(g.Hosts, h)
}

func (g *Group) addChild(c string) {
	if _, dup := g.childSet[c]; dup {
		return
	}
	if g.childSet == nil {
		g.childSet = map[string]struct{}{}
	}
	g.childSet[c] = struct{}{}
	g.Children = append(g.Children, c)
}

// sanitizeAnsible is Ansible's group-name rule (aws_ec2 default): anything
// but letters, digits and _ becomes _.
func sanitizeAnsible(s string) string { return sanitize(s, false) }

// sanitizeEC2Py is the ec2.py rule with replace_dash_in_groups = False
// (aws_ec2's use_contrib_script_compatible_sanitization): - is kept too.
func sanitizeEC2Py(s string) string { return sanitize(s, true) }

func sanitize(s string, keepDash bool) string {
	ok := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || keepDash && c == '-'
	}
	clean := true
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 128 && ok(byte(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// program is a compiled config expression with where it came from.
type program struct {
	what string // "compose.ansible_user", "keyed_groups[2].key"
	line int
	src  string
	prog *vm.Program
	// path is src split at its dots when src is only a variable path
	// (tags.Service, placement.availability_zone): run looks it up in the
	// maps directly and leaves everything else to expr.
	path []string
	// idents are the top-level variables src reads.
	idents []string
}

func compile(c *Config, what string, e Expr) (program, error) {
	p, err := expr.Compile(e.Src, expr.AllowUndefinedVariables())
	if err != nil {
		return program{}, c.errorf(e.Line, "%s: expression %q: %v", what, e.Src, oneLine(err.Error()))
	}
	return program{what: what, line: e.Line, src: e.Src, prog: p, path: varPath(e.Src), idents: identifiers(e.Src)}, nil
}

// identifiers lists the top-level variables an expression reads, in order
// of appearance: not the names it declares with let, not functions, not
// $env.
func identifiers(src string) []string {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	var c identCollector
	ast.Walk(&tree.Node, &c)
	var out []string
	for _, n := range c.idents {
		if !c.declared[n.Value] && !c.callees[n] && !slices.Contains(out, n.Value) {
			out = append(out, n.Value)
		}
	}
	return out
}

// identCollector gathers identifiers, declarations and callees; the walk is
// post-order, so callees are told apart once it is done.
type identCollector struct {
	idents   []*ast.IdentifierNode
	declared map[string]bool
	callees  map[ast.Node]bool
}

func (c *identCollector) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.CallNode:
		if c.callees == nil {
			c.callees = map[ast.Node]bool{}
		}
		c.callees[n.Callee] = true
	case *ast.VariableDeclaratorNode:
		if c.declared == nil {
			c.declared = map[string]bool{}
		}
		c.declared[n.Name] = true
	case *ast.IdentifierNode:
		if n.Value != "$env" {
			c.idents = append(c.idents, n)
		}
	}
}

// varPath splits a bare variable path ("tags.Service") into its names; nil
// for any other expression, or names expr reads as something else.
func varPath(src string) []string {
	parts := strings.Split(src, ".")
	for _, p := range parts {
		if p == "" || !isIdent(p) {
			return nil
		}
		switch p {
		case "true", "false", "nil", "not", "and", "or", "in", "matches", "contains", "startsWith", "endsWith", "let", "if", "else", "$env":
			return nil
		}
	}
	return parts
}

func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// lookup follows path through nested maps; ok is false when a name is
// missing or a step is not a map (expr then decides what that means).
func lookup(env map[string]any, path []string) (v any, ok bool) {
	m := env
	for i, name := range path {
		if v, ok = m[name]; !ok {
			return nil, false
		}
		if i < len(path)-1 {
			if m, ok = v.(map[string]any); !ok {
				return nil, false
			}
		}
	}
	return v, true
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.Join(strings.Fields(s), " ")
}

func (p program) run(c *Config, env map[string]any, host string) (any, error) {
	if p.path != nil {
		if v, ok := lookup(env, p.path); ok {
			return v, nil
		}
	}
	v, err := expr.Run(p.prog, env)
	if err != nil {
		return nil, fmt.Errorf("%w: %s:%d: %s: expression %q on host %q: %v", ErrExpression, c.Path, p.line, p.what, p.src, host, oneLine(err.Error()))
	}
	return v, nil
}

// truthy follows Jinja/Python truth for group conditions.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int:
		return x != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// scalarString renders a keyed-group key value as text.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	}
	return "", false
}

// keyedNames returns the raw (unsanitized) group names a keyed group yields
// for one value, following Ansible's constructed rules.
func keyedNames(kg *KeyedGroup, value any, leadingSep bool) ([]string, error) {
	sep := "_"
	if kg.Separator != nil {
		sep = *kg.Separator
	}
	def := kg.DefaultValue
	var bare []string
	pick := func(s string) {
		if s == "" {
			if def != nil {
				bare = append(bare, *def)
			}
			return
		}
		bare = append(bare, s)
	}
	switch x := value.(type) {
	case nil:
		if def != nil {
			bare = append(bare, *def)
		}
	case []any:
		for _, e := range x {
			if s, ok := scalarString(e); ok {
				pick(s)
			} else if e != nil {
				return nil, fmt.Errorf("list element %v is not a scalar", e)
			}
		}
	case []string:
		for _, s := range x {
			pick(s)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s, _ := scalarString(x[k])
			switch {
			case s == "" && def != nil:
				bare = append(bare, k+sep+*def)
			case s == "" && kg.TrailingSeparator != nil && !*kg.TrailingSeparator:
				bare = append(bare, k)
			default:
				bare = append(bare, k+sep+s)
			}
		}
	default:
		s, ok := scalarString(value)
		if !ok {
			return nil, fmt.Errorf("value of type %T is not a string, list or mapping", value)
		}
		pick(s)
	}
	names := make([]string, len(bare))
	for i, b := range bare {
		switch {
		case kg.Prefix != "":
			names[i] = kg.Prefix + sep + b
		case leadingSep:
			names[i] = sep + b
		default:
			names[i] = b
		}
	}
	return names, nil
}
