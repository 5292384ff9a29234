package envconfig

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// RefPrefix starts a secret reference, after helmfile's vals:
// ref+BACKEND://PATH[?QUERY][#FRAGMENT].
const RefPrefix = "ref+"

// Ref is a parsed secret reference.
type Ref struct {
	Raw     string
	Backend string
	// Path is host and path as written: "/run/secrets/db" for
	// ref+file:///run/secrets/db, "DB_PASSWORD" for ref+env://DB_PASSWORD.
	Path     string
	Query    url.Values
	Fragment string
}

// ParseRef parses s when it is a reference; ok is false for any other string.
func ParseRef(s string) (r Ref, ok bool, err error) {
	if !strings.HasPrefix(s, RefPrefix) {
		return Ref{}, false, nil
	}
	u, err := url.Parse(strings.TrimPrefix(s, RefPrefix))
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return Ref{}, true, fmt.Errorf("reference %q: want ref+BACKEND://PATH", s)
	}
	r = Ref{Raw: s, Backend: u.Scheme, Path: u.Host + u.Path, Query: u.Query(), Fragment: u.Fragment}
	if r.Path == "" {
		return Ref{}, true, fmt.Errorf("reference %q: empty path", s)
	}
	return r, true, nil
}

// Resolver resolves the references of one backend. It is the extension
// point secret-store plugins implement.
type Resolver interface {
	// Resolve returns the value of each reference it could resolve, keyed
	// by Ref.Raw; a reference missing from the result is reported as not
	// found. An error means the backend itself failed.
	Resolve(ctx context.Context, refs []Ref) (map[string]string, error)
}

// EnvResolver resolves ref+env://VAR from the environment it is given; an
// unset or empty variable is not found.
type EnvResolver struct{ Environ []string }

// Resolve implements Resolver.
func (e EnvResolver) Resolve(_ context.Context, refs []Ref) (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range e.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	out := map[string]string{}
	for _, r := range refs {
		if v := env[r.Path]; v != "" {
			out[r.Raw] = v
		}
	}
	return out, nil
}

// FileResolver resolves ref+file://PATH (the file's content without its
// final newline) and ref+file://PATH#/key/path (a value inside a YAML or
// JSON file). Relative paths are relative to Dir.
type FileResolver struct{ Dir string }

// Resolve implements Resolver.
func (f FileResolver) Resolve(_ context.Context, refs []Ref) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range refs {
		p := r.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(f.Dir, p)
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			continue // not found: reported with the others
		}
		if r.Fragment == "" {
			out[r.Raw] = strings.TrimSuffix(strings.TrimSuffix(string(raw), "\n"), "\r")
			continue
		}
		var doc any
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Raw, err)
		}
		cur := doc
		for _, part := range strings.Split(strings.Trim(r.Fragment, "/"), "/") {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = m[part]
		}
		if cur != nil {
			if s, ok := cur.(string); ok {
				out[r.Raw] = s
			} else {
				out[r.Raw] = fmt.Sprint(cur)
			}
		}
	}
	return out, nil
}

// resolveRefs resolves every reference in values, grouped by backend, and
// returns the paths holding secrets and the problems.
func resolveRefs(ctx context.Context, values map[string]any, resolvers map[string]Resolver, check bool) (secrets map[string]Ref, problems []string, err error) {
	secrets = map[string]Ref{}
	byBackend := map[string][]Ref{}
	paths := map[string][]string{}
	var parseErrs []string
	Leaves(values, func(p string, v any) {
		s, ok := v.(string)
		if !ok {
			return
		}
		r, isRef, err := ParseRef(s)
		if !isRef {
			return
		}
		if err != nil {
			parseErrs = append(parseErrs, p+": "+err.Error())
			return
		}
		secrets[p] = r
		if len(paths[r.Raw]) == 0 {
			byBackend[r.Backend] = append(byBackend[r.Backend], r)
		}
		paths[r.Raw] = append(paths[r.Raw], p)
	})
	problems = parseErrs // and the others: every problem is listed
	backends := make([]string, 0, len(byBackend))
	for b := range byBackend {
		backends = append(backends, b)
	}
	sort.Strings(backends)
	for _, b := range backends {
		res, ok := resolvers[b]
		if !ok {
			known := make([]string, 0, len(resolvers))
			for k := range resolvers {
				known = append(known, k)
			}
			sort.Strings(known)
			for _, r := range byBackend[b] {
				problems = append(problems, fmt.Sprintf("%s: no resolver for backend %q (known: %s)", strings.Join(paths[r.Raw], ", "), b, strings.Join(known, ", ")))
			}
			continue
		}
		got, err := res.Resolve(ctx, byBackend[b])
		if err != nil {
			return secrets, problems, fmt.Errorf("resolving %s references: %w", b, err)
		}
		for _, r := range byBackend[b] {
			v, ok := got[r.Raw]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: %s not found", strings.Join(paths[r.Raw], ", "), r.Raw))
				continue
			}
			if check {
				continue // presence only
			}
			for _, p := range paths[r.Raw] {
				set(values, p, v)
			}
		}
	}
	return secrets, problems, nil
}
