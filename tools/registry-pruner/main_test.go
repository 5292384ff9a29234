package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
	"github.com/dockwright/dockwright/internal/ecrfake"
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
// $REGISTRY/pushed and $REGISTRY_V2/pushed hold builds 1..6 as image-tagger
// push writes them (N and git-000000N) and hand-made on build 2.
// $NOTIFY is a notifiers file whose webhook writes $WORK/events.jsonl.
// $ECR is an Amazon ECR registry host served by internal/ecrfake through
// AWS_ENDPOINT_URL_ECR, holding ecr-plan, ecr-apply and ecr-json in the same
// shape (with git-<sha7> commit tags), and many (250 builds).
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
	// "pushed": builds 1..6 as image-tagger push writes them (the build
	// number and git-000000N on one image), and a tag of someone else's,
	// hand-made, on build 2.
	for _, host := range []string{v3.Host, v2.Host} {
		for b := 1; b <= 6; b++ {
			rt.Push(t, host, "pushed", rt.Image(t), fmt.Sprint(b), fmt.Sprintf("git-%07d", b))
		}
		d, err := remote.Get(rt.Ref(t, host+"/pushed:2"))
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Put(rt.Ref(t, host+"/pushed:hand-made"), d); err != nil {
			t.Fatal(err)
		}
	}
	ecr := ecrfake.Start()
	t.Cleanup(ecr.Close)
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []string{"ecr-plan", "ecr-apply", "ecr-json"} {
		ecr.Service(r, 14, at)
	}
	ecr.Service("many", 250, at)
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
			env.Setenv("ECR", ecrfake.Account+".dkr.ecr.us-east-1.amazonaws.com")
			for _, kv := range ecr.Env() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("DOCKER_CONFIG", filepath.Join(env.WorkDir, ".docker"))
			return os.MkdirAll(filepath.Join(env.WorkDir, ".docker"), 0o700)
		},
		Cmds: clitest.Cmds(),
	})
}
