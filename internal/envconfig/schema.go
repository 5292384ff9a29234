package envconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"
	"go.yaml.in/yaml/v3"
)

// Schema is a bundle's JSON Schema (schema.json, or schema.yml written in
// YAML; draft 2020-12 or draft-07), validated with Google's
// github.com/google/jsonschema-go (chosen over heavier validators because
// this binary starts every container: it costs nothing at startup).
type Schema struct {
	File     string
	doc      any
	schema   *jsonschema.Schema
	resolved *jsonschema.Resolved
}

// loadSchema reads schema.json or schema.yml from dir; nil when neither.
func loadSchema(dir string) (*Schema, error) {
	for _, name := range []string{"schema.json", "schema.yml", "schema.yaml"} {
		path := filepath.Join(dir, name)
		raw, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !strings.HasSuffix(name, ".json") {
			var y any
			if err := yaml.Unmarshal(raw, &y); err != nil {
				return nil, yamlErr(path, err)
			}
			if raw, err = json.Marshal(y); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
			}
		}
		sc := &Schema{File: path, schema: &jsonschema.Schema{}}
		if err := json.Unmarshal(raw, &sc.doc); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
		}
		if err := json.Unmarshal(raw, sc.schema); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
		}
		if sc.resolved, err = sc.schema.Resolve(nil); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
		}
		return sc, nil
	}
	return nil, nil
}

// Validate checks values against the schema and returns every violation,
// not just the first: the validator stops at the first one, so where the
// whole document fails, Validate walks the schema's properties and items
// and validates each part on its own (the constraints of an object or array
// itself, such as required or minItems, separately from its members').
func (s *Schema) Validate(values map[string]any) []error {
	if s == nil {
		return nil
	}
	inst, err := jsonValue(values)
	if err != nil {
		return []error{err}
	}
	err = s.resolved.Validate(inst)
	if err == nil {
		return nil
	}
	root, _ := s.doc.(map[string]any)
	if root == nil {
		return []error{describe("", err)}
	}
	defs := map[string]any{}
	for _, k := range []string{"$defs", "definitions", "$schema"} {
		if v, ok := root[k]; ok {
			defs[k] = v
		}
	}
	return violations(root, inst, "", err, defs)
}

// violations lists what is wrong with inst under the schema document node
// (whose whole validation gave whole), at path.
func violations(node map[string]any, inst any, path string, whole error, defs map[string]any) []error {
	props, _ := node["properties"].(map[string]any)
	items, _ := node["items"].(map[string]any)
	m, isMap := inst.(map[string]any)
	list, isList := inst.([]any)
	var out []error
	switch {
	case isMap && len(props) > 0:
		// The object's own constraints, its members accepted as they are.
		own := withMembers(node, "properties", props)
		if err := validateDoc(own, inst, defs); err != nil {
			out = append(out, describe(path, err))
		}
		for _, k := range slices.Sorted(maps.Keys(props)) {
			sub, _ := props[k].(map[string]any)
			v, present := m[k]
			if sub == nil || !present {
				continue
			}
			out = append(out, member(sub, v, join(path, k), defs)...)
		}
	case isList && items != nil:
		own := withMembers(node, "items", nil)
		if err := validateDoc(own, inst, defs); err != nil {
			out = append(out, describe(path, err))
		}
		for i, v := range list {
			out = append(out, member(items, v, fmt.Sprintf("%s[%d]", path, i), defs)...)
		}
	default:
		return []error{describe(path, whole)}
	}
	if len(out) == 0 {
		// Something the walk does not reach (allOf, if/then...) failed.
		out = append(out, describe(path, whole))
	}
	return out
}

// member validates one property or item on its own; a part that cannot be
// validated apart (a $ref outside $defs) is left to its parent's result.
func member(node map[string]any, v any, path string, defs map[string]any) []error {
	err := validateDoc(node, v, defs)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errStandalone):
		return nil
	}
	return violations(node, v, path, err, defs)
}

