package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
	"github.com/dockwright/dockwright/internal/ec2fake"
)

// An inventory plugin's hosts join EC2's groups, seen through the real
// ansible-inventory: the shipped inventory-static plugin, run by the
// dockwright-plugin-host helper beside the binary.
func TestInventoryPluginThroughAnsible(t *testing.T) {
	fleet := &ec2fake.Fleet{DefaultAccount: "123456789012", Instances: map[string]map[string][]ec2fake.Instance{
		"123456789012": {"us-east-1": {{ID: "i-0web", AZ: "us-east-1a", State: "running", PrivateIP: "10.0.0.1", PrivateDNS: "ip-10-0-0-1",
			Tags: [][2]string{{"Name", "web-1"}, {"Service", "web"}, {"Env", "prod"}}}}},
	}}
	hosts := filepath.Join(t.TempDir(), "hosts.yml")
	os.WriteFile(hosts, []byte("hosts:\n  - {name: db1.dc1, address: 10.1.0.5, availability_zone: dc1, tags: {Name: db1, Service: db, Env: prod}, vars: {ansible_user: admin}}\n"), 0o644)
	cfg := "regions: [us-east-1]\nhostnames: [tag:Name]\nkeyed_groups:\n  - {key: tags.Service, prefix: service}\n  - {key: tags.Env, prefix: env}\n" +
		"plugins:\n  - name: static\n    config: {path: " + hosts + "}\n"
	bin, env, dir := ansibleEnv(t, fleet, cfg)
	plugins := t.TempDir()
	clitest.Build(t, filepath.Join(filepath.Dir(bin), "dockwright-plugin-host"), "../dockwright-plugin-host")
	clitest.Build(t, filepath.Join(plugins, "dockwright-plugin-inventory-static"), "../../plugins/inventory-static")
	env = append(env, "DOCKWRIGHT_PLUGIN_DIR="+plugins)
	out, stderr, err := runAnsible(t, env, dir, "ansible-inventory", "-i", bin, "--list")
	if err != nil {
		t.Fatalf("ansible-inventory: %v\n%s", err, stderr)
	}
	var inv map[string]any
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatal(err)
	}
	groupHosts := func(g string) []string {
		m, _ := inv[g].(map[string]any)
		var hs []string
		for _, h := range m["hosts"].([]any) {
			hs = append(hs, h.(string))
		}
		slices.Sort(hs)
		return hs
	}
	if got := groupHosts("env_prod"); !slices.Equal(got, []string{"db1", "web-1"}) {
		t.Errorf("env_prod = %v", got)
	}
	if got := groupHosts("service_db"); !slices.Equal(got, []string{"db1"}) {
		t.Errorf("service_db = %v", got)
	}
	hv := inv["_meta"].(map[string]any)["hostvars"].(map[string]any)["db1"].(map[string]any)
	if hv["ansible_user"] != "admin" || hv["private_ip_address"] != "10.1.0.5" {
		t.Errorf("db1 vars = %v", hv)
	}

	// A plugin host with an EC2 host's name is the same duplicate error.
	os.WriteFile(hosts, []byte("hosts:\n  - {name: x, address: 10.1.0.6, tags: {Name: web-1}}\n"), 0o644)
	if _, stderr, err := runAnsible(t, env, dir, bin, "--list"); err == nil || !strings.Contains(stderr, "web-1") {
		t.Errorf("duplicate hostname across sources not refused: %v\n%s", err, stderr)
	}
	// A missing plugin fails the inventory, naming it.
	cfgPath := filepath.Join(dir, "ec2-inventory.yml")
	os.WriteFile(cfgPath, []byte(strings.Replace(cfg, "name: static", "name: cmdb", 1)), 0o644)
	if _, stderr, err := runAnsible(t, env, dir, bin, "--list"); err == nil || !strings.Contains(stderr, `inventory plugin "cmdb"`) || !strings.Contains(stderr, "dockwright-plugin-inventory-cmdb") {
		t.Errorf("missing plugin: %v\n%s", err, stderr)
	}
}
