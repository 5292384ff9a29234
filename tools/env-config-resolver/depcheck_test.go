package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: env-config-resolver starts every container, so it links no
// Docker client, registry client, expression engine or plugin host, and no
// AWS SDK or HTTP stack (ref+awsssm:// resolves in dockwright-plugin-host).
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/docker/", "github.com/google/go-containerregistry", "github.com/expr-lang/",
		"github.com/hashicorp/go-plugin", "google.golang.org/grpc", "github.com/dockwright/dockwright/internal/registry",
		"github.com/dockwright/dockwright/internal/inventory", "github.com/aws/", "github.com/dockwright/dockwright/internal/envconfig/awsssm")
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net/http" || dep == "crypto/tls" {
			t.Errorf("imports %s", dep)
		}
	}
}