var errStandalone = errors.New("part of the schema cannot be validated on its own")

// withMembers copies node with its properties (or items) accepting
// anything, so what fails is the node's own constraints.
func withMembers(node map[string]any, key string, props map[string]any) map[string]any {
	own := maps.Clone(node)
	if key == "items" {
		own["items"] = true
		return own
	}
	accept := make(map[string]any, len(props))
	for k := range props {
		accept[k] = true
	}
	own["properties"] = accept
	return own
}

// validateDoc validates inst against one schema document, with the root's
// definitions beside it so that its "#/$defs/..." references resolve.
func validateDoc(node map[string]any, inst any, defs map[string]any) error {
	doc := maps.Clone(node)
	for k, v := range defs {
		if _, ok := doc[k]; !ok {
			doc[k] = v
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return errStandalone
	}
	var sc jsonschema.Schema
	if err := json.Unmarshal(raw, &sc); err != nil {
		return errStandalone
	}
	rs, err := sc.Resolve(nil)
	if err != nil {
		return errStandalone
	}
	return rs.Validate(inst)
}

// Compiled on first use: a run without a schema error never needs them.
var (
	ratRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b(-?\d+)/1\b`) })
	floatRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b(-?\d+)\.0+\b`) })
)

// describe turns the validator's "validating root: validating
// /properties/db/properties/port: maximum: ..." into "db.port: maximum:
// ..."; prefix is the key the schema that failed belongs to.
func describe(prefix string, err error) error {
	msg := err.Error()
	path := prefix
	for {
		i := strings.Index(msg, "validating ")
		if i < 0 {
			break
		}
		rest := msg[i+len("validating "):]
		j := strings.Index(rest, ": ")
		if j < 0 {
			break
		}
		if loc := rest[:j]; loc != "root" {
			parts := []string{}
			if prefix != "" {
				parts = append(parts, prefix)
			}
			segs := strings.Split(strings.Trim(loc, "/"), "/")
			for i := 0; i < len(segs); i++ {
				switch seg := segs[i]; seg {
				case "properties", "":
				case "$defs", "definitions":
					i++ // a referenced definition: its name is no key
				case "items":
					parts = append(parts, "[]")
				default:
					parts = append(parts, seg)
				}
			}
			path = strings.Join(parts, ".")
		}
		msg = rest[j+2:]
	}
	msg = floatRE().ReplaceAllString(ratRE().ReplaceAllString(msg, "$1"), "$1")
	if path == "" {
		path = "(top)"
	}
	return fmt.Errorf("%s: %s", strings.ReplaceAll(path, ".[]", "[]"), msg)
}

func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

// Type is the schema's "type" at a dotted path ("" when the schema does
// not say): following "properties", "additionalProperties" and "items".
func (s *Schema) Type(path string) string {
	if s == nil {
		return ""
	}
	cur, _ := s.doc.(map[string]any)
	for _, part := range strings.Split(path, ".") {
		if cur == nil {
			return ""
		}
		if props, ok := cur["properties"].(map[string]any); ok {
			if next, ok := props[part].(map[string]any); ok {
				cur = next
				continue
			}
		}
		if items, ok := cur["items"].(map[string]any); ok {
			cur = items
			continue
		}
		if ap, ok := cur["additionalProperties"].(map[string]any); ok {
			cur = ap
			continue
		}
		return ""
	}
	switch t := cur["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				return s
			}
		}
	}
	return ""
}

// Known reports whether the schema declares the path (so it is not an
// unknown key even if default.yml lacks it).
func (s *Schema) Known(path string) bool {
	if s == nil {
		return false
	}
	cur, _ := s.doc.(map[string]any)
	for _, part := range strings.Split(path, ".") {
		props, ok := cur["properties"].(map[string]any)
		if !ok {
			return cur["additionalProperties"] != nil && cur["additionalProperties"] != false
		}
		next, ok := props[part].(map[string]any)
		if !ok {
			return false
		}
		cur = next
	}
	return true
}
