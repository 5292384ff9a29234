package inventory

import (
	"context"
	"io"
	"testing"

	"github.com/dockwright/dockwright/internal/ec2fake"
)

// fetched5000 fetches 5,000 instances over 3 regions from the fake endpoint
// with the real SDK, once.
func fetched5000(b *testing.B) (*Config, []Instance) {
	b.Helper()
	srv := ec2fake.New(ec2fake.Generate("123456789012", 5000, "us-east-1", "eu-west-1", "ap-southeast-2"))
	srv.Memoize() // after the first fetch, the fake only sends bytes: the client is measured
	b.Cleanup(srv.Close)
	sdkEnv(b, srv.URL)
	cfg, err := LoadConfig("testdata/bench/ec2-inventory.yml") // also read by bench/ec2-inventory.sh
	if err != nil {
		b.Fatal(err)
	}
	accts, err := Accounts(context.Background(), cfg, nil)
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
// Instance) from an in-process fake endpoint that sends pages it rendered
// before, for scale.
func BenchmarkFetch5000(b *testing.B) {
	cfg, _ := fetched5000(b)
	accts, err := Accounts(context.Background(), cfg, nil)
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

// BenchmarkWrite5000 is WriteList alone.
func BenchmarkWrite5000(b *testing.B) {
	cfg, ins := fetched5000(b)
	inv, err := Build(cfg, ins)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteList(io.Discard, inv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListUncached5000 is an uncached --list without the process:
// fetch, build, write.
func BenchmarkListUncached5000(b *testing.B) {
	cfg, _ := fetched5000(b)
	accts, err := Accounts(context.Background(), cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ins, err := Fetch(context.Background(), cfg, accts, nil)
		if err != nil {
			b.Fatal(err)
		}
		inv, err := Build(cfg, ins)
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteList(io.Discard, inv); err != nil {
			b.Fatal(err)
		}
	}
}
