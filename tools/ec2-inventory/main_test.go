package main

import (
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
	"github.com/dockwright/dockwright/internal/ec2fake"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"ec2-inventory": main})
}

// TestScripts runs testdata/script/*.txtar against a fake EC2 endpoint
// ($FAKE_EC2: 12 instances over us-east-1 and eu-west-1) and one where
// eu-west-1 denies access ($FAKE_EC2_DENIED).
func TestScripts(t *testing.T) {
	ok := ec2fake.New(ec2fake.Generate("123456789012", 12, "us-east-1", "eu-west-1"))
	t.Cleanup(ok.Close) // scripts run in parallel after this function returns
	deniedFleet := ec2fake.Generate("123456789012", 12, "us-east-1", "eu-west-1")
	deniedFleet.Deny = map[string]bool{"123456789012/eu-west-1": true}
	denied := ec2fake.New(deniedFleet)
	t.Cleanup(denied.Close)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Scripts choose the endpoint: env AWS_ENDPOINT_URL=$FAKE_EC2.
			for _, kv := range ec2fake.ClientEnv("") {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("FAKE_EC2", ok.URL)
			env.Setenv("FAKE_EC2_DENIED", denied.URL)
			env.Setenv("XDG_CACHE_HOME", env.WorkDir+"/.cache")
			return nil
		},
		Cmds: clitest.Cmds(),
	})
}
