package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: registry-pruner talks HTTP to a registry (Amazon ECR through
// dockwright-plugin-host); no AWS SDK,
// Docker client, expression engine or plugin host.
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/aws/", "github.com/docker/docker/", "github.com/expr-lang/", "github.com/hashicorp/go-plugin",
		"google.golang.org/grpc", "github.com/dockwright/dockwright/internal/inventory")
}
