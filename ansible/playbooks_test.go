// Package ansible tests the playbooks and roles of ansible/ with the real
// ansible-playbook: their syntax, and that each playbook refuses to run
// without its inputs (a deploy of no service would otherwise succeed on
// no host). The roles' behaviour on real hosts is tested end to end
// (demo/e2e_test.go, on a fleet of SSH hosts).
package ansible

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func playbook(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Fatal("ansible-playbook not found: install Ansible (apt-get install -y ansible); make test and .ci/run do")
	}
	cmd := exec.Command("ansible-playbook", args...)
	cmd.Env = append(os.Environ(), "ANSIBLE_CONFIG="+filepath.Join(mustAbs(t, "."), "ansible.cfg"), "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_LOCAL_TEMP="+t.TempDir(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPlaybooksParse(t *testing.T) {
	for _, p := range []string{"deploy.yml", "promote.yml", "rollback.yml", "converge.yml", "registry.yml", "bootstrap.yml"} {
		t.Run(p, func(t *testing.T) {
			if out, err := playbook(t, "-i", "localhost,", "--syntax-check", p); err != nil {
				t.Errorf("%s: %v\n%s", p, err, out)
			}
		})
	}
}

// Each playbook stops, naming what it needs, when an input is missing.
func TestPlaybooksRefuseMissingInputs(t *testing.T) {
	tests := []struct {
		playbook string
		args     []string
		want     string
	}{
		{"deploy.yml", []string{"-e", "service=web", "-e", "env=prod"}, "deploy.yml needs -e service=NAME -e env=ENV -e build=N -e image_pinned="},
		{"deploy.yml", nil, "deploy.yml needs"},
		{"rollback.yml", []string{"-e", "service=web"}, "rollback.yml needs -e service=NAME -e env=ENV"},
		{"promote.yml", []string{"-e", "service=web", "-e", "env=prod", "-e", "build=3"}, "promote.yml needs"},
	}
	for _, tt := range tests {
		t.Run(tt.playbook+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			out, err := playbook(t, append([]string{"-i", "localhost,", tt.playbook}, tt.args...)...)
			if err == nil || !strings.Contains(out, tt.want) {
				t.Errorf("%s: %v\n%s", tt.playbook, err, out)
			}
		})
	}
}

// The filters of filter_plugins/dockwright.py, run by Ansible itself:
// each case's expression is rendered by a play and compared as JSON.
func TestFilters(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"zone by zone, whole zones",
			`['a1','a2','b1','b2','c1','c2'] | dockwright_rollout_plan(['us-east-1a','us-east-1a','us-east-1b','us-east-1b','us-east-1c','us-east-1c'], '100%')`,
			`{"order":["a1","a2","b1","b2","c1","c2"],"serial":[2,2,2],"zone_last":["a2","b2","c2"],"zones":{"us-east-1a":["a1","a2"],"us-east-1b":["b1","b2"],"us-east-1c":["c1","c2"]},"min_healthy":0}`},
		{"zones in name order, inventory order within",
			`['c1','a2','a1'] | dockwright_rollout_plan(['z-c','z-a','z-a'], 1)`,
			`{"order":["a2","a1","c1"],"serial":[1,1,1],"zone_last":["a1","c1"],"zones":{"z-a":["a2","a1"],"z-c":["c1"]},"min_healthy":0}`},
		{"batch within a zone",
			`['a1','a2','a3','b1'] | dockwright_rollout_plan(['a','a','a','b'], 2)`,
			`{"order":["a1","a2","a3","b1"],"serial":[2,1,1],"zone_last":["a3","b1"],"zones":{"a":["a1","a2","a3"],"b":["b1"]},"min_healthy":0}`},
		{"without zones, batches over all hosts",
			`['a1','b1','a2'] | dockwright_rollout_plan(['a','b','a'], 2, false, '33%')`,
			`{"order":["a1","b1","a2"],"serial":[2,1],"zone_last":[],"zones":{},"min_healthy":1}`},
		{"min_healthy as a count",
			`'4' | dockwright_min_healthy(6)`, `4`},
		{"min_healthy as a percentage, rounded up",
			`'66%' | dockwright_min_healthy(6)`, `4`},
		{"min_healthy 0% is none",
			`'0%' | dockwright_min_healthy(6)`, `0`},
		{"a small percentage batch is at least one host",
			`['a1','a2','a3'] | dockwright_rollout_plan(['a','a','a'], '10%')`,
			`{"order":["a1","a2","a3"],"serial":[1,1,1],"zone_last":["a3"],"zones":{"a":["a1","a2","a3"]},"min_healthy":0}`},
		{"rollback target: newest older build every host has",
			`5 | dockwright_rollback_target([['2','3','4','5'],['3','4','5'],['4','3']], [])`, `4`},
		{"rollback target: hosts disagree, the registry has it",
			`5 | dockwright_rollback_target([['4','5'],['3','5']], [1, 3])`, `3`},
		{"rollback target: none older",
			`3 | dockwright_rollback_target([['3']], [3, 4])`, `0`},
		{"builds of a repository, with their digests",
			`[{'RepoTags':['r/x:3','r/x:git-abc','r/y:4'],'RepoDigests':['r/x@sha256:aa']},{'RepoTags':['r/x:4','r/x:04'],'RepoDigests':[]}] | dockwright_builds('r/x')`,
			`{"3":"r/x@sha256:aa","4":""}`},
		{"digest on the first host that has one",
			`[{'3':''},{'4':'r@sha256:bb'},{'3':'r@sha256:cc'}] | dockwright_digest_on_hosts(3)`, `"r@sha256:cc"`},
	}
	dir := t.TempDir()
	var play strings.Builder
	play.WriteString("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n")
	for i, tt := range tests {
		fmt.Fprintf(&play, "    - ansible.builtin.copy:\n        content: \"{{ (%s) | to_json }}\"\n        dest: %s\n",
			strings.ReplaceAll(tt.expr, `"`, `\"`), filepath.Join(dir, strconv.Itoa(i)))
	}
	pb := filepath.Join(dir, "filters.yml")
	if err := os.WriteFile(pb, []byte(play.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := playbook(t, "-i", "localhost,", pb); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(i)))
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatalf("%s: %v", got, err)
			}
			json.Unmarshal([]byte(tt.want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s\n got %s\nwant %s", tt.expr, got, tt.want)
			}
		})
	}
}

