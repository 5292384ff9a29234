package inventory

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dockwright/dockwright/internal/ec2fake"
)

// migrationRows reads the rows of docs/ec2-inventory.md's table headed by
// header: the first backticked text of each column.
func migrationRows(t *testing.T, header string) map[string]string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/ec2-inventory.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), header)
	if !ok {
		t.Fatalf("docs/ec2-inventory.md has no table %q", header)
	}
	table, _, _ = strings.Cut(table, "\n\n")
	code := regexp.MustCompile("`([^`]+)`")
	rows := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		left, right := code.FindStringSubmatch(cells[1]), code.FindStringSubmatch(cells[2])
		if left != nil && right != nil {
			rows[left[1]] = right[1]
		}
	}
	return rows
}

// The ec2.py migration table's filter rows select what ec2.py selected: it
// lists running instances only unless all_instances = True, so a migrated
// inventory never hands a deploy a stopped instance.
func TestEC2PyMigrationKeepsRunningOnly(t *testing.T) {
	rows := migrationRows(t, "| ec2.ini | ec2-inventory.yml |")
	fleet := &ec2fake.Fleet{DefaultAccount: "111111111111", Instances: map[string]map[string][]ec2fake.Instance{"111111111111": {"us-east-1": {
		{ID: "i-00000000000000001", AZ: "us-east-1a", State: "running", PrivateIP: "10.0.0.1", Tags: [][2]string{{"env", "prod"}}},
		{ID: "i-00000000000000002", AZ: "us-east-1a", State: "stopped", PrivateIP: "10.0.0.2", Tags: [][2]string{{"env", "prod"}}},
		{ID: "i-00000000000000003", AZ: "us-east-1a", State: "running", PrivateIP: "10.0.0.3", Tags: [][2]string{{"env", "staging"}}},
		{ID: "i-00000000000000004", AZ: "us-east-1a", State: "stopped", PrivateIP: "10.0.0.4", Tags: [][2]string{{"env", "staging"}}},
		{ID: "i-00000000000000005", AZ: "us-east-1a", State: "running", PrivateIP: "10.0.0.5", Tags: [][2]string{{"env", "dev"}}},
	}}}}
	srv := ec2fake.New(fleet)
	defer srv.Close()
	tests := []struct {
		ec2ini string
		want   []string // instance ids
	}{
		{"instance_filters = tag:env=prod", []string{"i-00000000000000001"}},
		{"instance_filters = tag:env=prod,tag:env=staging", []string{"i-00000000000000001", "i-00000000000000003"}},
		{"all_instances = True", []string{"i-00000000000000001", "i-00000000000000002", "i-00000000000000003", "i-00000000000000004", "i-00000000000000005"}},
	}
	for _, tt := range tests {
		t.Run(tt.ec2ini, func(t *testing.T) {
			yml, ok := rows[tt.ec2ini]
			if !ok {
				t.Fatalf("the table has no row %q", tt.ec2ini)
			}
			got, err := fetchWith(t, srv, "regions: [us-east-1]\n"+yml+"\n")
			if err != nil {
				t.Fatalf("%s: %v", yml, err)
			}
			var ids []string
			for _, in := range got {
				ids = append(ids, in.InstanceID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tt.want) {
				t.Errorf("%s selects %v; ec2.py selected %v", yml, ids, tt.want)
			}
		})
	}
}

// The ec2.py hostname rows name a host as ec2.py did: ip_address is the
// public address.
func TestEC2PyMigrationHostnames(t *testing.T) {
	rows := migrationRows(t, "| ec2.ini | ec2-inventory.yml |")
	tests := []struct{ ec2ini, want string }{
		{"vpc_destination_variable = ip_address", "54.0.0.1"},
		{"destination_variable = public_dns_name", "ec2-54.0.0.1.compute-1.amazonaws.com"},
		{"hostname_variable = tag_Name", "web-1"},
	}
	for _, tt := range tests {
		t.Run(tt.ec2ini, func(t *testing.T) {
			yml, ok := rows[tt.ec2ini]
			if !ok {
				t.Fatalf("the table has no row %q", tt.ec2ini)
			}
			inv, err := Build(mustParse(t, yml+"\n"), fixture()[:1])
			if err != nil {
				t.Fatal(err)
			}
			if got := inv.Hosts[0].Name; got != tt.want {
				t.Errorf("%s names the host %q; ec2.py named it %q", yml, got, tt.want)
			}
		})
	}
}
