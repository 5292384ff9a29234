package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: registry-pruner talks to a registry over HTTP, or to Amazon
// ECR through the AWS SDK's ECR client only (no EC2, SSM or ELB client);
// no Docker client, expression engine or plugin host.
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/aws/aws-sdk-go-v2/service/ec2", "github.com/aws/aws-sdk-go-v2/service/ssm", "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2",
		"github.com/docker/docker/", "github.com/expr-lang/", "github.com/hashicorp/go-plugin",
		"google.golang.org/grpc", "github.com/dockwright/dockwright/internal/inventory")
}
