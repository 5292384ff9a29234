package inventory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"
)

// API is the narrow part of the EC2 client the inventory uses; tests fake it.
type API interface {
	ec2.DescribeInstancesAPIClient
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

// Account is one set of credentials to read instances with: the caller's
// own, or an assumed role.
type Account struct {
	Label  string // for errors: "default" or the role ARN
	Alias  string
	Client func(region string) API
}

// callTimeout bounds each EC2 API call (one page).
const callTimeout = 2 * time.Minute

// pageSize is DescribeInstances' maximum page.
const pageSize = 1000

// Fetch reads the instances of every account and region the config names,
// concurrently (at most concurrency calls in flight), one page of 1,000 at a
// time. With strict (the default) any failing region or account fails the
// whole fetch, naming each; otherwise failures are logged and skipped.
func Fetch(ctx context.Context, cfg *Config, accounts []Account, log *slog.Logger) ([]Instance, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	type task struct {
		acct   *Account
		region string
	}
	var (
		mu       sync.Mutex
		failures []string
		tasks    []task
	)
	fail := func(acct *Account, region string, err error) {
		if errors.Is(err, context.Canceled) && ctx.Err() == nil {
			return // another region failed first and cancelled this one
		}
		mu.Lock()
		defer mu.Unlock()
		where := "account " + acct.Label
		if region != "" {
			where += " region " + region
		}
		failures = append(failures, where+": "+oneLine(err.Error()))
	}
	// Regions per account (DescribeRegions for "all").
	for i := range accounts {
		acct := &accounts[i]
		regions, err := resolveRegions(ctx, cfg, acct)
		if err != nil {
			fail(acct, "", err)
			continue
		}
		for _, r := range regions {
			tasks = append(tasks, task{acct, r})
		}
	}
	queries := cfg.queries()
	var localEx, remoteEx []Filters
	for _, ex := range cfg.ExcludeFilters {
		if localFilterable(ex) {
			localEx = append(localEx, ex)
		} else {
			remoteEx = append(remoteEx, ex)
		}
	}
	excluded := cfg.hostvarsExcluded()
	keepDetail := !excluded["network_interfaces"] || !excluded["block_device_mappings"]
	results := make([][]Instance, len(tasks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.concurrency())
	for ti, t := range tasks {
		g.Go(func() error {
			api := t.acct.Client(t.region)
			seen := map[string]bool{}
			var out []Instance
			for _, q := range queries {
				err := describe(gctx, api, q, func(r *types.Reservation, in *types.Instance) {
					id := aws.ToString(in.InstanceId)
					if seen[id] {
						return
					}
					seen[id] = true
					out = append(out, fromSDK(r, in, t.region, keepDetail))
				})
				if err != nil {
					fail(t.acct, t.region, err)
					if cfg.strict() {
						return err
					}
					return nil
				}
			}
			drop := map[string]bool{}
			for _, ex := range remoteEx {
				err := describe(gctx, api, ex, func(_ *types.Reservation, in *types.Instance) {
					drop[aws.ToString(in.InstanceId)] = true
				})
				if err != nil {
					fail(t.acct, t.region, fmt.Errorf("exclude_filters: %w", err))
					if cfg.strict() {
						return err
					}
					return nil
				}
			}
			kept := out[:0]
			for i := range out {
				in := &out[i]
				if drop[in.InstanceID] || slices.ContainsFunc(localEx, func(ex Filters) bool { return matchLocal(in, ex) }) {
					continue
				}
				in.AccountAlias = t.acct.Alias
				kept = append(kept, *in)
			}
			results[ti] = kept
			log.Debug("fetched region", "account", t.acct.Label, "region", t.region, "instances", len(kept))
			return nil
		})
	}
	_ = g.Wait() // every error is also in failures, with its account and region
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fetching instances: %w", err)
	}
	if len(failures) > 0 {
		sort.Strings(failures)
		if cfg.strict() {
			return nil, fmt.Errorf("%w; no inventory printed:\n  %s", ErrFetch, strings.Join(failures, "\n  "))
		}
		for _, f := range failures {
			log.Warn("skipped (strict: false): inventory is PARTIAL", "failure", f)
		}
	}
	var n int
	for _, r := range results {
		n += len(r)
	}
	all := make([]Instance, 0, n)
	for _, r := range results {
		all = append(all, r...)
	}
	return all, nil
}

// describe runs one paginated DescribeInstances query.
func describe(ctx context.Context, api API, q Filters, each func(*types.Reservation, *types.Instance)) error {
	in := &ec2.DescribeInstancesInput{MaxResults: aws.Int32(pageSize)}
	for _, f := range q.List {
		in.Filters = append(in.Filters, types.Filter{Name: aws.String(f.Name), Values: f.Values})
	}
	p := ec2.NewDescribeInstancesPaginator(api, in)
	for p.HasMorePages() {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		page, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			return err
		}
		for ri := range page.Reservations {
			r := &page.Reservations[ri]
			for ii := range r.Instances {
				each(r, &r.Instances[ii])
			}
		}
	}
	return nil
}

// resolveRegions expands "all" with DescribeRegions (the regions enabled for
// the account) and removes regions_exclude.
func resolveRegions(ctx context.Context, cfg *Config, acct *Account) ([]string, error) {
	names := cfg.Regions.Names
	if cfg.Regions.All || len(names) == 0 { // no regions key: every region, as in aws_ec2
		home := cfg.Region
		if home == "" {
			home = "us-east-1"
		}
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		out, err := acct.Client(home).DescribeRegions(cctx, &ec2.DescribeRegionsInput{})
		if err != nil {
			return nil, fmt.Errorf("listing regions (regions: all): %w", err)
		}
		names = nil
		for _, r := range out.Regions {
			names = append(names, aws.ToString(r.RegionName))
		}
		if len(names) == 0 {
			return nil, errors.New("listing regions (regions: all): DescribeRegions returned none")
		}
	}
	var keep []string
	for _, n := range names {
		if !slices.Contains(cfg.RegionsExclude, n) {
			keep = append(keep, n)
		}
	}
	sort.Strings(keep)
	return keep, nil
}