// The filters refuse what cannot be done, naming the input.
func TestFiltersRefuse(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"min_healthy that no batch keeps", `['a','b'] | dockwright_rollout_plan(['z','z'], '100%', true, 1)`, "min_healthy 1 (1 of 2 hosts) cannot be kept while a batch of 2 host(s) is out of the pool"},
		{"a batch that is not a count", `['a'] | dockwright_rollout_plan(['z'], 'two')`, "batch 'two': want a count (2) or a percentage (50%)"},
		{"a min_healthy over 100%", `'150%' | dockwright_min_healthy(6)`, "min_healthy '150%': want a count (4) or a percentage (66%)"},
		{"a batch of 0", `['a'] | dockwright_rollout_plan(['z'], 0)`, "batch 0: want a count (2) or a percentage (50%)"},
		{"a batch of 0%", `['a'] | dockwright_rollout_plan(['z'], '0%')`, "batch '0%': want a count (2) or a percentage (50%)"},
		{"a negative min_healthy", `-1 | dockwright_min_healthy(6)`, "min_healthy -1: want a count (4) or a percentage (66%)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pb := filepath.Join(t.TempDir(), "refuse.yml")
			os.WriteFile(pb, []byte("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug:\n        msg: \"{{ "+tt.expr+" }}\"\n"), 0o644)
			out, err := playbook(t, "-i", "localhost,", pb)
			if err == nil || !strings.Contains(out, tt.want) {
				t.Errorf("%v\n%s", err, out)
			}
		})
	}
}

// dockwright_host's ECR part, run by Ansible on this machine against a
// Docker config in a temporary directory: it names Debian's real
// amazon-ecr-credential-helper for each ECR registry, keeps every other
// key of the config, changes nothing on a second run, and writes nothing
// in check mode.
func TestHostRoleConfiguresECRHelper(t *testing.T) {
	if _, err := exec.LookPath("docker-credential-ecr-login"); err != nil {
		t.Fatal("docker-credential-ecr-login not found: apt-get install -y amazon-ecr-credential-helper (make test-deps and .ci/run do)")
	}
	const regs = `["111111111111.dkr.ecr.eu-west-1.amazonaws.com", "222222222222.dkr.ecr.us-east-1.amazonaws.com"]`
	run := func(t *testing.T, config string, extra ...string) string {
		pb := filepath.Join(t.TempDir(), "ecr.yml")
		os.WriteFile(pb, []byte(`- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: dockwright_host
        tasks_from: ecr
      vars:
        dockwright_host_install_packages: false
        dockwright_host_docker_config: `+config+`
        dockwright_host_ecr_registries: `+regs+`
`), 0o644)
		out, err := playbook(t, append([]string{"-i", "localhost,", pb}, extra...)...)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return out
	}
	changed := func(out string) int {
		i := strings.Index(out, "changed=")
		if i < 0 {
			return -1
		}
		n, _ := strconv.Atoi(strings.Fields(out[i+len("changed="):])[0])
		return n
	}
	tests := []struct {
		name   string
		before string // "" : no config yet
		want   map[string]any
	}{
		{"no Docker config yet", "", map[string]any{"credHelpers": map[string]any{
			"111111111111.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login", "222222222222.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"}}},
		{"a config with logins and other helpers", `{"auths":{"registry.internal:5000":{"auth":"eDp5"}},"credHelpers":{"gcr.io":"gcloud"}}`, map[string]any{
			"auths": map[string]any{"registry.internal:5000": map[string]any{"auth": "eDp5"}},
			"credHelpers": map[string]any{"gcr.io": "gcloud",
				"111111111111.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login", "222222222222.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := filepath.Join(t.TempDir(), "docker", "config.json")
			if tt.before != "" {
				os.MkdirAll(filepath.Dir(config), 0o700)
				os.WriteFile(config, []byte(tt.before), 0o600)
			}
			run(t, config, "--check")
			if raw, _ := os.ReadFile(config); string(raw) != tt.before && !(tt.before == "" && raw == nil) {
				t.Fatalf("check mode wrote the config:\n%s", raw)
			}
			if out := run(t, config); changed(out) < 1 {
				t.Errorf("first run changed nothing:\n%s", out)
			}
			raw, err := os.ReadFile(config)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("config is not JSON: %v\n%s", err, raw)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("config = %v, want %v", got, tt.want)
			}
			if out := run(t, config); changed(out) != 0 {
				t.Errorf("second run changed something:\n%s", out)
			}
		})
	}
}
