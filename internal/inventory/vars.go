package inventory

import (
	"strconv"
	"strings"
	"time"
)

const timeLayout = "2006-01-02T15:04:05+00:00" // as boto3 prints launch_time

func setStr(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// awsVars returns an instance's variables in the aws_ec2 shape: boto3's
// describe_instances fields in snake_case, tags as a dict, placement.region
// added. Empty strings and lists are left out; excluded names are skipped.
// This map is also the environment of compose/groups/keyed_groups.
func awsVars(in *Instance, excluded map[string]bool) map[string]any {
	m := make(map[string]any, 40)
	m["ami_launch_index"] = int(in.AMILaunchIndex)
	setStr(m, "architecture", in.Architecture)
	m["ebs_optimized"] = in.EBSOptimized
	m["ena_support"] = in.ENASupport
	setStr(m, "hypervisor", in.Hypervisor)
	if in.IAMProfileARN != "" {
		m["iam_instance_profile"] = map[string]any{"arn": in.IAMProfileARN}
	}
	setStr(m, "image_id", in.ImageID)
	m["instance_id"] = in.InstanceID
	setStr(m, "instance_lifecycle", in.Lifecycle)
	setStr(m, "instance_type", in.InstanceType)
	setStr(m, "kernel_id", in.KernelID)
	setStr(m, "key_name", in.KeyName)
	setStr(m, "launch_time", fmtTime(in.LaunchTime))
	if in.MonitoringState != "" {
		m["monitoring"] = map[string]any{"state": in.MonitoringState}
	}
	setStr(m, "owner_id", in.Account)
	placement := map[string]any{"region": in.Region}
	setStr(placement, "availability_zone", in.AvailabilityZone)
	setStr(placement, "tenancy", in.Tenancy)
	setStr(placement, "group_name", in.PlacementGroup)
	m["placement"] = placement
	setStr(m, "platform", in.Platform)
	setStr(m, "platform_details", in.PlatformDetails)
	setStr(m, "private_dns_name", in.PrivateDNS)
	setStr(m, "private_ip_address", in.PrivateIP)
	setStr(m, "public_dns_name", in.PublicDNS)
	setStr(m, "public_ip_address", in.PublicIP)
	setStr(m, "ipv6_address", in.IPv6Address)
	setStr(m, "ramdisk_id", in.RamdiskID)
	setStr(m, "requester_id", in.RequesterID)
	setStr(m, "reservation_id", in.ReservationID)
	setStr(m, "root_device_name", in.RootDeviceName)
	setStr(m, "root_device_type", in.RootDeviceType)
	if len(in.SecurityGroups) > 0 {
		m["security_groups"] = sgList(in.SecurityGroups)
	}
	if in.SourceDestCheck != nil {
		m["source_dest_check"] = *in.SourceDestCheck
	}
	m["state"] = map[string]any{"code": int(in.StateCode), "name": in.StateName}
	setStr(m, "state_transition_reason", in.StateTransitionReason)
	setStr(m, "subnet_id", in.SubnetID)
	tags := make(map[string]any, len(in.Tags))
	for _, t := range in.Tags {
		tags[t.Key] = t.Value
	}
	m["tags"] = tags
	setStr(m, "virtualization_type", in.VirtualizationType)
	setStr(m, "vpc_id", in.VPCID)
	if len(in.BlockDevices) > 0 {
		bds := make([]any, len(in.BlockDevices))
		for i, b := range in.BlockDevices {
			ebs := map[string]any{"delete_on_termination": b.DeleteOnTermination}
			setStr(ebs, "volume_id", b.VolumeID)
			setStr(ebs, "status", b.Status)
			setStr(ebs, "attach_time", fmtTime(b.AttachTime))
			bds[i] = map[string]any{"device_name": b.DeviceName, "ebs": ebs}
		}
		m["block_device_mappings"] = bds
	}
	if len(in.NetworkInterfaces) > 0 {
		nis := make([]any, len(in.NetworkInterfaces))
		for i, n := range in.NetworkInterfaces {
			ni := map[string]any{"network_interface_id": n.ID, "attachment": map[string]any{"device_index": int(n.DeviceIndex)}}
			setStr(ni, "description", n.Description)
			setStr(ni, "mac_address", n.MACAddress)
			setStr(ni, "private_ip_address", n.PrivateIP)
			setStr(ni, "private_dns_name", n.PrivateDNS)
			setStr(ni, "subnet_id", n.SubnetID)
			setStr(ni, "vpc_id", n.VPCID)
			setStr(ni, "status", n.Status)
			if n.PublicIP != "" {
				ni["association"] = map[string]any{"public_ip": n.PublicIP}
			}
			if len(n.SecurityGroups) > 0 {
				ni["groups"] = sgList(n.SecurityGroups)
			}
			if len(n.IPv6Addresses) > 0 {
				l := make([]any, len(n.IPv6Addresses))
				for j, a := range n.IPv6Addresses {
					l[j] = map[string]any{"ipv6_address": a}
				}
				ni["ipv6_addresses"] = l
			}
			nis[i] = ni
		}
		m["network_interfaces"] = nis
	}
	for k, v := range in.Vars {
		m[k] = v
	}
	for k := range excluded {
		delete(m, k)
	}
	return m
}

func sgList(gs []SecurityGroup) []any {
	l := make([]any, len(gs))
	for i, g := range gs {
		l[i] = map[string]any{"group_id": g.ID, "group_name": g.Name}
	}
	return l
}

// ec2PyVars returns an instance's variables in the legacy ec2.py shape: flat
// ec2_* names, tags as ec2_tag_KEY, security groups comma-joined.
func ec2PyVars(in *Instance, excluded map[string]bool) map[string]any {
	m := make(map[string]any, 40)
	setStr(m, "ec2_id", in.InstanceID)
	setStr(m, "ec2_account_id", in.Account)
	setStr(m, "ec2_region", in.Region)
	setStr(m, "ec2_placement", in.AvailabilityZone)
	setStr(m, "ec2_instance_type", in.InstanceType)
	setStr(m, "ec2_image_id", in.ImageID)
	setStr(m, "ec2_key_name", in.KeyName)
	setStr(m, "ec2_launch_time", fmtTime(in.LaunchTime))
	setStr(m, "ec2_architecture", in.Architecture)
	setStr(m, "ec2_platform", in.Platform)
	setStr(m, "ec2_state", in.StateName)
	m["ec2_state_code"] = int(in.StateCode)
	setStr(m, "ec2_state_reason", in.StateTransitionReason)
	setStr(m, "ec2_private_ip_address", in.PrivateIP)
	setStr(m, "ec2_ip_address", in.PublicIP)
	setStr(m, "ec2_private_dns_name", in.PrivateDNS)
	setStr(m, "ec2_public_dns_name", in.PublicDNS)
	setStr(m, "ec2_dns_name", in.PublicDNS)
	setStr(m, "ec2_vpc_id", in.VPCID)
	setStr(m, "ec2_subnet_id", in.SubnetID)
	setStr(m, "ec2_root_device_type", in.RootDeviceType)
	setStr(m, "ec2_root_device_name", in.RootDeviceName)
	setStr(m, "ec2_virtualization_type", in.VirtualizationType)
	setStr(m, "ec2_hypervisor", in.Hypervisor)
	setStr(m, "ec2_monitoring_state", in.MonitoringState)
	setStr(m, "ec2_kernel", in.KernelID)
	setStr(m, "ec2_ramdisk", in.RamdiskID)
	m["ec2_ebs_optimized"] = in.EBSOptimized
	m["ec2_ami_launch_index"] = strconv.Itoa(int(in.AMILaunchIndex))
	if in.SourceDestCheck != nil {
		m["ec2_sourceDestCheck"] = strconv.FormatBool(*in.SourceDestCheck)
	}
	if in.IAMProfileARN != "" {
		m["ec2_iam_instance_profile_arn"] = in.IAMProfileARN
	}
	if len(in.SecurityGroups) > 0 {
		ids := make([]string, len(in.SecurityGroups))
		names := make([]string, len(in.SecurityGroups))
		for i, g := range in.SecurityGroups {
			ids[i], names[i] = g.ID, g.Name
		}
		m["ec2_security_group_ids"] = strings.Join(ids, ",")
		m["ec2_security_group_names"] = strings.Join(names, ",")
	}
	for _, t := range in.Tags {
		m[sanitizeEC2Py("ec2_tag_"+t.Key)] = t.Value
	}
	for k, v := range in.Vars {
		m[k] = v
	}
	for k := range excluded {
		delete(m, k)
	}
	return m
}

// awsFieldNames are every variable awsVars can give a host (a test holds
// the list to the function): what an expression can read besides
// ansible_host, composed variables and plugin hosts' own variables.
var awsFieldNames = []string{
	"ami_launch_index", "architecture", "block_device_mappings", "ebs_optimized", "ena_support", "hypervisor",
	"iam_instance_profile", "image_id", "instance_id", "instance_lifecycle", "instance_type", "ipv6_address",
	"kernel_id", "key_name", "launch_time", "monitoring", "network_interfaces", "owner_id", "placement",
	"platform", "platform_details", "private_dns_name", "private_ip_address", "public_dns_name",
	"public_ip_address", "ramdisk_id", "requester_id", "reservation_id", "root_device_name",
	"root_device_type", "security_groups", "source_dest_check", "state", "state_transition_reason",
	"subnet_id", "tags", "virtualization_type", "vpc_id",
}

// ec2PyFieldNames are every variable ec2PyVars can give a host, but the
// ec2_tag_KEY ones (a test holds the list to the function).
var ec2PyFieldNames = []string{
	"ec2_account_id", "ec2_ami_launch_index", "ec2_architecture", "ec2_dns_name", "ec2_ebs_optimized",
	"ec2_hypervisor", "ec2_iam_instance_profile_arn", "ec2_id", "ec2_image_id", "ec2_instance_type",
	"ec2_ip_address", "ec2_kernel", "ec2_key_name", "ec2_launch_time", "ec2_monitoring_state",
	"ec2_placement", "ec2_platform", "ec2_private_dns_name", "ec2_private_ip_address",
	"ec2_public_dns_name", "ec2_ramdisk", "ec2_region", "ec2_root_device_name", "ec2_root_device_type",
	"ec2_security_group_ids", "ec2_security_group_names", "ec2_sourceDestCheck", "ec2_state",
	"ec2_state_code", "ec2_state_reason", "ec2_subnet_id", "ec2_virtualization_type", "ec2_vpc_id",
}

// ec2PyToAWS names the aws_ec2-shaped variable an ec2.py name stands for,
// for the hint when an expression uses one with hostvars_format: aws_ec2.
var ec2PyToAWS = map[string]string{
	"ec2_id": "instance_id", "ec2_account_id": "owner_id", "ec2_region": "placement.region",
	"ec2_placement": "placement.availability_zone", "ec2_instance_type": "instance_type",
	"ec2_image_id": "image_id", "ec2_key_name": "key_name", "ec2_launch_time": "launch_time",
	"ec2_architecture": "architecture", "ec2_platform": "platform", "ec2_state": "state.name",
	"ec2_state_code": "state.code", "ec2_private_ip_address": "private_ip_address",
	"ec2_ip_address": "public_ip_address", "ec2_private_dns_name": "private_dns_name",
	"ec2_public_dns_name": "public_dns_name", "ec2_dns_name": "public_dns_name", "ec2_vpc_id": "vpc_id",
	"ec2_subnet_id": "subnet_id", "ec2_security_group_names": "security_groups",
	"ec2_security_group_ids": "security_groups",
}
