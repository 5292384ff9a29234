package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// TestDeps: image-tagger links the AWS SDK for Amazon ECR only (no EC2,
// SSM or ELB client), and no expression engine or plugin host (the Docker
// client arrives with its Engine verbs).
func TestDeps(t *testing.T) {
	clitest.NoDeps(t, "github.com/aws/aws-sdk-go-v2/service/ec2", "github.com/aws/aws-sdk-go-v2/service/ssm", "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2",
		"github.com/expr-lang/", "github.com/hashicorp/go-plugin",
		"google.golang.org/grpc", "github.com/dockwright/dockwright/internal/inventory")
}
