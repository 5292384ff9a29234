package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
			sortTags(in.Tags)
			out = append(out, in)
		}
	}
	return out, nil
}

func sortTags(t []Tag) {
	for i := 1; i < len(t); i++ {
		for j := i; j > 0 && t[j].Key < t[j-1].Key; j-- {
			t[j], t[j-1] = t[j-1], t[j]
		}
	}
}

func listPluginHosts(ctx context.Context, p PluginSource) ([]pluginHost, error) {
	helper := ""
	if exe, err := os.Executable(); err == nil {
		if c := filepath.Join(filepath.Dir(exe), "dockwright-plugin-host"); fileExists(c) {
			helper = c
		}
	}
	if helper == "" {
		var err error
		if helper, err = exec.LookPath("dockwright-plugin-host"); err != nil {
			return nil, errors.New("dockwright-plugin-host not found beside ec2-inventory or on $PATH (it runs plugins)")
		}
	}
	req, _ := json.Marshal(map[string]any{"spec": map[string]any{"name": p.Name, "sha256": p.SHA256, "config": p.Config, "timeout": p.Timeout}})
	cmd := exec.CommandContext(ctx, helper, "inventory-list")
	cmd.Stdin = bytes.NewReader(req)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, errors.New(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stderr.String()), "dockwright-plugin-host: ")))
	}
	var out struct {
		Hosts []pluginHost `json:"hosts"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("dockwright-plugin-host answered %q: %v", stdout.String(), err)
	}
	return out.Hosts, nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
