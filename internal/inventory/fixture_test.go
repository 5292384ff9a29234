package inventory

import (
	"time"
)

func ptr[T any](v T) *T { return &v }

// fixture is a small estate: two services in two environments over two
// regions, one private-only host, one Windows host, one with odd tags.
func fixture() []Instance {
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	mk := func(id, region, az, privIP, pubIP string, tags ...string) Instance {
		in := Instance{
			Account: "111111111111", Region: region, ReservationID: "r-" + id[2:], InstanceID: id,
			InstanceType: "t3.medium", ImageID: "ami-0abc", KeyName: "deploy", LaunchTime: t0,
			Architecture: "x86_64", StateName: "running", StateCode: 16,
			PrivateIP: privIP, PrivateDNS: "ip-" + privIP + "." + region + ".compute.internal",
			VPCID: "vpc-1", SubnetID: "subnet-" + az, AvailabilityZone: az, Tenancy: "default",
			SecurityGroups:  []SecurityGroup{{ID: "sg-1", Name: "base"}},
			MonitoringState: "disabled", RootDeviceName: "/dev/xvda", RootDeviceType: "ebs",
			VirtualizationType: "hvm", Hypervisor: "xen", SourceDestCheck: ptr(true),
		}
		if pubIP != "" {
			in.PublicIP = pubIP
			in.PublicDNS = "ec2-" + pubIP + ".compute-1.amazonaws.com"
		}
		for i := 0; i+1 < len(tags); i += 2 {
			in.Tags = append(in.Tags, Tag{tags[i], tags[i+1]})
		}
		return in
	}
	win := mk("i-0000000000000004", "eu-west-1", "eu-west-1b", "10.1.0.4", "", "Name", "report-1", "Service", "reports", "Env", "prod")
	win.Platform = "windows"
	odd := mk("i-0000000000000005", "eu-west-1", "eu-west-1a", "10.1.0.5", "", "Name", "api.dev 1", "Service", "api", "Env", "dev", "aws:autoscaling:groupName", "asg-1", "Team", "")
	return []Instance{
		mk("i-0000000000000001", "us-east-1", "us-east-1a", "10.0.0.1", "54.0.0.1", "Name", "web-1", "Service", "web", "Env", "prod"),
		mk("i-0000000000000002", "us-east-1", "us-east-1b", "10.0.0.2", "", "Name", "web-2", "Service", "web", "Env", "prod"),
		mk("i-0000000000000003", "us-east-1", "us-east-1a", "10.0.0.3", "", "Name", "api-1", "Service", "api", "Env", "staging"),
		win,
		odd,
	}
}
