package inventory

import (
	"context"
	"io"
	"testing"

	"github.com/dockwright/dockwright/internal/ec2fake"
)

// benchConfig has ~10 keyed groups, as the performance target asks.
const benchConfig = `regions: [us-east-1, eu-west-1, ap-southeast-2]
keyed_groups:
  - {key: tags.Service, prefix: service}
  - {key: tags.Env, prefix: env}
  - {key: tags.Team, prefix: team}
  - {key: tags.Role, prefix: role}
  - {key: placement.availability_zone, prefix: az}
  - {key: placement.region, prefix: region}
  - {key: instance_type, prefix: type}
  - {key: vpc_id, prefix: vpc}
  - {key: image_id, prefix: ami}
  - {key: key_name, prefix: key}
compose:
  ansible_user: "'deploy'"
`

// fetched5000 fetches 5,000 instances over 3 regions from the fake endpoint
// with the real SDK, once.
func fetched5000(b *testing.B) (*Config, []Instance) {
	b.Helper()
	srv := ec2fake.New(ec2fake.Generate("123456789012", 5000, "us-east-1", "eu-west-1", "ap-southeast-2"))
	b.Cleanup(srv.Close)
	b.Setenv("AWS_ENDPOINT_URL", srv.URL)
	b.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	b.Setenv("AWS_REGION", "us-east-1")
	b.Setenv("AWS_CONFIG_FILE", "/dev/null")
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	cfg, err := ParseConfig("bench.yml", []byte(benchConfig))
	if err != nil {
		b.Fatal(err)
	}
	accts, err := Accounts(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	ins, err := Fetch(context.Background(), cfg, accts, nil)
	if err != nil || len(ins) != 5000 {
		b.Fatalf("fetch: %d, %v", len(ins), err)
	}
	return cfg, ins
}

// BenchmarkBuildAndWrite5000 is the work ec2-inventory does beyond the SDK
// fetch: hostnames, hostvars, ~10 keyed groups, built-in groups, JSON.
func BenchmarkBuildAndWrite5000(b *testing.B) {
	cfg, ins := fetched5000(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		inv, err := Build(cfg, ins)
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteList(io.Discard, inv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFetch5000 is the fetch itself (SDK, XML decoding, copy into
// Instance) from an in-process fake endpoint, for scale.
func BenchmarkFetch5000(b *testing.B) {
	cfg, _ := fetched5000(b)
	accts, err := Accounts(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Fetch(context.Background(), cfg, accts, nil); err != nil {
			b.Fatal(err)
		}
	}
}
