package envconfig

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Redacted replaces secret values in output unless asked.
const Redacted = "<redacted>"

// Formats of Print.
const (
	FormatJSON   = "json"
	FormatYAML   = "yaml"
	FormatDotenv = "dotenv"
	FormatExport = "export"
)

// View returns the values (or the value at key) with secrets redacted
// unless showSecrets.
func (c *Config) View(key string, showSecrets bool) (any, error) {
	values := c.Values
	if !showSecrets && len(c.Secrets) > 0 {
		values = deepCopy(c.Values).(map[string]any)
		for p := range c.Secrets {
			if _, ok := Get(values, p); ok {
				set(values, p, Redacted)
			}
		}
	}
	if key == "" {
		return values, nil
	}
	v, ok := Get(values, key)
	if !ok {
		return nil, fmt.Errorf("%w: no key %q in %s", ErrInvalid, key, c.Env)
	}
	return v, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// EnvName is the environment variable a key is exported as: the path
// upper-cased, levels joined by "_", anything but letters and digits made
// "_", after prefix: db.max_conns -> DB_MAX_CONNS.
func EnvName(prefix, path string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range strings.ToUpper(path) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Flatten lists NAME=VALUE for every leaf: scalars as text, lists and maps
// inside a value as JSON, null as "".
func Flatten(prefix string, v any) [][2]string {
	var out [][2]string
	if m, ok := v.(map[string]any); ok {
		Leaves(m, func(p string, x any) { out = append(out, [2]string{EnvName(prefix, p), scalar(x)}) })
	} else {
		out = append(out, [2]string{strings.TrimSuffix(prefix, "_"), scalar(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any, map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// Print writes v in a format.
func Print(w io.Writer, v any, format, prefix string) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case FormatYAML:
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return err
		}
		return enc.Close()
	case FormatDotenv, FormatExport:
		for _, kv := range Flatten(prefix, v) {
			if format == FormatExport {
				fmt.Fprintf(w, "export %s=%s\n", kv[0], shellQuote(kv[1]))
			} else {
				fmt.Fprintf(w, "%s=%s\n", kv[0], strconv.Quote(kv[1]))
			}
		}
		return nil
	}
	return fmt.Errorf("format %q: want json, yaml, dotenv or export", format)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Explanation says where a key's value came from.
type Explanation struct {
	Key    string `json:"key"`
	Env    string `json:"env"`
	Value  any    `json:"value"`
	Secret bool   `json:"secret,omitempty"`
	Origin Origin `json:"origin"`
	// Under lists the origins of the keys below a map.
	Under map[string]Origin `json:"under,omitempty"`
}

// Explain tells which layer set key (secret values redacted).
func (c *Config) Explain(key string) (Explanation, error) {
	v, err := c.View(key, false)
	if err != nil {
		if o, ok := c.Origins[key]; ok && strings.HasSuffix(o.Layer, "(deleted)") {
			return Explanation{Key: key, Env: c.Env, Origin: o}, nil
		}
		return Explanation{}, err
	}
	e := Explanation{Key: key, Env: c.Env, Value: v, Origin: c.Origins[key]}
	if _, ok := c.Secrets[key]; ok {
		e.Secret = true
	}
	if _, isMap := v.(map[string]any); isMap {
		e.Under = map[string]Origin{}
		for p, o := range c.Origins {
			if strings.HasPrefix(p, key+".") {
				if _, still := Get(c.Values, p); still {
					e.Under[p] = o
				}
			}
		}
	}
	return e, nil
}
