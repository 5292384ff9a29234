package envconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/dockwright/dockwright/internal/golden"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Equal(t, filepath.Join("testdata", "golden", name), got)
}

func bundle(t *testing.T) *Bundle {
	t.Helper()
	b, err := LoadBundle("testdata/bundle")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func resolve(t *testing.T, env string, environ ...string) *Config {
	t.Helper()
	b := bundle(t)
	environ = append(environ, "DB_PASSWORD=s3cr3t-env")
	c, err := b.Resolve(context.Background(), env, Options{Environ: environ, Resolvers: DefaultResolvers(environ, b.Dir)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPickEnv(t *testing.T) {
	b := bundle(t)
	tests := []struct {
		name, flag string
		environ    []string
		want, err  string
	}{
		{"flag", "prod", nil, "prod", ""},
		{"APP_ENV first", "", []string{"NODE_ENV=dev", "APP_ENV=staging"}, "staging", ""},
		{"RAILS_ENV before NODE_ENV", "", []string{"NODE_ENV=dev", "RAILS_ENV=prod"}, "prod", ""},
		{"NODE_ENV", "", []string{"NODE_ENV=dev"}, "dev", ""},
		{"unknown", "qa", nil, "", `unknown environment "qa" (from --env): testdata/bundle has known: dev, prod, staging`},
		{"unknown from var", "", []string{"RAILS_ENV=production"}, "", `"production" (from $RAILS_ENV)`},
		{"none", "", nil, "", "no environment: give --env or set one of APP_ENV, RAILS_ENV, RACK_ENV, NODE_ENV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := b.PickEnv(tt.flag, tt.environ)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrUnknownEnv) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("PickEnv = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestResolveGolden(t *testing.T) {
	tests := []struct {
		name, env string
		environ   []string
		format    string
		show      bool
	}{
		{"prod_json", "prod", nil, FormatJSON, false},
		{"prod_json_secrets", "prod", nil, FormatJSON, true},
		{"staging_yaml", "staging", nil, FormatYAML, false},
		{"staging_overrides_dotenv", "staging", []string{"APP__DB__PORT=6543", "APP__APP__DEBUG=false", "APP__FEATURES=[\"a\",\"b\"]", "APP__DB__TIMEOUT=2.5"}, FormatDotenv, false},
		{"prod_export", "prod", []string{"APP__APP__NAME=it's web"}, FormatExport, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := resolve(t, tt.env, tt.environ...)
			v, err := c.View("", tt.show)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Print(&buf, v, tt.format, ""); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+"."+tt.format, buf.Bytes())
		})
	}
}

func TestMergeRules(t *testing.T) {
	c := resolve(t, "prod")
	if _, ok := Get(c.Values, "cache"); ok {
		t.Error("explicit null did not delete cache")
	}
	if f, _ := Get(c.Values, "features"); len(f.([]any)) != 3 {
		t.Errorf("lists are replaced, not merged: %v", f)
	}
	if n, _ := Get(c.Values, "app.name"); n != "web" {
		t.Errorf("maps are deep-merged: app.name = %v", n)
	}
	if p, _ := Get(c.Values, "db.password"); p != "s3cr3t-file" {
		t.Errorf("db.password = %v", p)
	}
}

func TestOverrideCoercion(t *testing.T) {
	tests := []struct {
		name string
		env  string
		key  string
		want any
		err  string
	}{
		{"integer by schema", "APP__DB__PORT=5433", "db.port", 5433, ""},
		{"boolean by schema", "APP__APP__DEBUG=true", "app.debug", true, ""},
		{"number by schema, key absent from default.yml", "APP__DB__TIMEOUT=1.5", "db.timeout", 1.5, ""},
		{"array as JSON", `APP__FEATURES=["x"]`, "features", []any{"x"}, ""},
		{"string stays string", "APP__DB__HOST=10.0.0.1", "db.host", "10.0.0.1", ""},
		{"bad integer", "APP__DB__PORT=fivefour", "", nil, `$APP__DB__PORT (db.port): want an integer, got "fivefour"`},
		{"bad boolean", "APP__APP__DEBUG=maybe", "", nil, "want a boolean"},
		{"empty level", "APP__DB____HOST=x", "", nil, "empty key level"},
		{"into a scalar", "APP__APP__NAME__X=1", "", nil, "app.name is a string, not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bundle(t)
			environ := []string{tt.env, "DB_PASSWORD=x"}
			c, err := b.Resolve(context.Background(), "staging", Options{Environ: environ, Resolvers: DefaultResolvers(environ, b.Dir)})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := Get(c.Values, tt.key)
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(tt.want)
			if string(gj) != string(wj) {
				t.Errorf("%s = %s, want %s", tt.key, gj, wj)
			}
			if o := c.Origins[tt.key]; o.Var == "" {
				t.Errorf("origin of %s = %+v, want the variable", tt.key, o)
			}
		})
	}
}

func TestUnknownKeysAndSchema(t *testing.T) {
	c := resolve(t, "dev", "APP__CACHE__TTLL=3")
	want := []string{"app.debgu (testdata/bundle/dev.yml:2:10)", "cache.ttll ($APP__CACHE__TTLL)"}
	if strings.Join(c.Unknown, "|") != strings.Join(want, "|") {
		t.Errorf("unknown = %q, want %q", c.Unknown, want)
	}
	c = resolve(t, "staging", "APP__APP__PORT=70000", "APP__CACHE__BACKEND=disk")
	if len(c.Invalid) != 2 {
		t.Fatalf("invalid = %v, want 2 problems", c.Invalid)
	}
	msg := errors.Join(c.Invalid...).Error()
	for _, w := range []string{"app.port: maximum: 70000 is greater than 65535", "cache.backend: enum: disk does not equal any of"} {
		if !strings.Contains(msg, w) {
			t.Errorf("schema errors %q do not name %s", msg, w)
		}
	}
}

func TestExplainGolden(t *testing.T) {
	c := resolve(t, "prod", "APP__DB__PORT=6000")
	var buf bytes.Buffer
	for _, k := range []string{"db.host", "db.port", "db.password", "app.name", "features", "cache", "db"} {
		e, err := c.Explain(k)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(e)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	golden(t, "explain_prod.jsonl", buf.Bytes())
	if strings.Contains(buf.String(), "s3cr3t") {
		t.Error("explain shows a secret")
	}
}

func TestRefs(t *testing.T) {
	tests := []struct {
		in      string
		isRef   bool
		backend string
		path    string
		err     bool
	}{
		{"plain", false, "", "", false},
		{"ref+env://DB_PASSWORD", true, "env", "DB_PASSWORD", false},
		{"ref+file:///run/secrets/db", true, "file", "/run/secrets/db", false},
		{"ref+file://secrets/x.yaml#/db/password", true, "file", "secrets/x.yaml", false},
		{"ref+awsssm://app/db/password?region=eu-west-1", true, "awsssm", "app/db/password", false},
		{"ref+nope", true, "", "", true},
		{"ref+env://", true, "", "", true},
	}
	for _, tt := range tests {
		r, isRef, err := ParseRef(tt.in)
		if isRef != tt.isRef || (err != nil) != tt.err || r.Backend != tt.backend || r.Path != tt.path {
			t.Errorf("ParseRef(%q) = %+v %v %v", tt.in, r, isRef, err)
		}
	}
}

func TestUnresolvedListsEveryProblem(t *testing.T) {
	b := bundle(t)
	environ := []string{"APP__X__A=ref+env://MISSING_A", "APP__X__B=ref+vault://secret/b", "APP__X__C=ref+file://nope"}
	_, err := b.Resolve(context.Background(), "staging", Options{Environ: environ, Resolvers: DefaultResolvers(environ, b.Dir)})
	if !errors.Is(err, ErrUnresolved) {
		t.Fatalf("error = %v, want ErrUnresolved", err)
	}
	for _, w := range []string{"db.password: ref+env://DB_PASSWORD not found", "x.a: ref+env://MISSING_A not found", `x.b: no resolver for backend "vault"`, "x.c: ref+file://nope not found"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestMalformedFiles(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"syntax", "a: [1,\nb: 2\n", "f.yml:2: did not find expected"},
		{"duplicate key", "a: 1\na: 2\n", "f.yml:2:1: key \"a\" appears twice"},
		{"dotted key", "a.b: 1\n", "f.yml:1:1: key \"a.b\""},
		{"not a map", "- 1\n", "f.yml:1:1: want a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseLayer("f.yml", "x", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// BenchmarkResolve500 is the resolve part of exec: a bundle of 500 keys,
// an overlay and a few overrides, no remote secrets.
func BenchmarkResolve500(b *testing.B) {
	dir := b.TempDir()
	var def strings.Builder
	for s := 0; s < 25; s++ {
		fmt.Fprintf(&def, "svc%02d:\n", s)
		for k := 0; k < 20; k++ {
			fmt.Fprintf(&def, "  key%02d: value-%d-%d\n", k, s, k)
		}
	}
	os.WriteFile(filepath.Join(dir, "default.yml"), []byte(def.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "prod.yml"), []byte("svc00:\n  key00: prod\n"), 0o644)
	environ := []string{"APP__SVC01__KEY01=x", "PATH=/bin"}
	b.ReportAllocs()
	for b.Loop() {
		bd, err := LoadBundle(dir)
		if err != nil {
			b.Fatal(err)
		}
		c, err := bd.Resolve(context.Background(), "prod", Options{Environ: environ})
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Environ(environ, "")
	}
}

// A key deleted by one layer, under a map a later layer replaces whole,
// is gone: explain does not report the old deletion.
func TestDeletionUnderAReplacedMap(t *testing.T) {
	for _, tc := range []struct {
		name, local string
		environ     []string
	}{
		{"replaced by a scalar", "db: sqlite\n", nil},
		{"replaced by a list", "db: [a, b]\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "default.yml"), []byte("db:\n  host: a\n  port: 1\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "prod.yml"), []byte("db:\n  port: null\n"), 0o644)
			if tc.local != "" {
				os.WriteFile(filepath.Join(dir, "local.yml"), []byte(tc.local), 0o644)
			}
			b, err := LoadBundle(dir)
			if err != nil {
				t.Fatal(err)
			}
			c, err := b.Resolve(context.Background(), "prod", Options{Environ: tc.environ})
			if err != nil {
				t.Fatal(err)
			}
			if e, err := c.Explain("db.port"); err == nil {
				t.Errorf("explain db.port = %+v, want not found", e)
			}
			if _, ok := c.Origins["db.port"]; ok {
				t.Errorf("origins keep db.port: %v", c.Origins)
			}
		})
	}
}
