package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dockwright/dockwright/internal/pluginexec"
)

// PluginSource names an inventory plugin (dockwright-plugin-inventory-NAME)
// in the config file.
type PluginSource struct {
	Name    string            `yaml:"name"`
	SHA256  string            `yaml:"sha256"`
	Config  map[string]string `yaml:"config"`
	Timeout string            `yaml:"timeout"`
	// Region is the region the plugin's hosts are grouped under (default
	// "on-prem").
	Region string `yaml:"region"`
}

// pluginHost is what the dockwright-plugin-host helper answers per host.
type pluginHost struct {
	Name    string            `json:"name"`
	Address string            `json:"address"`
	AZ      string            `json:"availability_zone"`
	Tags    map[string]string `json:"tags"`
	Vars    map[string]any    `json:"vars"`
}

// PluginInstances lists the hosts of every configured inventory plugin, as
// instances, through the dockwright-plugin-host helper (so this binary
// links no gRPC). Any failure fails the inventory, naming the plugin.
func PluginInstances(ctx context.Context, cfg *Config) ([]Instance, error) {
	var out []Instance
	for _, p := range cfg.Plugins {
		hosts, err := listPluginHosts(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("%w: inventory plugin %q: %v", ErrFetch, p.Name, err)
		}
		region := p.Region
		if region == "" {
			region = "on-prem"
		}
		for _, h := range hosts {
			in := Instance{
				Account: "plugin", Region: region, InstanceID: "plugin-" + p.Name + "-" + h.Name,
				InstanceType: "plugin", StateName: "running", StateCode: 16,
				PrivateIP: h.Address, PrivateDNS: h.Name, AvailabilityZone: h.AZ, Vars: h.Vars,
			}
			for k, v := range h.Tags {
				in.Tags = append(in.Tags, Tag{Key: k, Value: v})
			}
			slices.SortFunc(in.Tags, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
			out = append(out, in)
		}
	}
	return out, nil
}

func listPluginHosts(ctx context.Context, p PluginSource) ([]pluginHost, error) {
	req := map[string]any{"spec": map[string]any{"name": p.Name, "sha256": p.SHA256, "config": p.Config, "timeout": p.Timeout}}
	var out struct {
		Hosts []pluginHost `json:"hosts"`
	}
	if err := pluginexec.Call(ctx, "inventory-list", req, &out); err != nil {
		return nil, err
	}
	return out.Hosts, nil
}
