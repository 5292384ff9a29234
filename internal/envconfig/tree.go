package envconfig

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dockwright/dockwright/internal/yamlerr"
)

// Errors returned by this package; callers use errors.Is.
var (
	// ErrInvalid means a bundle file, an override or a reference is
	// malformed; the message names the file:line:column or the variable.
	ErrInvalid = errors.New("invalid configuration")
	// ErrUnknownEnv means the environment has no <env>.yml.
	ErrUnknownEnv = errors.New("unknown environment")
	// ErrUnresolved means secret references could not be resolved.
	ErrUnresolved = errors.New("unresolved references")
)

// Origin is where a value was set.
type Origin struct {
	// Layer is "default", the environment name, "local", "env" or "secret".
	Layer string `json:"layer"`
	// File, Line and Column locate a value set in a file.
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Var is the environment variable of an override.
	Var string `json:"var,omitempty"`
	// Ref is the reference a secret came from.
	Ref string `json:"ref,omitempty"`
}

func (o Origin) String() string {
	switch {
	case o.Ref != "" && o.File != "":
		return fmt.Sprintf("%s (%s:%d:%d)", o.Ref, o.File, o.Line, o.Column)
	case o.Ref != "":
		return o.Ref
	case o.Var != "":
		return "$" + o.Var
	case o.File != "":
		return fmt.Sprintf("%s:%d:%d", o.File, o.Line, o.Column)
	}
	return o.Layer
}

// deleted marks an explicit null in a layer: the key goes away.
type deleted struct{}

// layer is one parsed file: values and the origin of every path.
type layer struct {
	name    string
	values  map[string]any
	origins map[string]Origin
}

// readLayer parses a YAML file into a layer; a missing optional file is
// an empty layer.
func readLayer(path, name string, optional bool) (*layer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if optional && errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return parseLayer(path, name, raw)
}

func parseLayer(path, name string, raw []byte) (*layer, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, yamlErr(path, err)
	}
	l := &layer{name: name, values: map[string]any{}, origins: map[string]Origin{}}
	if len(doc.Content) == 0 {
		return l, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: %s:%d:%d: want a mapping of keys at the top", ErrInvalid, path, root.Line, root.Column)
	}
	v, err := l.convert(path, "", root)
	if err != nil {
		return nil, err
	}
	l.values = v.(map[string]any)
	return l, nil
}

func (l *layer) convert(path, at string, n *yaml.Node) (any, error) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if at != "" {
		l.origins[at] = Origin{Layer: l.name, File: path, Line: n.Line, Column: n.Column}
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Value == "" || strings.ContainsAny(k.Value, ".") {
				return nil, fmt.Errorf("%w: %s:%d:%d: key %q: keys are non-empty strings without '.'", ErrInvalid, path, k.Line, k.Column, k.Value)
			}
			if k.Value == "<<" {
				return nil, fmt.Errorf("%w: %s:%d:%d: merge keys (<<) are not supported; repeat the keys", ErrInvalid, path, k.Line, k.Column)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("%w: %s:%d:%d: key %q appears twice", ErrInvalid, path, k.Line, k.Column, k.Value)
			}
			cv, err := l.convert(path, join(at, k.Value), v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = cv
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			cv, err := l.convert(path, join(at, strconv.Itoa(i)), c)
			if err != nil {
				return nil, err
			}
			if _, del := cv.(deleted); del {
				cv = nil
			}
			s = append(s, cv)
		}
		return s, nil
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return deleted{}, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %s:%d:%d: %v", ErrInvalid, path, n.Line, n.Column, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("%w: %s:%d:%d: unsupported YAML node", ErrInvalid, path, n.Line, n.Column)
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

// provenance is where a configuration's values came from: the origin of
// every path, and which of those paths record a deletion (a key no longer
// in the tree, so replacing its parent cannot find it by walking values).
type provenance struct {
	origins map[string]Origin
	deleted map[string]bool
}

// merge applies src onto dst: maps deep-merged, anything else replaced, a
// deleted marker removes the key. Origins follow the values.
func merge(dst map[string]any, pv provenance, src *layer) {
	mergeAt(dst, pv, src, "", src.values)
}

func mergeAt(dst map[string]any, pv provenance, src *layer, at string, values map[string]any) {
	for k, sv := range values {
		p := join(at, k)
		if _, del := sv.(deleted); del {
			pv.drop(p, dst[k])
			delete(dst, k)
			pv.origins[p] = Origin{Layer: src.name + " (deleted)", File: src.origins[p].File, Line: src.origins[p].Line, Column: src.origins[p].Column}
			pv.deleted[p] = true
			continue
		}
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				pv.origins[p] = src.origins[p]
				mergeAt(dm, pv, src, p, sm)
				continue
			}
		}
		pv.drop(p, dst[k])
		dst[k] = strip(sv)
		copyOrigins(pv.origins, src.origins, p, sv)
	}
}

