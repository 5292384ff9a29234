package ec2fake

import (
	"fmt"
	"time"
)

// Services and Envs name the estate Generate builds: dockwright's user runs
// ~25 services in dev, staging and prod.
var (
	Services = []string{"web", "api", "auth", "billing", "search", "cart", "orders", "payments", "inventory", "shipping",
		"users", "notify", "reports", "media", "catalog", "reviews", "pricing", "promo", "gateway", "admin",
		"metrics", "audit", "export", "import", "scheduler"}
	Envs = []string{"dev", "staging", "prod"}
)

// Generate returns a deterministic fleet of n running instances spread
// round-robin over regions (three zones each) in one account: tagged Name,
// Service, Env, Team and Role; every instance has a private address, one in
// three a public one.
func Generate(account string, n int, regions ...string) *Fleet {
	f := &Fleet{DefaultAccount: account, Instances: map[string]map[string][]Instance{account: {}}}
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	types := []string{"t3.medium", "m5.large", "c5.xlarge", "r5.large"}
	for i := 0; i < n; i++ {
		region := regions[i%len(regions)]
		svc := Services[(i/len(regions))%len(Services)]
		env := Envs[(i/(len(regions)*len(Services)))%len(Envs)]
		az := region + string(rune('a'+(i/(len(regions)))%3))
		ip := fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256)
		in := Instance{
			ID: fmt.Sprintf("i-%017x", 0xa000000+i), Type: types[i%len(types)], AZ: az, State: "running",
			PrivateIP:  ip,
			PrivateDNS: fmt.Sprintf("ip-10-%d-%d-%d.%s.compute.internal", i/65536%256, i/256%256, i%256, region),
			VPC:        "vpc-" + region, Subnet: fmt.Sprintf("subnet-%s-%d", az, i%2),
			Image: fmt.Sprintf("ami-%08x", 0xbeef00+i%7), Key: "deploy-" + env,
			Tags: [][2]string{
				{"Name", fmt.Sprintf("%s-%s-%04d", svc, env, i)}, {"Service", svc}, {"Env", env},
				{"Team", fmt.Sprintf("team-%d", i%5)}, {"Role", "app"},
			},
			SecurityGroups: [][2]string{{"sg-base", "base"}, {"sg-" + svc, svc}},
			Launch:         base.Add(time.Duration(i) * time.Minute),
		}
		if i%3 == 0 {
			in.PublicIP = fmt.Sprintf("54.%d.%d.%d", i/65536%256, i/256%256, i%256)
			in.PublicDNS = fmt.Sprintf("ec2-54-%d-%d-%d.compute-1.amazonaws.com", i/65536%256, i/256%256, i%256)
		}
		f.Instances[account][region] = append(f.Instances[account][region], in)
	}
	return f
}
