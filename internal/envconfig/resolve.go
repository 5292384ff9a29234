package envconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// DefaultDir is where an image keeps its configuration bundle.
const DefaultDir = "/etc/app/config"

// DefaultOverridePrefix starts the environment variables that override
// keys: APP__DB__HOST sets db.host ("__" separates levels).
const DefaultOverridePrefix = "APP__"

// EnvVars are read, in this order, when no environment is given.
var EnvVars = []string{"APP_ENV", "RAILS_ENV", "RACK_ENV", "NODE_ENV"}

// Bundle is a configuration directory.
type Bundle struct {
	Dir    string
	Envs   []string // from <env>.yml files, sorted
	Schema *Schema
}

// LoadBundle reads the directory listing and the schema.
func LoadBundle(dir string) (*Bundle, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading config directory: %w", err)
	}
	b := &Bundle{Dir: dir}
	hasDefault := false
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(strings.TrimSuffix(name, ".yml"), ".yaml")
		if e.IsDir() || base == name {
			continue
		}
		switch base {
		case "default":
			hasDefault = true
		case "local", "schema", "plugins":
		default:
			b.Envs = append(b.Envs, base)
		}
	}
	if !hasDefault {
		return nil, fmt.Errorf("%w: %s has no default.yml", ErrInvalid, dir)
	}
	sort.Strings(b.Envs)
	if b.Schema, err = loadSchema(dir); err != nil {
		return nil, err
	}
	return b, nil
}

// PickEnv chooses the environment: flag, else the first of EnvVars set.
func (b *Bundle) PickEnv(flag string, environ []string) (string, string, error) {
	env, from := flag, "--env"
	if env == "" {
		vars := map[string]string{}
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok {
				vars[k] = v
			}
		}
		for _, v := range EnvVars {
			if vars[v] != "" {
				env, from = vars[v], "$"+v
				break
			}
		}
	}
	if env == "" {
		return "", "", fmt.Errorf("%w: no environment: give --env or set one of %s (known: %s)", ErrUnknownEnv, strings.Join(EnvVars, ", "), strings.Join(b.Envs, ", "))
	}
	for _, e := range b.Envs {
		if e == env {
			return env, from, nil
		}
	}
	return "", "", fmt.Errorf("%w %q (from %s): %s has %s", ErrUnknownEnv, env, from, b.Dir, knownEnvs(b.Envs))
}

func knownEnvs(envs []string) string {
	if len(envs) == 0 {
		return "no <env>.yml files"
	}
	return "known: " + strings.Join(envs, ", ")
}

// Options say how to resolve.
type Options struct {
	// Environ is the process environment (overrides, ref+env://, the
	// environment name); os.Environ() when nil.
	Environ []string
	// OverridePrefix defaults to DefaultOverridePrefix.
	OverridePrefix string
	// Resolvers by backend; DefaultResolvers when nil.
	Resolvers map[string]Resolver
	// CheckSecrets resolves references for presence only, leaving them in
	// place; SkipSecrets does not resolve them at all.
	CheckSecrets, SkipSecrets bool
}

// DefaultResolvers are the built-in backends: env, file, awsssm.
func DefaultResolvers(environ []string, dir string) map[string]Resolver {
	return map[string]Resolver{
		"env":    EnvResolver{Environ: environ},
		"file":   FileResolver{Dir: dir},
		"awsssm": SSMResolver(),
	}
}

// Config is one environment's resolved configuration.
type Config struct {
	Env     string
	Values  map[string]any
	Origins map[string]Origin
	// Secrets are the paths whose value came from a reference.
	Secrets map[string]Ref
	// Unknown are keys that an overlay or override sets but default.yml
	// and the schema do not have (typos, usually).
	Unknown []string
	// Invalid are schema violations.
	Invalid []error
}