// strip removes deleted markers inside a value that replaces another.
func strip(v any) any {
	if m, ok := v.(map[string]any); ok {
		out := make(map[string]any, len(m))
		for k, x := range m {
			if _, del := x.(deleted); !del {
				out[k] = strip(x)
			}
		}
		return out
	}
	return v
}

// drop forgets the origins of p and of everything under old, the value at
// p being replaced: the tree's shape gives the paths (so merging stays
// linear in the size of the layers), and the few recorded deletions under
// p go too.
func (pv provenance) drop(p string, old any) {
	dropOrigins(pv.origins, p, old)
	for d := range pv.deleted {
		if d == p || strings.HasPrefix(d, p+".") {
			delete(pv.origins, d)
			delete(pv.deleted, d)
		}
	}
}

func dropOrigins(origins map[string]Origin, p string, old any) {
	delete(origins, p)
	eachChild(p, old, func(cp string, c any) { dropOrigins(origins, cp, c) })
}

// copyOrigins copies the origins of p and of everything under v from src.
func copyOrigins(origins, src map[string]Origin, p string, v any) {
	if o, ok := src[p]; ok {
		origins[p] = o
	}
	eachChild(p, v, func(cp string, c any) { copyOrigins(origins, src, cp, c) })
}

// eachChild calls f with the path and value of each map entry or list
// element directly under v (at path p).
func eachChild(p string, v any, f func(string, any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			f(p+"."+k, c)
		}
	case []any:
		for i, c := range x {
			f(p+"."+strconv.Itoa(i), c)
		}
	}
}

// Get returns the value at a dotted path ("db.host", "servers.0").
func Get(values map[string]any, path string) (any, bool) {
	var cur any = values
	for _, part := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// set puts v at path, creating maps on the way.
func set(values map[string]any, path string, v any) error {
	parts := strings.Split(path, ".")
	cur := values
	for i, part := range parts[:len(parts)-1] {
		next, ok := cur[part]
		if !ok {
			m := map[string]any{}
			cur[part] = m
			cur = m
			continue
		}
		m, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is %s %s, not an object", strings.Join(parts[:i+1], "."), article(jsonType(next)), jsonType(next))
		}
		cur = m
	}
	cur[parts[len(parts)-1]] = v
	return nil
}

// Leaves calls f for every scalar or list value, paths sorted.
func Leaves(values map[string]any, f func(path string, v any)) {
	var walk func(at string, v any)
	walk = func(at string, v any) {
		if m, ok := v.(map[string]any); ok {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(join(at, k), m[k])
			}
			return
		}
		f(at, v)
	}
	walk("", values)
}

// article is "a" or "an" before a type's name.
func article(t string) string {
	if strings.ContainsRune("aeiou", rune(t[0])) {
		return "an"
	}
	return "a"
}

// jsonType names a value's type as JSON Schema does: what an override
// is coerced to and what errors about the tree say.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int, int64, uint64:
		return "integer"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "string"
}

// yamlErr makes "file:line: message" from a yaml.v3 error.
func yamlErr(path string, err error) error {
	return fmt.Errorf("%w: %s", ErrInvalid, yamlerr.Join(path, err, "key"))
}
