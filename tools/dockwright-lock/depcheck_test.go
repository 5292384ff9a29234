package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: dockwright-lock is a file lock: no AWS SDK, Docker client,
// registry client or plugin host.
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/aws/", "github.com/docker/", "github.com/google/go-containerregistry",
		"github.com/hashicorp/go-plugin", "github.com/expr-lang/")
}
