package inventory

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dockwright/dockwright/internal/ec2fake"
)

func TestCacheKeyedByConfigAndIdentity(t *testing.T) {
	env := map[string]string{"AWS_PROFILE": "prod"}
	getenv := func(k string) string { return env[k] }
	a := NewCache(mustParse(t, "cache: true\nregions: [us-east-1]\n"), "v1", getenv)
	b := NewCache(mustParse(t, "cache: true\nregions: [eu-west-1]\n"), "v1", getenv)
	if a.Key == b.Key {
		t.Error("two configs share a cache key")
	}
	env["AWS_PROFILE"] = "staging"
	c := NewCache(mustParse(t, "cache: true\nregions: [us-east-1]\n"), "v1", getenv)
	if a.Key == c.Key {
		t.Error("two profiles share a cache key")
	}
	d := NewCache(mustParse(t, "cache: true\nregions: [us-east-1]\n"), "v2", getenv)
	if c.Key == d.Key {
		t.Error("two program versions share a cache key")
	}
	if NewCache(mustParse(t, "regions: [us-east-1]\n"), "v1", getenv) != nil {
		t.Error("cache on without cache: true")
	}
}

func TestCachePutGet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub")
	c := &Cache{Dir: dir, TTL: time.Minute, Key: "0123456789abcdef0123456789abcdef"}
	now := time.Now()
	if _, ok := c.Get(now); ok {
		t.Fatal("empty cache hit")
	}
	if err := c.Put([]byte(`{"_meta":{}}`)); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(c.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v, want 0600", st.Mode().Perm())
	}
	if got, ok := c.Get(now); !ok || string(got) != `{"_meta":{}}` {
		t.Errorf("Get = %q, %v", got, ok)
	}
	if _, ok := c.Get(now.Add(2 * time.Minute)); ok {
		t.Error("expired entry served")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".ec2-inventory-*"))
	if len(leftovers) != 0 {
		t.Errorf("temp files left behind: %v", leftovers)
	}
}

func TestRunUsesCache(t *testing.T) {
	srv := ec2fake.New(ec2fake.Generate("111111111111", 9, "us-east-1"))
	defer srv.Close()
	sdkEnv(t, srv.URL)
	dir := t.TempDir()
	cfg := mustParse(t, "regions: [us-east-1]\ncache: true\ncache_connection: "+dir+"\n")
	run := func(o Options) (string, error) {
		var out bytes.Buffer
		o.Config, o.Version, o.Getenv = cfg, "test", os.Getenv
		err := Run(context.Background(), &out, o)
		return out.String(), err
	}
	// Counts are compared before and after each run: the SDK may retry an
	// attempt under load, so only "no call" and "some call" are asserted.
	calls := func() int { return srv.Calls()["DescribeInstances"] }
	first, err := run(Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := calls()
	second, err := run(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Error("cached output differs")
	}
	if calls() != before {
		t.Errorf("a cached run called DescribeInstances %d times", calls()-before)
	}
	before = calls()
	if _, err := run(Options{RefreshCache: true}); err != nil {
		t.Fatal(err)
	}
	if calls() == before {
		t.Error("--refresh-cache did not call EC2")
	}
	host, err := run(Options{Host: "ip-10-0-0-1.us-east-1.compute.internal"})
	if err != nil || !bytes.Contains([]byte(host), []byte(`"instance_id":"i-0000000000a000001"`)) {
		t.Errorf("--host from cache = %q, %v", host, err)
	}
	cfg = mustParse(t, "regions: [us-east-1]\ncache: true\ncache_connection: "+dir+"\ngroup_by_region: false\n")
	before = calls()
	if _, err := run(Options{}); err != nil {
		t.Fatal(err)
	}
	if calls() == before {
		t.Error("a changed config was served from the old cache entry")
	}
	if _, err := run(Options{Host: "nope"}); !errors.Is(err, ErrUnknownHost) {
		t.Errorf("unknown host: err = %v", err)
	}
}
