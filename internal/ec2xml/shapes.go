package ec2xml

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// A shape maps the element names of one EC2 structure to the code that
// decodes each into the SDK's type; unknown elements are skipped. The
// element names are EC2's wire names (the SDK's deserializers.go), which
// differ from the field names in places: dnsName is PublicDnsName,
// ipAddress PublicIpAddress, reason StateTransitionReason, groupSet
// SecurityGroups, instanceState State. As in the SDK, names match
// case-insensitively, a repeated structure is merged into the first and a
// repeated list appended to.
type shape[T any] struct {
	exact map[string]member[T]
	lower map[string]member[T] // by lower-cased name, for other spellings
}

type member[T any] struct {
	name   string
	decode func(*decoder, *T) error
}

func newShape[T any](fns map[string]func(*decoder, *T) error) shape[T] {
	s := shape[T]{exact: make(map[string]member[T], len(fns)), lower: make(map[string]member[T], len(fns))}
	for name, fn := range fns {
		s.exact[name] = member[T]{name, fn}
		s.lower[strings.ToLower(name)] = member[T]{name, fn}
	}
	return s
}

// lookupFold finds name case-insensitively: ASCII by a lower-cased lookup,
// other names (rare; Unicode folding, as strings.EqualFold) by a scan.
func (s shape[T]) lookupFold(d *decoder, name []byte) (member[T], bool) {
	if m, ok := s.lower[string(d.lowered(name))]; ok {
		return m, true
	}
	for _, c := range name {
		if c >= utf8.RuneSelf {
			for n, m := range s.exact {
				if bytes.EqualFold([]byte(n), name) {
					return m, true
				}
			}
			break
		}
	}
	return member[T]{}, false
}

