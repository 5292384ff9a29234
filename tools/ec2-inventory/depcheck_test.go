package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps ec2-inventory small and fast to start: it must not link the
// Docker client, the registry client or the plugin host, which other
// binaries need.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/docker/", "github.com/google/go-containerregistry", "github.com/hashicorp/go-plugin",
		"google.golang.org/grpc", "net/http/pprof",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("ec2-inventory imports %s", dep)
			}
		}
	}
}
