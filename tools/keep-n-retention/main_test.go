package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
	"github.com/dockwright/dockwright/internal/dockertest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"keep-n-retention": main})
}

// TestScripts runs testdata/script/*.txtar on the real Docker Engine. The
// images live under $PREFIX (unique to this run, removed afterwards):
// $PREFIX/apply, /dry, /refuse, /lock and /notify with builds 1..5 each, and a
// running container on $PREFIX/apply:1 (a rollback). $NOTIFY is a
// notifiers file whose webhook writes $WORK/events.jsonl.
func TestScripts(t *testing.T) {
	e := dockertest.New(t)
	for _, repo := range []string{"apply", "dry", "refuse", "lock", "notify"} {
		for b := 1; b <= 5; b++ {
			e.Image(fmt.Sprintf("%s%d", repo, b), fmt.Sprintf("%s:%d", e.Repo(repo), b))
		}
	}
	e.Run("live", e.Repo("apply")+":1", false)
	kit := clitest.BuildNotifyKit(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			if err := kit.Setup(env); err != nil {
				return err
			}
			env.Setenv("PREFIX", e.Prefix)
			env.Setenv("DOCKWRIGHT_LOCK_FILE", filepath.Join(env.WorkDir, "dockwright.lock"))
			return nil
		},
		Cmds: clitest.Cmds(),
	})
}
