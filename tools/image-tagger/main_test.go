package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
	"github.com/dockwright/dockwright/internal/dockertest"
	"github.com/dockwright/dockwright/internal/ecrfake"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"image-tagger": main})
}

// TestScripts runs testdata/script/*.txtar against real registries:
// $REGISTRY (v3) holds web (builds 1..12: prod on 3, feature-x on 2, an
// index on 4, staging on 12) and promo (the same shape, for scripts that
// promote); $REGISTRY_V2 (2.8) holds web too; $IMAGE is a local image in
// the real Docker Engine (also tagged $CANDIDATE), removed afterwards; $AUTH_REGISTRY (2.8, basic
// auth jenkins:s3cret) holds web, and $DOCKER_CONFIG has no credentials.
// $NOTIFY is a notifiers file whose webhook writes $WORK/events.jsonl.
// $ECR is an Amazon ECR registry host served by internal/ecrfake through
// AWS_ENDPOINT_URL_ECR: web (as on $REGISTRY), promo, and locked (tag
// immutability IMMUTABLE, builds 1..3, prod on 1); $ECR_PUSH_REGISTRY (2.8)
// takes the ECR token (user AWS) as its basic-auth password.
// $PATH_WITHOUT_HELPER is $PATH without dockwright-plugin-host.
func TestScripts(t *testing.T) {
	v3 := rt.Start(t, rt.V3)
	v2 := rt.Start(t, rt.V2)
	auth := rt.Start(t, rt.V2, rt.WithBasicAuth("jenkins", "s3cret"))
	rt.Service(t, v3.Host, "web", 12)
	rt.Service(t, v3.Host, "promo", 6)
	rt.Service(t, v3.Host, "promo2", 6)
	rt.Service(t, v3.Host, "notified", 4)
	rt.Service(t, v2.Host, "web", 12)
	ecr := ecrfake.Start()
	t.Cleanup(ecr.Close)
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ecr.Service("web", 12, at)
	ecr.Service("promo", 6, at)
	ecr.CreateRepository("locked", ecrfake.Immutable)
	ecr.Service("locked", 3, at)
	ecrPush := rt.Start(t, rt.V2, rt.WithBasicAuth("AWS", ecrfake.Password))
	kit := clitest.BuildNotifyKit(t)
	e := dockertest.New(t)
	img := e.Image("push", e.Repo("candidate")+":latest")
	withDockerConfig(t, `{"auths":{"`+auth.Host+`":{"auth":"amVua2luczpzM2NyZXQ="}}}`, func() {
		rt.Service(t, auth.Host, "web", 3)
	})
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH_WITHOUT_HELPER", env.Getenv("PATH"))
			if err := kit.Setup(env); err != nil {
				return err
			}
			env.Setenv("REGISTRY", v3.Host)
			env.Setenv("REGISTRY_V2", v2.Host)
			env.Setenv("AUTH_REGISTRY", auth.Host)
			env.Setenv("ECR", ecrfake.Account+".dkr.ecr.us-east-1.amazonaws.com")
			env.Setenv("ECR_PUSH_REGISTRY", ecrPush.Host)
			for _, kv := range ecr.Env() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("IMAGE", img)
			env.Setenv("CANDIDATE", e.Repo("candidate")+":latest")
			env.Setenv("PREFIX", e.Prefix)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("DOCKER_CONFIG", filepath.Join(env.WorkDir, ".docker"))
			return os.MkdirAll(filepath.Join(env.WorkDir, ".docker"), 0o700)
		},
		Cmds: clitest.Cmds(),
	})
}

func withDockerConfig(t *testing.T, json string, f func()) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	old, had := os.LookupEnv("DOCKER_CONFIG")
	os.Setenv("DOCKER_CONFIG", dir)
	defer func() {
		if had {
			os.Setenv("DOCKER_CONFIG", old)
		} else {
			os.Unsetenv("DOCKER_CONFIG")
		}
	}()
	f()
}
