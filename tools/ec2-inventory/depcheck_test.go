package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps keeps ec2-inventory small and fast to start: it must not link the
// Docker client, the registry client or the plugin host, which other
// binaries need.
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/docker/", "github.com/google/go-containerregistry", "github.com/hashicorp/go-plugin",
		"google.golang.org/grpc", "net/http/pprof", "github.com/dockwright/dockwright/internal/registry")
}
