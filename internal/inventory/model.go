package inventory

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Instance is the part of an EC2 instance the inventory uses, copied out of
// the SDK's types as each page arrives so the SDK's larger structures can be
// freed (it keeps peak memory low with thousands of instances).
type Instance struct {
	Account       string // owner account ID
	AccountAlias  string // assume_roles alias, if any
	Region        string
	ReservationID string
	RequesterID   string

	InstanceID            string
	InstanceType          string
	ImageID               string
	KeyName               string
	LaunchTime            time.Time
	Architecture          string
	Platform              string // "windows" or empty
	PlatformDetails       string
	StateName             string
	StateCode             int32
	StateTransitionReason string
	Lifecycle             string // spot, scheduled, capacity-block, or empty

	PrivateIP   string
	PublicIP    string
	PrivateDNS  string
	PublicDNS   string
	IPv6Address string
	VPCID       string
	SubnetID    string

	AvailabilityZone string
	Tenancy          string
	PlacementGroup   string

	SecurityGroups []SecurityGroup
	Tags           []Tag // in API order
	// Vars are host variables an inventory plugin gave (none for EC2).
	Vars map[string]any

	IAMProfileARN      string
	MonitoringState    string
	RootDeviceName     string
	RootDeviceType     string
	VirtualizationType string
	Hypervisor         string
	EBSOptimized       bool
	ENASupport         bool
	SourceDestCheck    *bool
	AMILaunchIndex     int32
	KernelID           string
	RamdiskID          string

	BlockDevices      []BlockDevice
	NetworkInterfaces []NetworkInterface
}

// SecurityGroup is a group attached to an instance.
type SecurityGroup struct{ ID, Name string }

// Tag is an EC2 tag.
type Tag struct{ Key, Value string }

// BlockDevice is an EBS volume mapped into an instance.
type BlockDevice struct {
	DeviceName          string
	VolumeID            string
	Status              string
	AttachTime          time.Time
	DeleteOnTermination bool
}

// NetworkInterface is an ENI attached to an instance.
type NetworkInterface struct {
	ID             string
	Description    string
	MACAddress     string
	PrivateIP      string
	PrivateDNS     string
	PublicIP       string
	SubnetID       string
	VPCID          string
	Status         string
	DeviceIndex    int32
	SecurityGroups []SecurityGroup
	IPv6Addresses  []string
}

// Tag returns the value of tag key and whether it is set.
func (in *Instance) Tag(key string) (string, bool) {
	for _, t := range in.Tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// fromSDK copies one SDK instance. keepDetail keeps block devices and
// network interfaces, which only some hostvars shapes print.
func fromSDK(r *types.Reservation, src *types.Instance, region string, keepDetail bool) Instance {
	in := Instance{
		Account:               aws.ToString(r.OwnerId),
		Region:                region,
		ReservationID:         aws.ToString(r.ReservationId),
		RequesterID:           aws.ToString(r.RequesterId),
		InstanceID:            aws.ToString(src.InstanceId),
		InstanceType:          string(src.InstanceType),
		ImageID:               aws.ToString(src.ImageId),
		KeyName:               aws.ToString(src.KeyName),
		LaunchTime:            aws.ToTime(src.LaunchTime),
		Architecture:          string(src.Architecture),
		Platform:              string(src.Platform),
		PlatformDetails:       aws.ToString(src.PlatformDetails),
		StateTransitionReason: aws.ToString(src.StateTransitionReason),
		Lifecycle:             string(src.InstanceLifecycle),
		PrivateIP:             aws.ToString(src.PrivateIpAddress),
		PublicIP:              aws.ToString(src.PublicIpAddress),
		PrivateDNS:            aws.ToString(src.PrivateDnsName),
		PublicDNS:             aws.ToString(src.PublicDnsName),
		IPv6Address:           aws.ToString(src.Ipv6Address),
		VPCID:                 aws.ToString(src.VpcId),
		SubnetID:              aws.ToString(src.SubnetId),
		RootDeviceName:        aws.ToString(src.RootDeviceName),
		RootDeviceType:        string(src.RootDeviceType),
		VirtualizationType:    string(src.VirtualizationType),
		Hypervisor:            string(src.Hypervisor),
		EBSOptimized:          aws.ToBool(src.EbsOptimized),
		ENASupport:            aws.ToBool(src.EnaSupport),
		SourceDestCheck:       src.SourceDestCheck,
		AMILaunchIndex:        aws.ToInt32(src.AmiLaunchIndex),
		KernelID:              aws.ToString(src.KernelId),
		RamdiskID:             aws.ToString(src.RamdiskId),
	}
	if src.State != nil {
		in.StateName = string(src.State.Name)
		in.StateCode = aws.ToInt32(src.State.Code)
	}
	if p := src.Placement; p != nil {
		in.AvailabilityZone = aws.ToString(p.AvailabilityZone)
		in.Tenancy = string(p.Tenancy)
		in.PlacementGroup = aws.ToString(p.GroupName)
	}
	if src.Monitoring != nil {
		in.MonitoringState = string(src.Monitoring.State)
	}
	if src.IamInstanceProfile != nil {
		in.IAMProfileARN = aws.ToString(src.IamInstanceProfile.Arn)
	}
	if len(src.SecurityGroups) > 0 {
		in.SecurityGroups = make([]SecurityGroup, len(src.SecurityGroups))
		for i, g := range src.SecurityGroups {
			in.SecurityGroups[i] = SecurityGroup{ID: aws.ToString(g.GroupId), Name: aws.ToString(g.GroupName)}
		}
	}
	if len(src.Tags) > 0 {
		in.Tags = make([]Tag, len(src.Tags))
		for i, t := range src.Tags {
			in.Tags[i] = Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)}
		}
	}
	if !keepDetail {
		return in
	}
	for _, b := range src.BlockDeviceMappings {
		bd := BlockDevice{DeviceName: aws.ToString(b.DeviceName)}
		if b.Ebs != nil {
			bd.VolumeID = aws.ToString(b.Ebs.VolumeId)
			bd.Status = string(b.Ebs.Status)
			bd.AttachTime = aws.ToTime(b.Ebs.AttachTime)
			bd.DeleteOnTermination = aws.ToBool(b.Ebs.DeleteOnTermination)
		}
		in.BlockDevices = append(in.BlockDevices, bd)
	}
	for _, n := range src.NetworkInterfaces {
		ni := NetworkInterface{
			ID:          aws.ToString(n.NetworkInterfaceId),
			Description: aws.ToString(n.Description),
			MACAddress:  aws.ToString(n.MacAddress),
			PrivateIP:   aws.ToString(n.PrivateIpAddress),
			PrivateDNS:  aws.ToString(n.PrivateDnsName),
			SubnetID:    aws.ToString(n.SubnetId),
			VPCID:       aws.ToString(n.VpcId),
			Status:      string(n.Status),
		}
		if n.Association != nil {
			ni.PublicIP = aws.ToString(n.Association.PublicIp)
		}
		if n.Attachment != nil {
			ni.DeviceIndex = aws.ToInt32(n.Attachment.DeviceIndex)
		}
		for _, g := range n.Groups {
			ni.SecurityGroups = append(ni.SecurityGroups, SecurityGroup{ID: aws.ToString(g.GroupId), Name: aws.ToString(g.GroupName)})
		}
		for _, a := range n.Ipv6Addresses {
			ni.IPv6Addresses = append(ni.IPv6Addresses, aws.ToString(a.Ipv6Address))
		}
		in.NetworkInterfaces = append(in.NetworkInterfaces, ni)
	}
	return in
}