// Resolve resolves env (already validated by PickEnv).
func (b *Bundle) Resolve(ctx context.Context, env string, o Options) (*Config, error) {
	if o.Environ == nil {
		o.Environ = os.Environ()
	}
	if o.OverridePrefix == "" {
		o.OverridePrefix = DefaultOverridePrefix
	}
	if o.Resolvers == nil {
		o.Resolvers = DefaultResolvers(o.Environ, b.Dir)
	}
	c := &Config{Env: env, Values: map[string]any{}, Origins: map[string]Origin{}}
	base, err := readLayer(b.file("default"), "default", false)
	if err != nil {
		return nil, err
	}
	pv := provenance{origins: c.Origins, deleted: map[string]bool{}}
	merge(c.Values, pv, base)
	known := func(p string) bool {
		if _, ok := Get(base.values, p); ok {
			return true
		}
		return b.Schema.Known(p)
	}
	for _, l := range []struct {
		name     string
		optional bool
	}{{env, false}, {"local", true}} {
		ly, err := readLayer(b.file(l.name), l.name, l.optional)
		if err != nil {
			return nil, err
		}
		if ly == nil {
			continue
		}
		Leaves(ly.values, func(p string, v any) {
			if _, del := v.(deleted); !del && !known(p) {
				c.Unknown = append(c.Unknown, fmt.Sprintf("%s (%s)", p, ly.origins[p]))
			}
		})
		merge(c.Values, pv, ly)
	}
	// Every problem is collected, so that one (a bad override, a missing
	// secret) never hides another (the schema's violations).
	var problems []error
	if err := b.overrides(c, pv, o, known); err != nil {
		problems = append(problems, err)
	}
	if !o.SkipSecrets {
		secrets, unresolved, err := resolveRefs(ctx, c.Values, o.Resolvers, o.CheckSecrets)
		c.Secrets = secrets
		if err != nil {
			return c, err // operational: a backend could not be asked
		}
		if len(unresolved) > 0 {
			problems = append(problems, fmt.Errorf("%w:\n  %s", ErrUnresolved, strings.Join(unresolved, "\n  ")))
		}
		for p, r := range secrets {
			if !o.CheckSecrets {
				if t := b.Schema.Type(p); t != "" && t != "string" {
					s, _ := Get(c.Values, p)
					if _, stillRef, _ := ParseRef(fmt.Sprint(s)); stillRef {
						continue // unresolved: reported above
					}
					v, err := coerce(fmt.Sprint(s), t)
					if err != nil {
						problems = append(problems, fmt.Errorf("%w: %s: the value of %s: %v", ErrInvalid, p, r.Raw, err))
						continue
					}
					set(c.Values, p, v)
				}
			}
			o := c.Origins[p]
			o.Layer, o.Ref = "secret", r.Raw
			c.Origins[p] = o
		}
	} else {
		// Syntax and backend only: nothing is looked up.
		c.Secrets = map[string]Ref{}
		var unresolved []string
		Leaves(c.Values, func(p string, v any) {
			s, ok := v.(string)
			if !ok {
				return
			}
			r, isRef, err := ParseRef(s)
			switch {
			case !isRef:
			case err != nil:
				unresolved = append(unresolved, p+": "+err.Error())
			case o.Resolvers[r.Backend] == nil:
				unresolved = append(unresolved, fmt.Sprintf("%s: no resolver for backend %q", p, r.Backend))
			default:
				c.Secrets[p] = r
			}
		})
		if len(unresolved) > 0 {
			problems = append(problems, fmt.Errorf("%w:\n  %s", ErrUnresolved, strings.Join(unresolved, "\n  ")))
		}
	}
	sort.Strings(c.Unknown)
	for _, e := range b.Schema.Validate(c.Values) {
		// A reference (unresolved, or only checked) cannot have the
		// schema's type yet.
		p, _, _ := strings.Cut(e.Error(), ":")
		if v, ok := Get(c.Values, p); ok {
			if s, isString := v.(string); isString {
				if _, isRef, _ := ParseRef(s); isRef {
					continue
				}
			}
		}
		c.Invalid = append(c.Invalid, e)
	}
	if len(problems) > 0 {
		return c, errors.Join(problems...)
	}
	return c, nil
}

func (b *Bundle) file(name string) string {
	p := filepath.Join(b.Dir, name+".yml")
	if _, err := os.Stat(p); err != nil {
		if alt := filepath.Join(b.Dir, name+".yaml"); fileExists(alt) {
			return alt
		}
	}
	return p
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// overrides applies PREFIX variables, typed by the schema, else by the
// value they replace, else as strings.
func (b *Bundle) overrides(c *Config, pv provenance, o Options, known func(string) bool) error {
	var errs []error
	vars := append([]string(nil), o.Environ...)
	sort.Strings(vars)
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, o.OverridePrefix) || k == o.OverridePrefix {
			continue
		}
		parts := strings.Split(strings.ToLower(strings.TrimPrefix(k, o.OverridePrefix)), "__")
		if slices.Contains(parts, "") {
			errs = append(errs, fmt.Errorf("$%s: empty key level (use %s to separate levels)", k, "__"))
			continue
		}
		p := strings.Join(parts, ".")
		t := b.Schema.Type(p)
		if t == "" {
			if cur, ok := Get(c.Values, p); ok {
				t = jsonType(cur) // null: taken as a string
			}
		}
		val, err := coerce(v, t)
		if err != nil {
			errs = append(errs, fmt.Errorf("$%s (%s): %v", k, p, err))
			continue
		}
		if !known(p) {
			c.Unknown = append(c.Unknown, fmt.Sprintf("%s ($%s)", p, k))
		}
		old, _ := Get(c.Values, p)
		if err := set(c.Values, p, val); err != nil {
			errs = append(errs, fmt.Errorf("$%s: %v", k, err))
			continue
		}
		pv.drop(p, old)
		c.Origins[p] = Origin{Layer: "env", Var: k}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	return nil
}

// coerce turns an environment string into the JSON Schema type t.
func coerce(s, t string) (any, error) {
	switch t {
	case "", "string":
		return s, nil
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an integer, got %q", s)
		}
		return int(n), nil
	case "number":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("want a number, got %q", s)
		}
		return f, nil
	case "boolean":
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("want a boolean (true/false), got %q", s)
		}
		return b, nil
	case "array", "object":
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("want a JSON %s, got %q", t, s)
		}
		if (t == "array") != isList(v) {
			return nil, fmt.Errorf("want a JSON %s, got %q", t, s)
		}
		return v, nil
	}
	return s, nil
}

func isList(v any) bool { _, ok := v.([]any); return ok }
