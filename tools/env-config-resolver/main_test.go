package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
	"github.com/dockwright/dockwright/internal/ssmfake"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"env-config-resolver": main})
}

// TestScripts runs testdata/script/*.txtar; each script carries its own
// bundle and catalog. dockwright-plugin-host is on $PATH (not on
// $PATH_WITHOUT_HELPER), and the AWS SDK's environment points at an SSM
// endpoint holding /app/db/password and /shared/api-key.
func TestScripts(t *testing.T) {
	// The plugin host helper and the shipped secrets-dotenv plugin, for
	// plugin.txtar ($PATH and $DOCKWRIGHT_PLUGIN_DIR).
	bin, plugins := t.TempDir(), t.TempDir()
	clitest.Build(t, filepath.Join(bin, "dockwright-plugin-host"), "../dockwright-plugin-host")
	clitest.Build(t, filepath.Join(plugins, "dockwright-plugin-secrets-dotenv"), "../../plugins/secrets-dotenv")
	// An SSM endpoint for ssm.txtar (ref+awsssm:// resolves in the helper).
	ssm := ssmfake.Start(map[string]string{"/app/db/password": "s3cret", "/shared/api-key": "k-123"})
	t.Cleanup(ssm.Close)
	raw, _ := os.ReadFile(filepath.Join(plugins, "dockwright-plugin-secrets-dotenv"))
	pin := fmt.Sprintf("%x", sha256.Sum256(raw))
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH_WITHOUT_HELPER", env.Getenv("PATH"))
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			for _, kv := range ssm.Env() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("DOCKWRIGHT_PLUGIN_DIR", plugins)
			env.Setenv("DOTENV_SHA256", pin)
			for _, v := range []string{"APP_ENV", "RAILS_ENV", "RACK_ENV", "NODE_ENV"} {
				env.Setenv(v, "")
			}
			return nil
		},
		Cmds: clitest.Cmds(),
	})
}

// TestExecForwardsSignalsAndStatus runs the real binary as an entrypoint:
// the child sees the configuration in its environment, gets the SIGTERM
// sent to the resolver, and its exit status comes back.
func TestExecForwardsSignalsAndStatus(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "env-config-resolver")
	clitest.Build(t, bin, ".")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "default.yml"), []byte("db:\n  host: localhost\n  password: ref+env://SECRET\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "prod.yml"), []byte("db:\n  host: db.prod\n"), 0o644)
	script := `echo "host=$DB_HOST env=$APP_ENV pw=$DB_PASSWORD"; trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.05; done`
	cmd := exec.Command(bin, "exec", "--dir", dir, "--env", "prod", "--", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "SECRET=hunter2")
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if sc.Text() == "ready" {
			break
		}
	}
	time.Sleep(100 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 42 {
		t.Fatalf("exit = %v, want status 42; stderr: %s", err, stderr.String())
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{"host=db.prod env=prod pw=hunter2", "got-term"} {
		if !strings.Contains(got, want) {
			t.Errorf("child output %q lacks %q", got, want)
		}
	}
	if strings.Contains(stderr.String(), "hunter2") {
		t.Error("the secret reached stderr")
	}
}
