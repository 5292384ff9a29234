package inventory

import (
	"context"
	"io"
	"testing"

	"github.com/dockwright/dockwright/internal/ec2fake"
)

// bench5000 is the benchmarks' setup: 5,000 instances over 3 regions
// fetched once from the fake endpoint with the real SDK, the accounts
// that fetched them, and the config.
type bench5000 struct {
	cfg   *Config
	accts []Account
	ins   []Instance
}

func fetched5000(b *testing.B) bench5000 {
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
	b.ReportAllocs()
	return bench5000{cfg, accts, ins}
}

// fetch and write are steps of an uncached --list, with Build between.
func (s bench5000) fetch() ([]Instance, error) {
	return Fetch(context.Background(), s.cfg, s.accts, nil)
}

func write(inv *Inventory) error { return WriteList(io.Discard, inv) }

// loop times step; b.Loop leaves the setup before it out of the timing.
func loop(b *testing.B, step func() error) {
	for b.Loop() {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildAndWrite5000 is the work ec2-inventory does beyond the SDK
// fetch: hostnames, hostvars, ~10 keyed groups, built-in groups, JSON.
func BenchmarkBuildAndWrite5000(b *testing.B) {
	s := fetched5000(b)
	loop(b, func() error {
		inv, err := Build(s.cfg, s.ins)
		if err != nil {
			return err
		}
		return write(inv)
	})
}

// BenchmarkFetch5000 is the fetch itself (SDK, XML decoding, copy into
// Instance) from an in-process fake endpoint that sends pages it rendered
// before, for scale.
func BenchmarkFetch5000(b *testing.B) {
	s := fetched5000(b)
	loop(b, func() error {
		_, err := s.fetch()
		return err
	})
}

// BenchmarkWrite5000 is WriteList alone.
func BenchmarkWrite5000(b *testing.B) {
	s := fetched5000(b)
	inv, err := Build(s.cfg, s.ins)
	if err != nil {
		b.Fatal(err)
	}
	loop(b, func() error { return write(inv) })
}

// BenchmarkListUncached5000 is an uncached --list without the process:
// fetch, build, write.
func BenchmarkListUncached5000(b *testing.B) {
	s := fetched5000(b)
	loop(b, func() error {
		ins, err := s.fetch()
		if err != nil {
			return err
		}
		inv, err := Build(s.cfg, ins)
		if err != nil {
			return err
		}
		return write(inv)
	})
}
