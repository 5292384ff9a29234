package envconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Schema is a bundle's JSON Schema (schema.json, or schema.yml written in
// YAML), validated with github.com/santhosh-tekuri/jsonschema.
type Schema struct {
	File     string
	doc      any
	compiled *jsonschema.Schema
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
		var doc any
		if strings.HasSuffix(name, ".json") {
			doc, err = jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
			}
		} else {
			var y any
			if err := yaml.Unmarshal(raw, &y); err != nil {
				return nil, yamlErr(path, err)
			}
			// Through JSON, so numbers and maps have the types the
			// validator expects.
			j, err := json.Marshal(y)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
			}
			if doc, err = jsonschema.UnmarshalJSON(bytes.NewReader(j)); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
			}
		}
		c := jsonschema.NewCompiler()
		url := "file://" + filepath.ToSlash(path)
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
		}
		s, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
		}
		return &Schema{File: path, doc: doc, compiled: s}, nil
	}
	return nil, nil
}

// Validate checks values against the schema; each problem is one error
// naming the key path.
func (s *Schema) Validate(values map[string]any) []error {
	if s == nil {
		return nil
	}
	// The validator wants JSON types: round-trip.
	j, err := json.Marshal(values)
	if err != nil {
		return []error{err}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return []error{err}
	}
	err = s.compiled.Validate(inst)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		if err != nil {
			return []error{err}
		}
		return nil
	}
	var out []error
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			p := strings.Join(e.InstanceLocation, ".")
			if p == "" {
				p = "(top)"
			}
			out = append(out, fmt.Errorf("%s: %s", p, strings.TrimPrefix(fmt.Sprint(e.ErrorKind), "jsonschema: ")))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
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
