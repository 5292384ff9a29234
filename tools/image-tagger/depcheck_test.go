package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: image-tagger's registry verbs need no AWS SDK (Amazon ECR is
// called through dockwright-plugin-host),
// expression engine or plugin host (the Docker client arrives with its Engine verbs).
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/aws/", "github.com/expr-lang/", "github.com/hashicorp/go-plugin",
		"google.golang.org/grpc", "github.com/dockwright/dockwright/internal/inventory")
}
