package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: keep-n-retention talks to the local Engine only: no AWS SDK,
// registry client, expression engine or plugin host.
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/aws/", "github.com/google/go-containerregistry", "github.com/expr-lang/",
		"github.com/hashicorp/go-plugin", "github.com/dockwright/dockwright/internal/registry", "github.com/dockwright/dockwright/internal/inventory")
}
