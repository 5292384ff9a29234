package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockwright/dockwright/internal/ec2fake"
	goldenfile "github.com/dockwright/dockwright/internal/golden"
)

func mustParse(t *testing.T, yml string) *Config {
	t.Helper()
	cfg, err := ParseConfig("test.yml", []byte(yml))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	return cfg
}

// golden compares got (JSON) with testdata/golden/name.json, indented so
// diffs are readable; -update rewrites the file.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	goldenfile.Equal(t, filepath.Join("testdata", "golden", name+".json"), pretty.Bytes())
}

func TestBuildGolden(t *testing.T) {
	tests := []struct {
		name string
		yml  string
	}{
		{"defaults", ``},
		{"aws_ec2_style", `
plugin: amazon.aws.aws_ec2
hostnames:
  - tag:Name
group_by_region: false
group_by_availability_zone: false
group_by_instance_type: false
group_by_key_pair: false
group_by_vpc_id: false
group_by_security_group: false
group_by_ami_id: false
group_by_platform: false
group_by_tag_keys: false
group_by_aws_account: false
keyed_groups:
  - key: tags.Service
    prefix: service
    parent_group: services
  - key: tags.Env
    prefix: env
  - key: tags.Team
    prefix: team
    default_value: unowned
  - key: placement.availability_zone
    separator: ""
  - key: tags
    prefix: tag
compose:
  ansible_host: private_ip_address
  ansible_user: "'deploy'"
  deploy_az: placement.availability_zone
groups:
  windows: platform == 'windows'
  prod_web: tags.Service == 'web' && tags.Env == 'prod'
group_vars:
  prod_web:
    http_port: 5000
`},
		{"ec2_py_shape", `
hostnames: [instance-id]
hostvars_format: ec2_py
use_contrib_script_compatible_sanitization: true
nested_groups: true
group_by_instance_id: true
group_by_instance_state: true
group_by_tag_none: true
tag_groups_exclude: []
`},
		{"prefix_suffix_and_full_hostvars", `
hostnames:
  - name: private-ip-address
    prefix: tag:Service
    separator: "-"
hostvars_prefix: aws_
hostvars_suffix: _x
hostvars_exclude: [launch_time]
group_by_tag_keys: false
compose:
  svc: tags.Service
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Build(mustParse(t, tt.yml), fixture())
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			var buf bytes.Buffer
			if err := WriteList(&buf, inv); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
			// The fast encoder must agree with encoding/json's reading of it.
			var back map[string]any
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
				t.Fatalf("invalid JSON: %v", err)
			}
			if _, ok := back["_meta"].(map[string]any)["hostvars"]; !ok {
				t.Error("no _meta.hostvars")
			}
		})
	}
}

func TestBuildRefuses(t *testing.T) {
	dupName := fixture()
	dupName[1].Tags[0].Value = "web-1" // two instances named web-1
	noAddr := fixture()
	noAddr[2].PrivateIP, noAddr[2].PrivateDNS = "", ""
	tests := []struct {
		name      string
		yml       string
		instances []Instance
		wantErr   error
		wantMsg   []string
	}{
		{"duplicate hostname names both instances", "hostnames: [tag:Name]\n", dupName, ErrDuplicateHostname,
			[]string{`"web-1"`, "i-0000000000000001", "i-0000000000000002"}},
		{"no hostname is an error, not a silent drop", "hostnames: [private-ip-address]\n", noAddr, ErrNoHostname,
			[]string{"i-0000000000000003", "missing_hostname: instance-id"}},
		{"runtime expression error names line and host", "compose:\n  x: tags.Service + 1\n", fixture(), ErrExpression,
			[]string{"test.yml:2", "compose.x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(mustParse(t, tt.yml), tt.instances)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestBuildMissingHostnameFallback(t *testing.T) {
	in := fixture()
	in[2].PrivateIP, in[2].PrivateDNS = "", ""
	inv, err := Build(mustParse(t, "hostnames: [private-ip-address]\nmissing_hostname: instance-id\n"), in)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range inv.Hosts {
		found = found || h.Name == "i-0000000000000003"
	}
	if !found || len(inv.Hosts) != len(in) {
		t.Errorf("fallback host missing: %d hosts", len(inv.Hosts))
	}
}

func TestPrivateOnlyHostsNeverVanish(t *testing.T) {
	// The defaults prefer public DNS (as aws_ec2 does) but must fall back to
	// private names for hosts that have no public address.
	inv, err := Build(mustParse(t, ""), fixture())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Hosts) != len(fixture()) {
		t.Fatalf("got %d hosts, want %d", len(inv.Hosts), len(fixture()))
	}
	for _, h := range inv.Hosts {
		if h.Vars["ansible_host"] == nil {
			t.Errorf("host %s has no ansible_host", h.Name)
		}
	}
}

func TestKeyedNames(t *testing.T) {
	sep := func(s string) *string { return &s }
	tests := []struct {
		name  string
		kg    KeyedGroup
		value any
		lead  bool
		want  []string
	}{
		{"string with prefix", KeyedGroup{Prefix: "svc"}, "web", true, []string{"svc_web"}},
		{"no prefix keeps leading separator (Ansible default)", KeyedGroup{}, "web", true, []string{"_web"}},
		{"no prefix without leading separator", KeyedGroup{}, "web", false, []string{"web"}},
		{"custom separator", KeyedGroup{Prefix: "az", Separator: sep("-")}, "us-east-1a", true, []string{"az-us-east-1a"}},
		{"list", KeyedGroup{Prefix: "sg"}, []any{"a", "b"}, true, []string{"sg_a", "sg_b"}},
		{"mapping", KeyedGroup{Prefix: "tag"}, map[string]any{"Env": "prod", "Role": "web"}, true, []string{"tag_Env_prod", "tag_Role_web"}},
		{"mapping empty value", KeyedGroup{Prefix: "tag", TrailingSeparator: ptr(false)}, map[string]any{"Team": ""}, true, []string{"tag_Team"}},
		{"nil without default makes no group", KeyedGroup{Prefix: "svc"}, nil, true, []string{}},
		{"nil with default", KeyedGroup{Prefix: "svc", DefaultValue: sep("none")}, nil, true, []string{"svc_none"}},
		{"number", KeyedGroup{Prefix: "n"}, 3, true, []string{"n_3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keyedNames(&tt.kg, tt.value, tt.lead)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, ansible, ec2py string }{
		{"us-east-1", "us_east_1", "us-east-1"},
		{"tag_Name_api.dev 1", "tag_Name_api_dev_1", "tag_Name_api_dev_1"},
		{"ok_name", "ok_name", "ok_name"},
		{"é", "_", "_"},
	}
	for _, tt := range tests {
		if got := sanitizeAnsible(tt.in); got != tt.ansible {
			t.Errorf("sanitizeAnsible(%q) = %q, want %q", tt.in, got, tt.ansible)
		}
		if got := sanitizeEC2Py(tt.in); got != tt.ec2py {
			t.Errorf("sanitizeEC2Py(%q) = %q, want %q", tt.in, got, tt.ec2py)
		}
	}
}

// TestDocumentedExpressions keeps docs/ec2-inventory.md's examples working.
func TestDocumentedExpressions(t *testing.T) {
	for _, src := range []string{"map(security_groups, .group_id)", "tags.Name contains 'web'", "lower(tags.Env)", "instance_type in ['t3.medium']", "tags['Service']"} {
		cfg := mustParse(t, "compose:\n  x: \""+src+"\"\n")
		inv, err := Build(cfg, fixture())
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if inv.Hosts[0].Vars["x"] == nil {
			t.Errorf("%s evaluated to nil", src)
		}
	}
}

func TestPrefixKeepsFieldsComposeReplaces(t *testing.T) {
	// compose may reuse a field's name; with hostvars_prefix the field must
	// still be printed under its prefixed name.
	cfg := mustParse(t, "hostvars_prefix: aws_\ncompose:\n  instance_type: \"'custom'\"\n")
	inv, err := Build(cfg, fixture())
	if err != nil {
		t.Fatal(err)
	}
	vars := inv.Hosts[0].Vars
	if vars["instance_type"] != "custom" || vars["aws_instance_type"] != "t3.medium" {
		t.Errorf("instance_type = %v, aws_instance_type = %v", vars["instance_type"], vars["aws_instance_type"])
	}
}

func TestBuildIsRepeatableAndConcurrent(t *testing.T) {
	cfg := mustParse(t, "keyed_groups:\n  - {key: tags.Service, prefix: service}\n")
	outs := make([]string, 4)
	done := make(chan struct{})
	for i := range outs {
		go func() {
			defer func() { done <- struct{}{} }()
			inv, err := Build(cfg, fixture())
			if err != nil {
				t.Error(err)
				return
			}
			var buf bytes.Buffer
			_ = WriteList(&buf, inv)
			outs[i] = buf.String()
		}()
	}
	for range outs {
		<-done
	}
	for i := range outs {
		if outs[i] != outs[0] {
			t.Fatalf("build %d differs from build 0", i)
		}
	}
}

// TestBuildAndWriteFailures: with strict, a failing expression stops the
// build with the error of the first failing host in name order; a writer
// failing part way through is reported by WriteList.
func TestBuildAndWriteFailures(t *testing.T) {
	srv := ec2fake.New(ec2fake.Generate("123456789012", 3000, "us-east-1", "eu-west-1"))
	defer srv.Close()
	const base = `regions: [us-east-1, eu-west-1]
keyed_groups:
  - {key: tags.Env, prefix: env}
`
	instances, err := fetchWith(t, srv, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("an expression failing on some hosts", func(t *testing.T) {
		_, err := Build(mustParse(t, base+"compose:\n  n: 'int(tags.Env == \"prod\" ? \"x\" : \"1\")'\n"), instances)
		if err == nil {
			t.Fatal("no error")
		}
		inv, err2 := Build(mustParse(t, base+"strict: false\ncompose:\n  n: 'int(tags.Env == \"prod\" ? \"x\" : \"1\")'\n"), instances)
		if err2 != nil || len(inv.Skipped) == 0 {
			t.Fatalf("strict: false: err %v, %d skipped", err2, len(inv.Skipped))
		}
		first := inv.Skipped[0].Name
		for _, h := range inv.Skipped[1:] {
			if h.Name < first {
				t.Fatalf("skipped hosts out of name order: %s before %s", first, h.Name)
			}
		}
		if !strings.Contains(err.Error(), first) {
			t.Errorf("strict error %q does not name the first failing host %s", err, first)
		}
	})
	t.Run("a writer failing after 200 KiB", func(t *testing.T) {
		inv, err := Build(mustParse(t, base), instances)
		if err != nil {
			t.Fatal(err)
		}
		w := &failingWriter{left: 200 << 10}
		if err := WriteList(w, inv); !errors.Is(err, errWriteFailed) {
			t.Errorf("WriteList: %v, want %v", err, errWriteFailed)
		}
	})
}

var errWriteFailed = errors.New("disk full")

// failingWriter fails once left bytes are written.
type failingWriter struct{ left int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, errWriteFailed
	}
	w.left -= len(p)
	return len(p), nil
}

// With strict: false a host whose expression fails is left out entirely
// (no variables, no group), and Skipped names it; the others are built.
func TestBuildNotStrictSkipsFailingHosts(t *testing.T) {
	in := fixture()
	in[2].Tags = append(in[2].Tags, Tag{"Port", "x"}) // api-1: int(tags.Port) fails
	for i := range in {
		if in[i].InstanceID != "i-0000000000000003" {
			in[i].Tags = append(in[i].Tags, Tag{"Port", "80"})
		}
	}
	cfg := mustParse(t, "strict: false\nhostnames: [tag:Name]\nkeyed_groups:\n  - {key: tags.Service, prefix: service}\ncompose:\n  port: int(tags.Port)\n")
	inv, err := Build(cfg, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range inv.Hosts {
		if h.Name == "api-1" {
			t.Fatalf("api-1 is in the inventory with %v", h.Vars)
		}
	}
	if len(inv.Hosts) != 4 {
		t.Errorf("%d hosts, want the 4 others", len(inv.Hosts))
	}
	for name, g := range inv.Groups {
		for _, h := range g.Hosts {
			if h == "api-1" {
				t.Errorf("api-1 is in group %s", name)
			}
		}
	}
	if len(inv.Skipped) != 1 || inv.Skipped[0].Name != "api-1" || inv.Skipped[0].InstanceID != "i-0000000000000003" ||
		!errors.Is(inv.Skipped[0].Err, ErrExpression) {
		t.Errorf("Skipped = %+v", inv.Skipped)
	}
	// strict (the default) fails the whole build instead.
	if _, err := Build(mustParse(t, "hostnames: [tag:Name]\ncompose:\n  port: int(tags.Port)\n"), in); !errors.Is(err, ErrExpression) {
		t.Errorf("strict: err = %v, want ErrExpression", err)
	}
}

// An expression reading a variable no host can have is an error naming it
// (file and line) with strict, a warning without; with hostvars_format:
// ec2_py the ec2_* names work.
func TestBuildUnknownVariables(t *testing.T) {
	plugin := fixture()
	plugin[0].Vars = map[string]any{"rack": "r1"}
	tests := []struct {
		name      string
		yml       string
		instances []Instance
		want      []string // in the error (strict) or the warnings
		group     string   // a group that must exist
	}{
		{"ec2.py tag name under aws_ec2", "keyed_groups:\n  - {key: ec2_tag_Service, prefix: service}\n", fixture(),
			[]string{"test.yml:2", "keyed_groups[0].key", "reads ec2_tag_Service", "(here: tags.Service)", "hostvars_format: ec2_py"}, ""},
		{"ec2.py field name", "compose:\n  az: ec2_placement\n", fixture(),
			[]string{"test.yml:2", "compose.az", "(here: placement.availability_zone)"}, ""},
		{"a typo", "groups:\n  web: tgas.Service == 'web'\n", fixture(),
			[]string{"test.yml:2", "groups.web", "reads tgas, a variable no host has"}, ""},
		{"an excluded field", "compose:\n  nics: len(network_interfaces)\n", fixture(),
			[]string{"reads network_interfaces, which hostvars_exclude leaves out"}, ""},
		{"known: fields, functions, let, composed and plugin variables", "compose:\n  a: lower(tags.Env)\n  b: let x = a; x + 'y'\n  c: rack ?? 'none'\n  d: ansible_host\n", plugin,
			nil, ""},
		{"ec2_py: ec2_* names work", "hostvars_format: ec2_py\nkeyed_groups:\n  - {key: ec2_tag_Service, prefix: service}\n  - {key: ec2_placement, prefix: az}\n", fixture(),
			nil, "service_web"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Build(mustParse(t, tt.yml), tt.instances)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if len(inv.Warnings) > 0 {
					t.Errorf("warnings: %v", inv.Warnings)
				}
				if tt.group != "" && len(inv.Groups[tt.group].Hosts) == 0 {
					t.Errorf("group %s is empty (groups %v)", tt.group, len(inv.Groups))
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("strict: err = %v, want ErrInvalidConfig", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			inv, err = Build(mustParse(t, "strict: false\n"+tt.yml), tt.instances)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(inv.Warnings, "\n"); !strings.Contains(got, tt.want[len(tt.want)-1]) {
				t.Errorf("strict: false: warnings %q lack %q", got, tt.want[len(tt.want)-1])
			}
		})
	}
}

// awsFieldNames and ec2PyFieldNames list exactly what the variable
// functions can produce (on an instance with every field set).
func TestFieldNameListsMatchTheVariables(t *testing.T) {
	in := fixture()[0]
	in.IAMProfileARN, in.Lifecycle, in.KernelID, in.PlatformDetails, in.IPv6Address = "arn:x", "spot", "aki-1", "Linux/UNIX", "::1"
	in.RamdiskID, in.RequesterID, in.StateTransitionReason, in.Platform, in.PlacementGroup = "ari-1", "req", "user", "windows", "pg"
	in.BlockDevices = []BlockDevice{{DeviceName: "/dev/xvda"}}
	in.NetworkInterfaces = []NetworkInterface{{ID: "eni-1"}}
	in.Tags = nil
	check := func(name string, got map[string]any, want []string) {
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(keys, w) {
			t.Errorf("%s: the function gives %v, the list says %v", name, keys, w)
		}
	}
	check("awsVars", awsVars(&in, nil), awsFieldNames)
	check("ec2PyVars", ec2PyVars(&in, nil), ec2PyFieldNames)
}
