package envconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
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

// Validate checks values against the schema. The validator stops at the
// first violation, so each top-level key is also validated on its own
// against its property schema: every key with a problem is reported.
func (s *Schema) Validate(values map[string]any) []error {
	if s == nil {
		return nil
	}
	inst, err := jsonValue(values)
	if err != nil {
		return []error{err}
	}
	if err := s.resolved.Validate(inst); err == nil {
		return nil
	} else if len(s.schema.Properties) == 0 {
		return []error{describe("", err)}
	}
	var out []error
	seen := map[string]bool{}
	m, _ := inst.(map[string]any)
	keys := make([]string, 0, len(s.schema.Properties))
	for k := range s.schema.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, ok := m[k]
		if !ok {
			continue
		}
		rs, err := s.schema.Properties[k].Resolve(nil)
		if err != nil {
			continue
		}
		if err := rs.Validate(v); err != nil {
			seen[k] = true
			out = append(out, describe(k, err))
		}
	}
	// Root-level constraints (required, additionalProperties...): what the
	// whole-document validation says, when no key explained it.
	if len(out) == 0 {
		out = append(out, describe("", s.resolved.Validate(inst)))
	}
	return out
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
			for _, seg := range strings.Split(strings.Trim(loc, "/"), "/") {
				switch seg {
				case "properties", "":
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
