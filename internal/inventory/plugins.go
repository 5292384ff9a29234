package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dockwright/dockwright/internal/pluginexec"
	"github.com/dockwright/dockwright/plugins/sdk/contract"
)

// PluginSource names an inventory plugin (dockwright-plugin-inventory-NAME)
// in the config file.
type PluginSource struct {
	pluginexec.Spec `yaml:",inline"`
	// Region is the region the plugin's hosts are grouped under (default
	// "on-prem").
	Region string `yaml:"region"`
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

func listPluginHosts(ctx context.Context, p PluginSource) ([]contract.Host, error) {
	out, err := pluginexec.Call(ctx, pluginexec.ModeInventoryList, pluginexec.Request{Spec: &p.Spec})
	return out.Hosts, err
}
