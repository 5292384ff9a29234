package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/dockwright/dockwright/internal/ec2fake"
)

// sdkEnv points the real SDK at a fake endpoint (ec2fake.ClientEnv).
func sdkEnv(tb testing.TB, url string) {
	tb.Helper()
	for _, kv := range ec2fake.ClientEnv(url) {
		k, v, _ := strings.Cut(kv, "=")
		tb.Setenv(k, v)
	}
}

func fetchWith(t *testing.T, srv *ec2fake.Server, yml string) ([]Instance, error) {
	t.Helper()
	sdkEnv(t, srv.URL)
	cfg := mustParse(t, yml)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	accts, err := Accounts(ctx, cfg, nil)
	if err != nil {
		return nil, err
	}
	return Fetch(ctx, cfg, accts, nil)
}

func TestFetchRealSDK(t *testing.T) {
	twoAccounts := func() *ec2fake.Fleet {
		f := ec2fake.Generate("111111111111", 6, "us-east-1", "eu-west-1")
		g := ec2fake.Generate("222222222222", 4, "us-east-1")
		for i := range g.Instances["222222222222"]["us-east-1"] {
			g.Instances["222222222222"]["us-east-1"][i].ID = fmt.Sprintf("i-b%016d", i)
		}
		f.Instances["222222222222"] = g.Instances["222222222222"]
		return f
	}
	tests := []struct {
		name      string
		fleet     *ec2fake.Fleet
		yml       string
		want      int      // instances
		wantErr   []string // substrings; empty means success
		wantCalls map[string]int
		// everyRequest: form values every DescribeInstances request carries
		// ("" = absent), so no extra sweep was made (retries may repeat one).
		everyRequest map[string]string
	}{
		{
			name: "all regions, paginated at 1,000", fleet: ec2fake.Generate("111111111111", 2500, "us-east-1", "eu-west-1"),
			yml: "regions: all\n", want: 2500,
			wantCalls: map[string]int{"DescribeRegions": 1, "DescribeInstances us-east-1": 2, "DescribeInstances eu-west-1": 2},
		},
		{
			name: "sdk_xml_decoder: the SDK's own deserializer, same answer", fleet: ec2fake.Generate("111111111111", 2500, "us-east-1", "eu-west-1"),
			yml: "regions: all\nsdk_xml_decoder: true\n", want: 2500,
			wantCalls: map[string]int{"DescribeRegions": 1, "DescribeInstances us-east-1": 2, "DescribeInstances eu-west-1": 2},
		},
		{
			name: "regions_exclude", fleet: ec2fake.Generate("111111111111", 30, "us-east-1", "eu-west-1", "us-gov-west-1"),
			yml: "regions: all\nregions_exclude: [us-gov-west-1]\n", want: 20,
			wantCalls: map[string]int{"DescribeInstances us-gov-west-1": 0},
		},
		{
			name: "throttling is retried", fleet: func() *ec2fake.Fleet {
				f := ec2fake.Generate("111111111111", 10, "us-east-1")
				f.Throttle = map[string]int{"us-east-1": 2}
				return f
			}(),
			yml: "regions: [us-east-1]\n", want: 10,
			wantCalls: map[string]int{"DescribeInstances us-east-1": 3},
		},
		{
			name: "a denied region fails the whole inventory, named", fleet: func() *ec2fake.Fleet {
				f := ec2fake.Generate("111111111111", 10, "us-east-1", "eu-west-1")
				f.Deny = map[string]bool{"111111111111/eu-west-1": true}
				return f
			}(),
			yml:     "regions: [us-east-1, eu-west-1]\n",
			wantErr: []string{"region eu-west-1", "UnauthorizedOperation", "no inventory printed"},
		},
		{
			name: "strict false keeps the other regions", fleet: func() *ec2fake.Fleet {
				f := ec2fake.Generate("111111111111", 10, "us-east-1", "eu-west-1")
				f.Deny = map[string]bool{"111111111111/eu-west-1": true}
				return f
			}(),
			yml: "regions: [us-east-1, eu-west-1]\nstrict: false\n", want: 5,
		},
		{
			name: "include_filters on one filter are one call per region", fleet: ec2fake.Generate("111111111111", 90, "us-east-1"),
			yml: "regions: [us-east-1]\nfilters:\n  tag:Env: prod\ninclude_filters:\n  - tag:Env: staging\n", want: 50,
			everyRequest: map[string]string{"Filter.1.Name": "tag:Env", "Filter.1.Value.1": "prod", "Filter.1.Value.2": "staging"},
		},
		{
			name: "exclude_filters are applied locally without a sweep", fleet: ec2fake.Generate("111111111111", 90, "us-east-1"),
			yml: "regions: [us-east-1]\nexclude_filters:\n  - tag:Service: [web, api]\n", want: 90 - 8, // web and api are 8 of the 90
			everyRequest: map[string]string{"Filter.1.Name": "instance-state-name", "Filter.2.Name": ""},
		},
		{
			name: "several local exclude entries still cost no call", fleet: ec2fake.Generate("111111111111", 20, "us-east-1"),
			yml: "regions: [us-east-1]\nexclude_filters:\n  - subnet-id: none\n    private-ip-address: 10.0.0.1\n    tag-key: Name\n  - instance-state-code: 99\n    image-id: x\n", want: 20,
			everyRequest: map[string]string{"Filter.1.Name": "instance-state-name", "Filter.2.Name": ""},
		},
		{
			name: "assume_roles reads every account", fleet: twoAccounts(),
			yml: `regions: [us-east-1, eu-west-1]
assume_roles:
  - role_arn: arn:aws:iam::111111111111:role/inventory
  - role_arn: arn:aws:iam::222222222222:role/inventory
    alias: payments
`, want: 10,
			wantCalls: map[string]int{"AssumeRole": 2},
		},
		{
			name: "a role that cannot be assumed is named", fleet: twoAccounts(),
			yml: `regions: [us-east-1]
assume_roles:
  - role_arn: arn:aws:iam::333333333333:role/inventory
`, wantErr: []string{"arn:aws:iam::333333333333:role/inventory", "AccessDenied"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ec2fake.New(tt.fleet)
			defer srv.Close()
			got, err := fetchWith(t, srv, tt.yml)
			if len(tt.wantErr) > 0 {
				if !errors.Is(err, ErrFetch) {
					t.Fatalf("err = %v, want ErrFetch", err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				if strings.Contains(err.Error(), ec2fake.SecretAccessKey) {
					t.Error("error leaks the secret key")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("got %d instances, want %d", len(got), tt.want)
			}
			calls := srv.Calls()
			// At least want: the SDK may retry an attempt under load. Zero is exact.
			for k, want := range tt.wantCalls {
				if calls[k] < want || want == 0 && calls[k] != 0 {
					t.Errorf("calls[%q] = %d, want %d (all: %v)", k, calls[k], want, calls)
				}
			}
			for _, form := range srv.Requests() {
				for k, want := range tt.everyRequest {
					if got := strings.Join(form[k], ","); got != want {
						t.Errorf("request %s = %q, want %q (form %v)", k, got, want, form)
					}
				}
				if form["MaxResults"][0] != "1000" {
					t.Errorf("MaxResults = %v, want 1000", form["MaxResults"])
				}
			}
		})
	}
}

func TestFetchAssumeRoleGroupsByAccount(t *testing.T) {
	f := ec2fake.Generate("111111111111", 2, "us-east-1")
	f.Instances["222222222222"] = map[string][]ec2fake.Instance{"us-east-1": {{ID: "i-b1", State: "running", PrivateIP: "10.9.9.9", AZ: "us-east-1a"}}}
	srv := ec2fake.New(f)
	defer srv.Close()
	yml := `regions: [us-east-1]
hostnames: [instance-id]
assume_roles:
  - role_arn: arn:aws:iam::111111111111:role/r
  - role_arn: arn:aws:iam::222222222222:role/r
    alias: payments
`
	got, err := fetchWith(t, srv, yml)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Build(mustParse(t, yml), got)
	if err != nil {
		t.Fatal(err)
	}
	for group, want := range map[string]int{"aws_account_111111111111": 2, "aws_account_222222222222": 1, "aws_account_payments": 1} {
		if g := inv.Groups[group]; g == nil || len(g.Hosts) != want {
			t.Errorf("group %s = %+v, want %d hosts", group, g, want)
		}
	}
}

func TestFetchEndpointURLFromConfig(t *testing.T) {
	srv := ec2fake.New(ec2fake.Generate("111111111111", 3, "us-east-1"))
	defer srv.Close()
	sdkEnv(t, "http://127.0.0.1:1") // env points nowhere; config wins
	t.Setenv("AWS_ENDPOINT_URL", "")
	cfg := mustParse(t, "regions: [us-east-1]\nendpoint_url: "+srv.URL+"\n")
	accts, err := Accounts(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Fetch(context.Background(), cfg, accts, nil)
	if err != nil || len(got) != 3 {
		t.Fatalf("got %d, %v", len(got), err)
	}
}

// fakeAPI is the narrow interface, for unit tests without HTTP.
type fakeAPI struct {
	perPage  int
	n        int
	inFlight *int32
	maxSeen  *int32
}

func (f fakeAPI) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	cur := atomic.AddInt32(f.inFlight, 1)
	defer atomic.AddInt32(f.inFlight, -1)
	for {
		m := atomic.LoadInt32(f.maxSeen)
		if cur <= m || atomic.CompareAndSwapInt32(f.maxSeen, m, cur) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond)
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	end := min(f.n, start+f.perPage)
	out := &ec2.DescribeInstancesOutput{}
	for i := start; i < end; i++ {
		out.Reservations = append(out.Reservations, types.Reservation{OwnerId: aws.String("1"), Instances: []types.Instance{{InstanceId: aws.String(fmt.Sprintf("i-%d", i))}}})
	}
	if end < f.n {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func (f fakeAPI) DescribeRegions(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	var out ec2.DescribeRegionsOutput
	for i := 0; i < 12; i++ {
		out.Regions = append(out.Regions, types.Region{RegionName: aws.String(fmt.Sprintf("r-%02d", i))})
	}
	return &out, nil
}

func TestFetchBoundsConcurrencyAndPaginates(t *testing.T) {
	var inFlight, maxSeen int32
	api := fakeAPI{perPage: 7, n: 20, inFlight: &inFlight, maxSeen: &maxSeen}
	var mu sync.Mutex
	regionsAsked := map[string]bool{}
	acct := Account{Label: "default", Client: func(r string) API {
		mu.Lock()
		regionsAsked[r] = true
		mu.Unlock()
		return api
	}}
	cfg := mustParse(t, "regions: all\nconcurrency: 3\n")
	got, err := Fetch(context.Background(), cfg, []Account{acct}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12*20 {
		t.Errorf("got %d instances, want %d", len(got), 12*20)
	}
	if maxSeen > 3 {
		t.Errorf("%d calls in flight, want at most 3", maxSeen)
	}
}

func TestFetchHonoursCancellation(t *testing.T) {
	var inFlight, maxSeen int32
	api := fakeAPI{perPage: 5, n: 100, inFlight: &inFlight, maxSeen: &maxSeen}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fetch(ctx, mustParse(t, "regions: [a, b]\n"), []Account{{Label: "x", Client: func(string) API { return api }}}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
