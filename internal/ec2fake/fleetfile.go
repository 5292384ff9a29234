package ec2fake

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"
)

// FleetFile is a hand-written fleet (the demo's simulated estate):
//
//	account: "123456789012"
//	region: us-east-1
//	instances:
//	  - {id: i-0a01, az: us-east-1a, private_ip: 127.0.0.2, tags: {Service: web, Env: dev}}
type FleetFile struct {
	Account   string `yaml:"account"`
	Region    string `yaml:"region"`
	Instances []struct {
		ID        string            `yaml:"id"`
		AZ        string            `yaml:"az"`
		PrivateIP string            `yaml:"private_ip"`
		Type      string            `yaml:"type"`
		State     string            `yaml:"state"`
		Tags      map[string]string `yaml:"tags"`
	} `yaml:"instances"`
}

// LoadFleet reads a FleetFile.
func LoadFleet(path string) (*Fleet, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ff FleetFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&ff); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if ff.Account == "" {
		ff.Account = "123456789012"
	}
	if ff.Region == "" {
		ff.Region = "us-east-1"
	}
	f := &Fleet{DefaultAccount: ff.Account, Instances: map[string]map[string][]Instance{ff.Account: {}}}
	for i, in := range ff.Instances {
		inst := Instance{
			ID: in.ID, Type: in.Type, AZ: in.AZ, State: in.State, PrivateIP: in.PrivateIP,
			PrivateDNS: fmt.Sprintf("ip-%d.ec2.internal", i), VPC: "vpc-demo", Subnet: "subnet-" + in.AZ,
			Image: "ami-demo", Launch: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		}
		if inst.Type == "" {
			inst.Type = "t3.micro"
		}
		if inst.State == "" {
			inst.State = "running"
		}
		keys := make([]string, 0, len(in.Tags))
		for k := range in.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			inst.Tags = append(inst.Tags, [2]string{k, in.Tags[k]})
		}
		f.Instances[ff.Account][ff.Region] = append(f.Instances[ff.Account][ff.Region], inst)
	}
	return f, nil
}
