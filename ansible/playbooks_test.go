// Package ansible tests the playbooks and roles of ansible/ with the real
// ansible-playbook: their syntax, and that each playbook refuses to run
// without its inputs (a deploy of no service would otherwise succeed on
// no host). The roles' behaviour on real hosts is tested end to end
// (demo/e2e_test.go, on a fleet of SSH hosts).
package ansible

import (
	"os"
	"os/exec"
	"path/filepath"
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
	for _, p := range []string{"deploy.yml", "promote.yml", "rollback.yml", "registry.yml", "bootstrap.yml"} {
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
