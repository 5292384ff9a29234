package envconfig

import (
	"context"
	"strings"
	"testing"
)

// FuzzParseLayer: any bytes either parse into a layer whose every value
// has an origin, or fail with ErrInvalid; never a panic.
func FuzzParseLayer(f *testing.F) {
	for _, s := range []string{
		"a: 1\n", "a:\n  b: [1, 2]\n  c: null\n", "x: &a {y: 1}\nz: *a\n", "- 1\n", "a: [1,\n", "a: 1\na: 2\n",
		"k: !!binary aGVsbG8=\n", "a: {b: {c: {d: ~}}}\n", "'': 1\n", "? [a]\n: 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := parseLayer("f.yml", "x", raw)
		if err != nil {
			return
		}
		Leaves(l.values, func(p string, v any) {
			if _, ok := l.origins[p]; !ok {
				t.Fatalf("no origin for %q", p)
			}
		})
	})
}

// FuzzOverride: any variable name and value either applies or fails with
// a message naming the variable.
func FuzzOverride(f *testing.F) {
	for _, s := range [][2]string{{"APP__DB__PORT", "5432"}, {"APP__APP__DEBUG", "yes"}, {"APP____X", "1"}, {"APP__FEATURES", "[1"}, {"APP__A__B__C", "x"}, {"APP__DB__PORT__X", "1"}} {
		f.Add(s[0], s[1])
	}
	b, err := LoadBundle("testdata/bundle")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		if strings.ContainsAny(name, "=\x00") {
			return
		}
		environ := []string{name + "=" + value, "DB_PASSWORD=x"}
		_, err := b.Resolve(context.Background(), "staging", Options{Environ: environ, Resolvers: DefaultResolvers(environ, b.Dir)})
		if err != nil && !strings.Contains(err.Error(), name) {
			t.Fatalf("error %q does not name $%s", err, name)
		}
	})
}

// FuzzParseRef: references parse or fail, never panic; a parsed one has
// a backend and a path.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"ref+env://X", "ref+file:///a/b#/c/d", "ref+awsssm://a/b?region=x", "ref+", "ref+://", "ref+a:b", "plain", "ref+x://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, isRef, err := ParseRef(s)
		if isRef && err == nil && (r.Backend == "" || r.Path == "") {
			t.Fatalf("ParseRef(%q) = %+v without error", s, r)
		}
		if !isRef && !strings.HasPrefix(s, RefPrefix) && err != nil {
			t.Fatal(err)
		}
	})
}
