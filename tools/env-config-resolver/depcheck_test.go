package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: env-config-resolver starts every container, so it links no
// Docker client, registry client, expression engine or plugin host.
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/docker/", "github.com/google/go-containerregistry", "github.com/expr-lang/",
		"github.com/hashicorp/go-plugin", "google.golang.org/grpc", "github.com/dockwright/dockwright/internal/registry",
		"github.com/dockwright/dockwright/internal/inventory", "github.com/aws/aws-sdk-go-v2/service/ec2")
}