// decodeInto reads the children of the current element into v.
func decodeInto[T any](d *decoder, v *T, s shape[T]) error {
	for {
		name, ok, err := d.child()
		if err != nil || !ok {
			return err
		}
		m, known := s.exact[string(name)]
		if !known {
			m, known = s.lookupFold(d, name)
		}
		if !known {
			if err := d.skip(); err != nil {
				return err
			}
			continue
		}
		if err := m.decode(d, v); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
}

// enum decodes a string-valued enumeration (the SDK's typed strings).
func enum[T ~string](d *decoder, dst *T) error {
	v, err := d.common()
	*dst = T(v)
	return err
}

// object decodes a structure into *p, allocated if nil.
func object[T any](d *decoder, p **T, s shape[T]) error {
	if *p == nil {
		*p = new(T)
	}
	return decodeInto(d, *p, s)
}

// list appends the <item>s of a list element to *l (an empty list if none).
func list[T any](d *decoder, l *[]T, s shape[T]) error {
	if *l == nil {
		*l = make([]T, 0, 2)
	}
	return d.items(func() error {
		var zero T
		*l = append(*l, zero)
		return decodeInto(d, &(*l)[len(*l)-1], s)
	})
}

func (d *decoder) output(out *ec2.DescribeInstancesOutput) error {
	return decodeInto(d, out, shapes().output)
}

// The shapes are built on first use, so binaries that link this package
// but never decode pay nothing at start-up.
var shapes = sync.OnceValue(func() *allShapes {
	var s allShapes
	s.group = newShape(map[string]func(*decoder, *types.GroupIdentifier) error{
		"groupId":   func(d *decoder, g *types.GroupIdentifier) (err error) { g.GroupId, err = d.commonPtr(); return },
		"groupName": func(d *decoder, g *types.GroupIdentifier) (err error) { g.GroupName, err = d.commonPtr(); return },
	})
	s.tag = newShape(map[string]func(*decoder, *types.Tag) error{
		"key":   func(d *decoder, t *types.Tag) (err error) { t.Key, err = d.commonPtr(); return },
		"value": func(d *decoder, t *types.Tag) (err error) { t.Value, err = d.commonPtr(); return },
	})
	s.ebs = newShape(map[string]func(*decoder, *types.EbsInstanceBlockDevice) error{
		"volumeId": func(d *decoder, e *types.EbsInstanceBlockDevice) (err error) { e.VolumeId, err = d.str(); return },
		"status":   func(d *decoder, e *types.EbsInstanceBlockDevice) error { return enum(d, &e.Status) },
		"attachTime": func(d *decoder, e *types.EbsInstanceBlockDevice) (err error) {
			e.AttachTime, err = d.timestamp()
			return
		},
		"deleteOnTermination": func(d *decoder, e *types.EbsInstanceBlockDevice) (err error) {
			e.DeleteOnTermination, err = d.boolean()
			return
		},
	})
	s.blockDevice = newShape(map[string]func(*decoder, *types.InstanceBlockDeviceMapping) error{
		"deviceName": func(d *decoder, b *types.InstanceBlockDeviceMapping) (err error) {
			b.DeviceName, err = d.commonPtr()
			return
		},
		"ebs": func(d *decoder, b *types.InstanceBlockDeviceMapping) error {
			return object(d, &b.Ebs, s.ebs)
		},
	})
	s.association = newShape(map[string]func(*decoder, *types.InstanceNetworkInterfaceAssociation) error{
		"publicIp": func(d *decoder, a *types.InstanceNetworkInterfaceAssociation) (err error) {
			a.PublicIp, err = d.str()
			return
		},
	})
	s.attachment = newShape(map[string]func(*decoder, *types.InstanceNetworkInterfaceAttachment) error{
		"deviceIndex": func(d *decoder, a *types.InstanceNetworkInterfaceAttachment) (err error) {
			a.DeviceIndex, err = d.int32()
			return
		},
	})
	s.ipv6 = newShape(map[string]func(*decoder, *types.InstanceIpv6Address) error{
		"ipv6Address": func(d *decoder, a *types.InstanceIpv6Address) (err error) { a.Ipv6Address, err = d.str(); return },
	})
	s.eni = newShape(map[string]func(*decoder, *types.InstanceNetworkInterface) error{
		"networkInterfaceId": func(d *decoder, n *types.InstanceNetworkInterface) (err error) {
			n.NetworkInterfaceId, err = d.str()
			return
		},
		"description": func(d *decoder, n *types.InstanceNetworkInterface) (err error) {
			n.Description, err = d.commonPtr()
			return
		},
		"macAddress": func(d *decoder, n *types.InstanceNetworkInterface) (err error) { n.MacAddress, err = d.str(); return },
		"privateIpAddress": func(d *decoder, n *types.InstanceNetworkInterface) (err error) {
			n.PrivateIpAddress, err = d.str()
			return
		},
		"privateDnsName": func(d *decoder, n *types.InstanceNetworkInterface) (err error) {
			n.PrivateDnsName, err = d.str()
			return
		},
		"subnetId": func(d *decoder, n *types.InstanceNetworkInterface) (err error) {
			n.SubnetId, err = d.commonPtr()
			return
		},
		"vpcId":  func(d *decoder, n *types.InstanceNetworkInterface) (err error) { n.VpcId, err = d.commonPtr(); return },
		"status": func(d *decoder, n *types.InstanceNetworkInterface) error { return enum(d, &n.Status) },
		"association": func(d *decoder, n *types.InstanceNetworkInterface) error {
			return object(d, &n.Association, s.association)
		},
		"attachment": func(d *decoder, n *types.InstanceNetworkInterface) error {
			return object(d, &n.Attachment, s.attachment)
		},
		"groupSet": func(d *decoder, n *types.InstanceNetworkInterface) error { return list(d, &n.Groups, s.group) },
		"ipv6AddressesSet": func(d *decoder, n *types.InstanceNetworkInterface) error {
			return list(d, &n.Ipv6Addresses, s.ipv6)
		},
	})
	s.instance = newShape(map[string]func(*decoder, *types.Instance) error{
		"instanceId":      func(d *decoder, in *types.Instance) (err error) { in.InstanceId, err = d.str(); return },
		"imageId":         func(d *decoder, in *types.Instance) (err error) { in.ImageId, err = d.commonPtr(); return },
		"keyName":         func(d *decoder, in *types.Instance) (err error) { in.KeyName, err = d.commonPtr(); return },
		"launchTime":      func(d *decoder, in *types.Instance) (err error) { in.LaunchTime, err = d.timestamp(); return },
		"instanceType":    func(d *decoder, in *types.Instance) error { return enum(d, &in.InstanceType) },
		"architecture":    func(d *decoder, in *types.Instance) error { return enum(d, &in.Architecture) },
		"platform":        func(d *decoder, in *types.Instance) error { return enum(d, &in.Platform) },
		"platformDetails": func(d *decoder, in *types.Instance) (err error) { in.PlatformDetails, err = d.commonPtr(); return },
		"reason": func(d *decoder, in *types.Instance) (err error) {
			in.StateTransitionReason, err = d.commonPtr()
			return
		},
		"instanceLifecycle":  func(d *decoder, in *types.Instance) error { return enum(d, &in.InstanceLifecycle) },
		"privateIpAddress":   func(d *decoder, in *types.Instance) (err error) { in.PrivateIpAddress, err = d.str(); return },
		"ipAddress":          func(d *decoder, in *types.Instance) (err error) { in.PublicIpAddress, err = d.str(); return },
		"privateDnsName":     func(d *decoder, in *types.Instance) (err error) { in.PrivateDnsName, err = d.str(); return },
		"dnsName":            func(d *decoder, in *types.Instance) (err error) { in.PublicDnsName, err = d.str(); return },
		"ipv6Address":        func(d *decoder, in *types.Instance) (err error) { in.Ipv6Address, err = d.str(); return },
		"vpcId":              func(d *decoder, in *types.Instance) (err error) { in.VpcId, err = d.commonPtr(); return },
		"subnetId":           func(d *decoder, in *types.Instance) (err error) { in.SubnetId, err = d.commonPtr(); return },
		"rootDeviceName":     func(d *decoder, in *types.Instance) (err error) { in.RootDeviceName, err = d.commonPtr(); return },
		"rootDeviceType":     func(d *decoder, in *types.Instance) error { return enum(d, &in.RootDeviceType) },
		"virtualizationType": func(d *decoder, in *types.Instance) error { return enum(d, &in.VirtualizationType) },
		"hypervisor":         func(d *decoder, in *types.Instance) error { return enum(d, &in.Hypervisor) },
		"ebsOptimized":       func(d *decoder, in *types.Instance) (err error) { in.EbsOptimized, err = d.boolean(); return },
		"enaSupport":         func(d *decoder, in *types.Instance) (err error) { in.EnaSupport, err = d.boolean(); return },
		"sourceDestCheck":    func(d *decoder, in *types.Instance) (err error) { in.SourceDestCheck, err = d.boolean(); return },
		"amiLaunchIndex":     func(d *decoder, in *types.Instance) (err error) { in.AmiLaunchIndex, err = d.int32(); return },
		"kernelId":           func(d *decoder, in *types.Instance) (err error) { in.KernelId, err = d.commonPtr(); return },
		"ramdiskId":          func(d *decoder, in *types.Instance) (err error) { in.RamdiskId, err = d.commonPtr(); return },
		"instanceState": func(d *decoder, in *types.Instance) error {
			return object(d, &in.State, s.state)
		},
		"placement": func(d *decoder, in *types.Instance) error {
			return object(d, &in.Placement, s.placement)
		},
		"monitoring": func(d *decoder, in *types.Instance) error {
			return object(d, &in.Monitoring, s.monitoring)
		},
		"iamInstanceProfile": func(d *decoder, in *types.Instance) error {
			return object(d, &in.IamInstanceProfile, s.iamProfile)
		},
		"groupSet": func(d *decoder, in *types.Instance) error { return list(d, &in.SecurityGroups, s.group) },
		"tagSet": func(d *decoder, in *types.Instance) error {
			return list(d, &in.Tags, s.tag)
		},
		"blockDeviceMapping": func(d *decoder, in *types.Instance) error {
			return list(d, &in.BlockDeviceMappings, s.blockDevice)
		},
		"networkInterfaceSet": func(d *decoder, in *types.Instance) error {
			return list(d, &in.NetworkInterfaces, s.eni)
		},
	})
	s.state = newShape(map[string]func(*decoder, *types.InstanceState) error{
		"code": func(d *decoder, st *types.InstanceState) (err error) { st.Code, err = d.int32(); return },
		"name": func(d *decoder, st *types.InstanceState) error { return enum(d, &st.Name) },
	})
	s.placement = newShape(map[string]func(*decoder, *types.Placement) error{
		"availabilityZone": func(d *decoder, p *types.Placement) (err error) { p.AvailabilityZone, err = d.commonPtr(); return },
		"groupName":        func(d *decoder, p *types.Placement) (err error) { p.GroupName, err = d.commonPtr(); return },
		"tenancy":          func(d *decoder, p *types.Placement) error { return enum(d, &p.Tenancy) },
	})
	s.monitoring = newShape(map[string]func(*decoder, *types.Monitoring) error{
		"state": func(d *decoder, m *types.Monitoring) error { return enum(d, &m.State) },
	})
	s.iamProfile = newShape(map[string]func(*decoder, *types.IamInstanceProfile) error{
		"arn": func(d *decoder, p *types.IamInstanceProfile) (err error) { p.Arn, err = d.commonPtr(); return },
	})
	s.reservation = newShape(map[string]func(*decoder, *types.Reservation) error{
		"reservationId": func(d *decoder, r *types.Reservation) (err error) { r.ReservationId, err = d.str(); return },
		"ownerId":       func(d *decoder, r *types.Reservation) (err error) { r.OwnerId, err = d.commonPtr(); return },
		"requesterId":   func(d *decoder, r *types.Reservation) (err error) { r.RequesterId, err = d.commonPtr(); return },
		"instancesSet": func(d *decoder, r *types.Reservation) error {
			return list(d, &r.Instances, s.instance)
		},
	})
	s.output = newShape(map[string]func(*decoder, *ec2.DescribeInstancesOutput) error{
		"nextToken": func(d *decoder, o *ec2.DescribeInstancesOutput) (err error) { o.NextToken, err = d.str(); return },
		"reservationSet": func(d *decoder, o *ec2.DescribeInstancesOutput) error {
			return list(d, &o.Reservations, s.reservation)
		},
	})
	return &s
})

type allShapes struct {
	output      shape[ec2.DescribeInstancesOutput]
	reservation shape[types.Reservation]
	instance    shape[types.Instance]
	state       shape[types.InstanceState]
	placement   shape[types.Placement]
	monitoring  shape[types.Monitoring]
	iamProfile  shape[types.IamInstanceProfile]
	group       shape[types.GroupIdentifier]
	tag         shape[types.Tag]
	blockDevice shape[types.InstanceBlockDeviceMapping]
	ebs         shape[types.EbsInstanceBlockDevice]
	eni         shape[types.InstanceNetworkInterface]
	association shape[types.InstanceNetworkInterfaceAssociation]
	attachment  shape[types.InstanceNetworkInterfaceAttachment]
	ipv6        shape[types.InstanceIpv6Address]
}
