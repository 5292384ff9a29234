package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"registry-pruner": main})
}

// TestScripts runs testdata/script/*.txtar. Each script prunes its own
// repositories, seeded with rt.Service's shape (builds 1..n; prod shares
// build 3's digest, feature-x build 2's, build 4 is a multi-arch index,
// staging on build n): on $REGISTRY (v3) and $REGISTRY_V2 (2.8), and
// $CATALOG_REGISTRY (v3) holds only catalog-a and catalog-b for the
// _catalog scope. $AUTH_REGISTRY needs credentials the scripts lack.
// $NOTIFY is a notifiers file whose webhook writes $WORK/events.jsonl.
func TestScripts(t *testing.T) {
	v3 := rt.Start(t, rt.V3)
	v2 := rt.Start(t, rt.V2)
	whole := rt.Start(t, rt.V3)
	auth := rt.Start(t, rt.V2, rt.WithBasicAuth("jenkins", "s3cret"))
	for _, r := range []struct {
		host, repo string
		n          int
	}{
		{v3.Host, "plan", 14}, {v2.Host, "plan", 14},
		{v3.Host, "apply", 14}, {v2.Host, "apply", 14}, {v3.Host, "apply-digest", 14}, {v2.Host, "apply-digest", 14},
		{v3.Host, "json", 8},
		{v3.Host, "team/web", 12}, {v3.Host, "team/api", 12},
		{whole.Host, "catalog-a", 6}, {whole.Host, "catalog-b", 6},
	} {
		rt.Service(t, r.host, r.repo, r.n)
	}
	rt.Service(t, v3.Host, "notified", 6)
	kit := clitest.BuildNotifyKit(t)
	rt.Push(t, v3.Host, "refuse", rt.Image(t), "1")
	rt.Push(t, v3.Host, "refuse", rt.Image(t), "2")
	rt.Push(t, v3.Host, "refuse", rt.Image(t), "3")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			if err := kit.Setup(env); err != nil {
				return err
			}
			env.Setenv("REGISTRY", v3.Host)
			env.Setenv("REGISTRY_V2", v2.Host)
			env.Setenv("CATALOG_REGISTRY", whole.Host)
			env.Setenv("AUTH_REGISTRY", auth.Host)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("DOCKER_CONFIG", filepath.Join(env.WorkDir, ".docker"))
			return os.MkdirAll(filepath.Join(env.WorkDir, ".docker"), 0o700)
		},
		Cmds: clitest.Cmds(),
	})
}
