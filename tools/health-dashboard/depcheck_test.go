package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: health-dashboard speaks HTTP only.
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/aws/", "github.com/docker/", "github.com/google/go-containerregistry", "github.com/expr-lang/", "github.com/hashicorp/go-plugin")
}
