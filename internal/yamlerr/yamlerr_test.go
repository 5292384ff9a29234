package yamlerr

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLines(t *testing.T) {
	type inner struct {
		Port int `yaml:"port"`
	}
	type file struct {
		Name  string `yaml:"name"`
		Inner inner  `yaml:"inner"`
	}
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"unknown key", "name: a\nnmae: b\n", "f.yml:2: unknown key nmae"},
		{"unknown nested key and a bad type", "inner:\n  prot: 1\n  port: x\n", "f.yml:2: unknown key prot; f.yml:3: cannot unmarshal !!str `x` into int"},
		{"syntax error", "name: [a\n", "f.yml:1: did not find expected ',' or ']'"},
		{"no line", "", "f.yml: EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec := yaml.NewDecoder(strings.NewReader(tc.doc))
			dec.KnownFields(true)
			var f file
			err := dec.Decode(&f)
			if err == nil {
				t.Fatal("no error")
			}
			if got := Join("f.yml", err, "key"); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
