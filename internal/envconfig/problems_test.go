package envconfig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBundle writes files (name -> content) into a new bundle directory.
func writeBundle(t *testing.T, files map[string]string) *Bundle {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const problemsSchema = `{"type": "object",
 "$defs": {"port": {"type": "integer", "maximum": 65535}},
 "required": ["db", "app"],
 "properties": {
  "db": {"type": "object", "required": ["name"], "properties": {
    "host": {"type": "string", "minLength": 3},
    "port": {"$ref": "#/$defs/port"},
    "name": {"type": "string"},
    "replicas": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {"port": {"$ref": "#/$defs/port"}}}}}},
  "app": {"type": "object", "properties": {"mode": {"enum": ["web", "worker"]}}}}}`

// Every problem of an environment is listed, whatever else is wrong: several
// violations under one map, an object's own constraints beside its members',
// items of a list, and the schema's violations beside a missing secret or a
// bad override.
func TestEveryProblemListed(t *testing.T) {
	tests := []struct {
		name      string
		defaults  string
		environ   []string
		invalid   []string // each in c.Invalid, and no other
		errs      []string // in the returned error
		errTarget error
	}{
		{
			name:     "two violations under one map, and the map's own",
			defaults: "db:\n  host: x\n  port: 70000\napp:\n  mode: web\n",
			invalid:  []string{"db: required: missing properties: [\"name\"]", "db.host: minLength:", "db.port: maximum: 70000 is greater than 65535"},
		},
		{
			name:     "items of a list, and the list's own size",
			defaults: "db:\n  name: n\n  replicas:\n    - port: 1\n    - port: 99999\n    - port: 70000\napp: {mode: batch}\n",
			invalid:  []string{"db.replicas[1].port: maximum: 99999", "db.replicas[2].port: maximum: 70000", "app.mode: enum:"},
		},
		{
			name:     "an empty list",
			defaults: "db:\n  name: n\n  replicas: []\napp: {}\n",
			invalid:  []string{"db.replicas: minItems:"},
		},
		{
			name:      "a missing secret hides no violation",
			defaults:  "db:\n  name: n\n  host: ref+env://DB_HOST\n  port: 70000\napp: {mode: batch}\n",
			invalid:   []string{"db.port: maximum:", "app.mode: enum:"},
			errs:      []string{"db.host: ref+env://DB_HOST not found"},
			errTarget: ErrUnresolved,
		},
		{
			name:      "a bad override hides no violation",
			defaults:  "db:\n  name: n\n  port: 5432\napp: {mode: batch}\n",
			environ:   []string{"APP__DB__PORT=fivefour"},
			invalid:   []string{"app.mode: enum:"},
			errs:      []string{"$APP__DB__PORT (db.port): want an integer"},
			errTarget: ErrInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := writeBundle(t, map[string]string{"default.yml": tt.defaults, "prod.yml": "{}\n", "schema.json": problemsSchema})
			c, err := b.Resolve(context.Background(), "prod", Options{Environ: tt.environ, Resolvers: DefaultResolvers(tt.environ, b.Dir)})
			if tt.errTarget == nil && err != nil {
				t.Fatal(err)
			}
			if tt.errTarget != nil {
				if !errors.Is(err, tt.errTarget) {
					t.Fatalf("err = %v, want %v", err, tt.errTarget)
				}
				for _, w := range tt.errs {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
			}
			if c == nil {
				t.Fatal("no config returned beside the error")
			}
			var got []string
			for _, e := range c.Invalid {
				got = append(got, e.Error())
			}
			if len(got) != len(tt.invalid) {
				t.Errorf("violations %q, want %d: %q", got, len(tt.invalid), tt.invalid)
			}
			for _, w := range tt.invalid {
				found := false
				for _, g := range got {
					found = found || strings.HasPrefix(g, w)
				}
				if !found {
					t.Errorf("violations %q lack %q", got, w)
				}
			}
		})
	}
}
