package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		yml  string
		want string // substring of the error, which must also name file and line
	}{
		{"unknown option", "regions: [us-east-1]\nhostname: [dns-name]\n", "test.yml:2: unknown option hostname"},
		{"wrong type", "concurrency: many\n", "test.yml:1: cannot unmarshal"},
		{"bad hostname preference", "hostnames:\n  - dns-name\n  - public-name\n", `test.yml:3: hostnames[1] "public-name"`},
		{"bad hostvars_format", "hostvars_format: ec2ini\n", `test.yml:1: hostvars_format "ec2ini"`},
		{"all mixed with names", "regions: [all, us-east-1]\n", "test.yml:1: regions"},
		{"role is not an ARN", "assume_roles:\n  - role_arn: prod\n", `test.yml:2: assume_roles[0].role_arn "prod"`},
		{"both role options", "iam_role_arn: arn:aws:iam::1:role/x\nassume_roles:\n  - role_arn: arn:aws:iam::2:role/y\n", "test.yml:1: set iam_role_arn or assume_roles"},
		{"filter value is a mapping", "filters:\n  tag:Env:\n    a: b\n", `test.yml:3: filter "tag:Env"`},
		{"expression does not compile", "keyed_groups:\n  - key: tags.(Service\n", "test.yml:2: keyed_groups[0].key"},
		{"compose expression does not compile", "compose:\n  ansible_user: \"'a' +\"\n", "test.yml:2: compose.ansible_user"},
		{"negative cache_timeout", "cache: true\ncache_timeout: -1\n", "test.yml:2: cache_timeout"},
		{"foreign cache plugin", "cache_plugin: redis\n", "test.yml:1: cache_plugin"},
		{"yaml syntax", "regions: [us-east-1\n", "test.yml:"},
		{"other plugin", "plugin: gcp_compute\n", "test.yml:1: plugin"},
		{"two profile aliases", "regions: all\naws_profile: a\nboto_profile: b\n", "test.yml:3: set only one of profile"},
		{"default_value with trailing_separator", "keyed_groups:\n  - key: tags\n    default_value: x\n    trailing_separator: false\n", "test.yml:2: keyed_groups[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("test.yml", []byte(tt.yml))
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseConfigAccepts(t *testing.T) {
	cfg, err := ParseConfig("test.yml", []byte(`
plugin: amazon.aws.aws_ec2
regions: us-east-1, eu-west-1
regions_exclude: [us-gov-west-1]
aws_profile: prod
filters:
  instance-state-name: [running, stopped]
  tag:Env: prod
include_filters:
  - tag:Role: bastion
hostnames:
  - tag:Name=web
  - name: private-ip-address
    prefix: tag:Service
cache: true
cache_plugin: jsonfile
cache_timeout: 60
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Regions.Names, ","); got != "us-east-1,eu-west-1" || cfg.Regions.All {
		t.Errorf("regions = %q all=%v", got, cfg.Regions.All)
	}
	if cfg.profile() != "prod" {
		t.Errorf("profile = %q", cfg.profile())
	}
	if len(cfg.Filters.List) != 2 || cfg.Filters.List[0].Values[1] != "stopped" {
		t.Errorf("filters = %+v", cfg.Filters)
	}
	if cfg.CacheTTL().Seconds() != 60 {
		t.Errorf("ttl = %v", cfg.CacheTTL())
	}
	if _, err := ParseConfig("empty.yml", nil); err != nil {
		t.Fatalf("an empty config is all defaults: %v", err)
	}
}

func TestLocateConfig(t *testing.T) {
	cwd, exeDir := t.TempDir(), t.TempDir()
	exe := filepath.Join(exeDir, "ec2-inventory")
	write := func(dir string) string {
		p := filepath.Join(dir, ConfigFileName)
		if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := LocateConfig("", "", cwd, exe); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("nothing anywhere: err = %v", err)
	}
	besideExe := write(exeDir)
	tests := []struct {
		name, flag, env, want string
	}{
		{"beside the executable", "", "", besideExe},
		{"env beats files", "", "/etc/inv.yml", "/etc/inv.yml"},
		{"flag beats env", "/x/inv.yml", "/etc/inv.yml", "/x/inv.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LocateConfig(tt.flag, tt.env, cwd, exe)
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	inCwd := write(cwd)
	if got, _ := LocateConfig("", "", cwd, exe); got != inCwd {
		t.Errorf("working directory should win over the executable's: got %q", got)
	}
}
