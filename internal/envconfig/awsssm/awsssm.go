// Package awsssm resolves ref+awsssm://PATH references of
// env-config-resolver bundles from AWS SSM Parameter Store. It runs in the
// dockwright-plugin-host helper, so env-config-resolver itself links no
// AWS SDK, no net/http and no TLS: it starts every container.
package awsssm

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/dockwright/dockwright/internal/awslog"
	"github.com/dockwright/dockwright/internal/envconfig"
)

// Batch is how many names one GetParameters call takes (the API's limit).
const Batch = 10

// Resolver resolves ref+awsssm://PATH (parameter "/PATH", decrypted)
// and ref+awsssm://PATH?region=REGION through aws-sdk-go-v2: the default
// credential chain, AWS_REGION, AWS_ENDPOINT_URL_SSM, the SDK's retries;
// GetParameters in batches of 10 per region.
type Resolver struct {
	// Calls counts GetParameters calls (tests, benchmarks).
	Calls int
	// Log receives the SDK's own log lines at debug level (nil: dropped);
	// they never reach the container's stderr.
	Log *slog.Logger
}

// paramName maps a reference's path to a parameter name.
func paramName(r envconfig.Ref) string {
	if strings.HasPrefix(r.Path, "/") {
		return r.Path
	}
	return "/" + r.Path
}

// Resolve implements envconfig.Resolver.
func (s *Resolver) Resolve(ctx context.Context, refs []envconfig.Ref) (map[string]string, error) {
	byRegion := map[string][]envconfig.Ref{}
	for _, r := range refs {
		byRegion[r.Query.Get("region")] = append(byRegion[r.Query.Get("region")], r)
	}
	out := map[string]string{}
	for region, rs := range byRegion {
		opts := []func(*config.LoadOptions) error{config.WithLogger(awslog.Logger(s.Log))}
		if region != "" {
			opts = append(opts, config.WithRegion(region))
		}
		cfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("AWS configuration: %w", err)
		}
		client := ssm.NewFromConfig(cfg)
		byName := map[string][]string{}
		var names []string
		for _, r := range rs {
			n := paramName(r)
			if len(byName[n]) == 0 {
				names = append(names, n)
			}
			byName[n] = append(byName[n], r.Raw)
		}
		for i := 0; i < len(names); i += Batch {
			batch := names[i:min(i+Batch, len(names))]
			s.Calls++
			resp, err := client.GetParameters(ctx, &ssm.GetParametersInput{Names: batch, WithDecryption: aws.Bool(true)})
			if err != nil {
				return nil, fmt.Errorf("SSM GetParameters: %w", err)
			}
			for _, p := range resp.Parameters {
				for _, raw := range byName[aws.ToString(p.Name)] {
					out[raw] = aws.ToString(p.Value)
				}
			}
		}
	}
	return out, nil
}
