package inventory

import (
	"fmt"
	"testing"
)

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"web", "web", true},
		{"web", "web1", false},
		{"web*", "web-prod-1", true},
		{"*prod*", "web-prod-1", true},
		{"w?b", "web", true},
		{"w?b", "wb", false},
		{"*", "", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"path/*", "path/x", true},
		{"[x]", "[x]", true},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestMatchLocal(t *testing.T) {
	in := &fixture()[0] // web-1, prod, us-east-1a
	f := func(kv ...string) Filters {
		var fs Filters
		for i := 0; i+1 < len(kv); i += 2 {
			fs.List = append(fs.List, Filter{Name: kv[i], Values: []string{kv[i+1]}})
		}
		return fs
	}
	tests := []struct {
		name string
		fs   Filters
		want bool
	}{
		{"tag", f("tag:Env", "prod"), true},
		{"tag mismatch", f("tag:Env", "dev"), false},
		{"missing tag", f("tag:Nope", "*"), false},
		{"and of filters", f("tag:Service", "web", "availability-zone", "us-east-1b"), false},
		{"wildcard", f("tag:Name", "web-*"), true},
		{"security group name", f("instance.group-name", "base"), true},
		{"tag-key", f("tag-key", "Service"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchLocal(in, tt.fs); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if localFilterable(f("network-interface.mac-address", "x")) {
		t.Error("unknown filter names must go to the API")
	}
}

func TestQueriesMerge(t *testing.T) {
	tests := []struct {
		name string
		yml  string
		want string
	}{
		{"default is running only", ``, "[[instance-state-name=[running]]]"},
		{"explicit empty filters means all states", "filters: {}\n", "[[]]"},
		{"include entries on one filter merge into one call", `
filters:
  tag:Env: prod
include_filters:
  - tag:Env: staging
  - tag:Env: [dev, prod]
`, "[[tag:Env=[prod staging dev]]]"},
		{"an entry the base already covers costs nothing", `
filters:
  instance-state-name: running
include_filters:
  - instance-state-name: running
    tag:Role: bastion
`, "[[instance-state-name=[running]]]"},
		{"different filters need their own call", `
filters:
  tag:Env: prod
include_filters:
  - tag:Role: bastion
`, "[[tag:Env=[prod]] [tag:Role=[bastion]]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs := mustParse(t, tt.yml).queries()
			var got []string
			for _, q := range qs {
				var parts []string
				for _, f := range q.List {
					parts = append(parts, fmt.Sprintf("%s=%v", f.Name, f.Values))
				}
				got = append(got, fmt.Sprint(parts))
			}
			if s := fmt.Sprint(got); s != tt.want {
				t.Errorf("queries = %s, want %s", s, tt.want)
			}
		})
	}
}
