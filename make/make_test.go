// Package makefragment tests make/docker.mk and make/dwmake as a service's
// Makefile uses them, with the steps they run replaced by stubs that exit
// with a chosen code.
package makefragment

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// stub writes an executable script at dir/name that exits with code (after
// saying so on stderr).
func stub(t *testing.T, dir, name string, code int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	// $STUB_WRITES, when set, goes to $DOCKWRIGHT_EXIT_FILE first, as
	// promote.yml writes image-tagger's code there.
	body := "#!/bin/sh\necho \"" + name + " stub: exit " + itoa(code) + "\" >&2\n" +
		"[ -z \"$STUB_WRITES\" ] || [ -z \"$DOCKWRIGHT_EXIT_FILE\" ] || echo \"$STUB_WRITES\" > \"$DOCKWRIGHT_EXIT_FILE\"\n" +
		"[ -z \"$STUB_ARGS\" ] || printf '%s\\n' \"$@\" > \"$STUB_ARGS\"\n" +
		"exit " + itoa(code) + "\n"
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }

// run runs make/dwmake (or plain make) in a service directory whose
// Makefile includes docker.mk, with ansible-playbook a stub exiting
// ansible and IMAGE_TAGGER one exiting tagger.
func run(t *testing.T, wrapper bool, tagger, ansible int, writes string, args ...string) (int, string) {
	t.Helper()
	root, _ := filepath.Abs("..")
	svc, bin := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(svc, "Makefile"), []byte("SERVICE := web\nDOCKWRIGHT := "+root+"\ninclude $(DOCKWRIGHT)/make/docker.mk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stub(t, bin, "ansible-playbook", ansible)
	tag := stub(t, bin, "image-tagger", tagger)
	cmd := exec.Command("make", append([]string{"-s", "-C", svc, "IMAGE_TAGGER=" + tag, "INVENTORY=/dev/null"}, args...)...)
	if wrapper {
		cmd = exec.Command(filepath.Join(root, "make/dwmake"), cmd.Args[1:]...)
	}
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STUB_WRITES="+writes)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// dwmake exits with the failing step's own code (ansible-playbook's mapped
// onto dockwright's), where make alone exits 2 for every failure.
func TestDwmakePassesTheStepsCode(t *testing.T) {
	tests := []struct {
		name            string
		tagger, ansible int
		writes          string // what the playbook stub writes to $DOCKWRIGHT_EXIT_FILE
		args            []string
		want            int
		says            string
	}{
		{"success", 0, 0, "", []string{"versions"}, 0, ""},
		{"registry unreachable", 1, 0, "", []string{"versions"}, 1, "dwmake: versions failed with exit code 1"},
		{"bad input to image-tagger", 2, 0, "", []string{"docker-push", "BUILD_NUMBER=5"}, 2, "dwmake: docker-push failed with exit code 2"},
		{"push without BUILD_NUMBER", 0, 0, "", []string{"docker-push", "BUILD_NUMBER="}, 2, "BUILD_NUMBER is not set"},
		{"promote without BUILD", 0, 0, "", []string{"promote", "ENV=prod"}, 2, "promote needs BUILD=N"},
		{"a host failed its deploy", 0, 2, "", []string{"rollback", "ENV=dev"}, 3, "dwmake: rollback failed with exit code 3"},
		{"the rollout broke off", 0, 10, "", []string{"rollback", "ENV=dev"}, 3, "exit code 3"},
		{"hosts unreachable", 0, 4, "", []string{"rollback", "ENV=dev"}, 1, "dwmake: rollback failed with exit code 1"},
		{"bad ansible options", 0, 5, "", []string{"rollback", "ENV=dev"}, 2, "dwmake: rollback failed with exit code 2"},
		{"promote.yml: a host failed after the promotion", 0, 2, "", []string{"promote", "BUILD=5", "ENV=prod"}, 3, "dwmake: promote failed with exit code 3"},
		{"promote.yml: image-tagger refused the build", 0, 2, "2 promote", []string{"promote", "BUILD=99", "ENV=prod"}, 2, "dwmake: promote failed with exit code 2"},
		{"promote.yml: the registry was down", 0, 2, "1 promote", []string{"promote", "BUILD=5", "ENV=prod"}, 1, "dwmake: promote failed with exit code 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := run(t, true, tt.tagger, tt.ansible, tt.writes, tt.args...)
			if code != tt.want || !strings.Contains(out, tt.says) {
				t.Errorf("dwmake %v: exit %d, want %d; output:\n%s", tt.args, code, tt.want, out)
			}
			// make alone: 2 for any failure, as docs/jenkins.md says.
			code, out = run(t, false, tt.tagger, tt.ansible, tt.writes, tt.args...)
			if want := map[bool]int{true: 0, false: 2}[tt.want == 0]; code != want {
				t.Errorf("make %v: exit %d, want %d; output:\n%s", tt.args, code, want, out)
			}
		})
	}
}

// The rollout's make variables reach ansible-playbook as the playbooks'
// variables; LIMIT adds localhost (where the rollout's control steps run).
func TestRolloutVariables(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // consecutive arguments ansible-playbook gets
		not  string
	}{
		{"none: the playbooks' defaults", []string{"converge", "ENV=prod"}, []string{"-e", "env=prod"}, "--limit"},
		{"all of them", []string{"converge", "ENV=prod", "ZONES=false", "BATCH=2", "BAKE=30", "MIN_HEALTHY=66%", "ROLLBACK_ON_FAILURE=true", "LOCK_WAIT=1m"},
			[]string{"-e", "zones=false", "-e", "batch=2", "-e", "bake=30", "-e", "min_healthy=66%", "-e", "rollback_on_failure=true", "-e", "lock_wait=1m"}, ""},
		{"LIMIT adds localhost", []string{"rollback", "ENV=prod", "LIMIT=az_us_east_1a"}, []string{"--limit", "az_us_east_1a,localhost"}, ""},
		{"converge runs converge.yml", []string{"converge", "ENV=prod"}, []string{"-e", "service=web", "-e", "env=prod"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argsFile := filepath.Join(t.TempDir(), "args")
			t.Setenv("STUB_ARGS", argsFile)
			if code, out := run(t, true, 0, 0, "", tt.args...); code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			raw, err := os.ReadFile(argsFile)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(strings.Split(strings.TrimSpace(string(raw)), "\n"), " ")
			if !strings.Contains(got, strings.Join(tt.want, " ")) {
				t.Errorf("ansible-playbook %s\nwant %s in it", got, strings.Join(tt.want, " "))
			}
			if tt.not != "" && strings.Contains(got, tt.not) {
				t.Errorf("ansible-playbook %s\nhas %s", got, tt.not)
			}
			if tt.args[0] == "converge" && !strings.Contains(got, "/converge.yml") {
				t.Errorf("make converge ran %s", got)
			}
		})
	}
}
