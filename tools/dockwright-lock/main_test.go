package main

import (
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"dockwright-lock": main})
}

// TestScripts runs testdata/script/*.txtar; each script's locks live in
// $WORK/locks.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("DOCKWRIGHT_LOCK_DIR", filepath.Join(env.WorkDir, "locks"))
			return nil
		},
		Cmds: clitest.Cmds(),
	})
}
