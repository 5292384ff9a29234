package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"dockwright-plugin-host": main})
}

// TestScripts runs testdata/script/*.txtar: the helper's own interface
// (its plugin calls are tested through the binaries that use it).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("DOCKWRIGHT_PLUGIN_DIR", env.WorkDir+"/plugins")
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
		Cmds: clitest.Cmds(),
	})
}
