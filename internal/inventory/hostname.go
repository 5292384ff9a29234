package inventory

import (
	"strings"
)

// prefValue returns an instance's value for one hostname preference, or "".
func prefValue(in *Instance, pref string) string {
	switch pref {
	case "private-ip-address":
		return in.PrivateIP
	case "ip-address", "network-interface.addresses.association.public-ip":
		return in.PublicIP
	case "dns-name":
		return in.PublicDNS
	case "private-dns-name":
		return in.PrivateDNS
	case "instance-id":
		return in.InstanceID
	case "ipv6-address", "network-interface.ipv6-addresses.ipv6-address":
		return in.IPv6Address
	}
	spec, ok := strings.CutPrefix(pref, "tag:")
	if !ok {
		return ""
	}
	// tag:A,B tries several tags; tag:K=V yields "K_V" when tag K equals V
	// (the aws_ec2 rule), which names a host by a role tag.
	for _, part := range strings.Split(spec, ",") {
		if k, v, isPair := strings.Cut(part, "="); isPair {
			if got, set := in.Tag(k); set && got == v {
				return k + "_" + v
			}
			continue
		}
		if got, _ := in.Tag(part); got != "" {
			return got
		}
	}
	return ""
}

// isAddress reports whether a preference yields something SSH can reach.
func isAddress(pref string) bool {
	switch pref {
	case "private-ip-address", "ip-address", "dns-name", "private-dns-name", "ipv6-address",
		"network-interface.addresses.association.public-ip", "network-interface.ipv6-addresses.ipv6-address":
		return true
	}
	return false
}

// hostname resolves an instance's inventory hostname from the preference
// list: the first preference with a value wins (with its prefix, when one is
// set and has a value).
func hostname(in *Instance, prefs []HostnamePref) string {
	for _, p := range prefs {
		v := prefValue(in, p.Name)
		if v == "" {
			continue
		}
		if p.Prefix != "" {
			pv := prefValue(in, p.Prefix)
			if pv == "" {
				continue
			}
			sep := p.Separator
			if sep == "" {
				sep = "_"
			}
			v = pv + sep + v
		}
		return v
	}
	return ""
}

// ansibleHost picks the address Ansible connects to: the first address-kind
// hostname preference with a value, else the private IP, else the public IP.
func ansibleHost(in *Instance, prefs []HostnamePref) string {
	for _, p := range prefs {
		if isAddress(p.Name) && p.Prefix == "" {
			if v := prefValue(in, p.Name); v != "" {
				return v
			}
		}
	}
	if in.PrivateIP != "" {
		return in.PrivateIP
	}
	return in.PublicIP
}
