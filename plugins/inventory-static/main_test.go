package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockwright/dockwright/plugins/sdk/sdktest"
)

// Through the real gRPC plumbing: what ec2-inventory receives.
func TestListHosts(t *testing.T) {
	src := sdktest.InventorySource(t, static{})
	hosts, err := src.ListHosts(context.Background(), map[string]string{"path": "testdata/hosts.yml"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 2 {
		t.Fatalf("hosts = %+v", hosts)
	}
	db := hosts[0]
	if db.Name != "db1" || db.Address != "10.1.0.5" || db.AZ != "dc1" || db.Tags["Service"] != "db" || db.Vars["ansible_user"] != "admin" {
		t.Errorf("db1 = %+v", db)
	}
	if hosts[1].Address != "build-box" {
		t.Errorf("a host without an address is reached by its name: %+v", hosts[1])
	}
	for _, tc := range []struct{ path, want string }{
		{"", "no `path` setting"},
		{"testdata/nope.yml", "nope.yml"},
		{"testdata/noname.yml", "host #1 has no name"},
		{"testdata/typo.yml", "field adress not found"},
	} {
		cfg := map[string]string{}
		if tc.path != "" {
			cfg["path"] = tc.path
		}
		if _, err := src.ListHosts(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("path %q: err = %v, want %q", tc.path, err, tc.want)
		}
	}
}

// docs/plugins.md's example hosts file is read as it says.
func TestDocumentedHostsFile(t *testing.T) {
	doc, err := os.ReadFile("../../docs/plugins.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "```yaml\n# /etc/dockwright/hosts.yml")
	if !ok {
		t.Fatal("docs/plugins.md has no hosts.yml example")
	}
	block, _, _ = strings.Cut(block, "```")
	path := filepath.Join(t.TempDir(), "hosts.yml")
	if err := os.WriteFile(path, []byte(block), 0o644); err != nil {
		t.Fatal(err)
	}
	hosts, err := static{}.ListHosts(context.Background(), map[string]string{"path": path})
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 2 || hosts[0].Name != "db1" || hosts[0].Tags["Env"] != "prod" || hosts[1].Address != "build-box.dc1.example.com" {
		t.Errorf("hosts = %+v", hosts)
	}
}
