package inventory

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/dockwright/dockwright/internal/awslog"
	"github.com/dockwright/dockwright/internal/ec2xml"
)

// Accounts builds the EC2 clients for the config with the SDK's default
// credential chain (environment, profile, SSO, instance role), the config's
// profile and region, endpoint_url or the SDK's AWS_ENDPOINT_URL_EC2 /
// AWS_ENDPOINT_URL, adaptive retries, and one account per assumed role.
// The SDK's own log lines go to log at debug level, never to stderr.
func Accounts(ctx context.Context, cfg *Config, log *slog.Logger) ([]Account, error) {
	attempts := cfg.MaxAttempts
	if attempts == 0 {
		attempts = 5
	}
	opts := []func(*config.LoadOptions) error{
		config.WithLogger(awslog.Logger(log)),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) { so.MaxAttempts = attempts })
			})
		}),
	}
	if p := cfg.profile(); p != "" {
		opts = append(opts, config.WithSharedConfigProfile(p))
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	base, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration (profile %q): %w", cfg.profile(), err)
	}
	if base.Region == "" {
		base.Region = "us-east-1"
	}
	ec2Opts := func(o *ec2.Options) {
		if cfg.EndpointURL != "" {
			o.BaseEndpoint = aws.String(cfg.EndpointURL)
		}
	}
	clients := func(c aws.Config) func(string) API {
		var mu sync.Mutex
		byRegion := map[string]API{}
		return func(region string) API {
			mu.Lock()
			defer mu.Unlock()
			if api, ok := byRegion[region]; ok {
				return api
			}
			api := newEC2API(ec2.NewFromConfig(c, ec2Opts, func(o *ec2.Options) { o.Region = region }), !cfg.SDKXMLDecoder)
			byRegion[region] = api
			return api
		}
	}
	roles := cfg.AssumeRoles
	if cfg.IAMRoleARN != "" {
		roles = []Role{{RoleARN: cfg.IAMRoleARN}}
	}
	if len(roles) == 0 {
		return []Account{{Label: "default", Client: clients(base)}}, nil
	}
	stsClient := sts.NewFromConfig(base)
	accts := make([]Account, 0, len(roles))
	for _, r := range roles {
		c := base.Copy()
		r := r
		c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, r.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = r.SessionName
			if o.RoleSessionName == "" {
				o.RoleSessionName = "dockwright-ec2-inventory"
			}
			if r.ExternalID != "" {
				o.ExternalID = aws.String(r.ExternalID)
			}
		}))
		label := r.RoleARN
		if r.Alias != "" {
			label = r.Alias + " (" + r.RoleARN + ")"
		}
		accts = append(accts, Account{Label: label, Alias: sanitizeAnsible(strings.TrimSpace(r.Alias)), Client: clients(c)})
	}
	return accts, nil
}

// ec2API is the EC2 client as API, holding only the two operations as
// func values. The *ec2.Client itself must not be reachable from a type
// stored in an interface: expr calls methods by name through reflection,
// and the linker then keeps every exported method of every such type,
// which for the EC2 client is all ~700 operations (most of a 44 MB binary).
//
// With fast, DescribeInstances answers are decoded by internal/ec2xml
// (several times faster than the SDK's deserializer, which is most of the
// CPU of an uncached run); the rest of each call is the SDK's.
type ec2API struct {
	fast              bool
	describeInstances func(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	describeRegions   func(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

func newEC2API(c *ec2.Client, fast bool) ec2API {
	return ec2API{fast: fast, describeInstances: c.DescribeInstances, describeRegions: c.DescribeRegions}
}

func (a ec2API) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	if a.fast {
		optFns = append(optFns, ec2xml.WithFastDescribeInstances)
	}
	return a.describeInstances(ctx, in, optFns...)
}

func (a ec2API) DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	return a.describeRegions(ctx, in, optFns...)
}
