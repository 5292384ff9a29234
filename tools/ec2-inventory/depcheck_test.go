package main

import (
	"debug/elf"
	"path/filepath"
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

// TestLinksOnlyTheEC2OperationsItCalls: the binary holds DescribeInstances
// and DescribeRegions, not the EC2 client's ~700 other operations (30 MB),
// which the linker keeps as soon as a type stored in an interface reaches
// *ec2.Client (see internal/inventory's ec2API).
func TestLinksOnlyTheEC2OperationsItCalls(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ec2-inventory")
	clitest.Build(t, bin, "github.com/dockwright/dockwright/tools/ec2-inventory")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, s := range syms {
		have[s.Name] = true
	}
	const client = "github.com/aws/aws-sdk-go-v2/service/ec2.(*Client)."
	if !have[client+"DescribeInstances"] {
		t.Fatalf("no %sDescribeInstances symbol: the check below would prove nothing", client)
	}
	for _, op := range []string{"RunInstances", "TerminateInstances", "CreateVpc"} {
		if have[client+op] {
			t.Errorf("links %s%s: *ec2.Client is reachable from an interface value again", client, op)
		}
	}
}
