// Command dockwright-plugin-inventory-static is an inventory plugin shipped
// with dockwright: hosts from a YAML file (the `path` setting), for
// on-prem boxes and anything EC2 does not describe. ec2-inventory merges
// them with EC2's hosts under the same grouping rules. The file's format is
// in docs/plugins.md ("inventory-static"):
//
//	hosts:
//	  - {name: db1, address: 10.1.0.5, availability_zone: dc1,
//	     tags: {Service: db, Env: prod}, vars: {ansible_user: admin}}
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/dockwright/dockwright/plugins/sdk"
)

type static struct{}

func (static) ListHosts(_ context.Context, config map[string]string) ([]sdk.Host, error) {
	path := config["path"]
	if path == "" {
		return nil, errors.New("inventory-static: no `path` setting")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inventory-static: %w", err)
	}
	var f struct {
		Hosts []struct {
			Name    string            `yaml:"name"`
			Address string            `yaml:"address"`
			AZ      string            `yaml:"availability_zone"`
			Tags    map[string]string `yaml:"tags"`
			Vars    map[string]any    `yaml:"vars"`
		} `yaml:"hosts"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a misspelt key is an error, not a host without it
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("inventory-static: %s: %w", path, err)
	}
	out := make([]sdk.Host, 0, len(f.Hosts))
	for i, h := range f.Hosts {
		if h.Name == "" {
			return nil, fmt.Errorf("inventory-static: %s: host #%d has no name", path, i+1)
		}
		if h.Address == "" {
			h.Address = h.Name
		}
		out = append(out, sdk.Host{Name: h.Name, Address: h.Address, AZ: h.AZ, Tags: h.Tags, Vars: h.Vars})
	}
	return out, nil
}

func main() { sdk.ServeInventorySource(static{}) }
