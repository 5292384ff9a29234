package inventory

import (
	"slices"
	"strconv"
	"strings"
)

// defaultFilters is used when the config has no filters key: running
// instances only, as most users want and as the API otherwise returns
// terminated instances for an hour.
var defaultFilters = Filters{List: []Filter{{Name: "instance-state-name", Values: []string{"running"}}}}

// localValues returns an instance's values for an EC2 filter name, and false
// when the name is not one evaluated here (then an API call decides).
func localValues(in *Instance, name string) ([]string, bool) {
	one := func(s string) ([]string, bool) {
		if s == "" {
			return nil, true
		}
		return []string{s}, true
	}
	switch name {
	case "instance-id":
		return one(in.InstanceID)
	case "instance-type":
		return one(in.InstanceType)
	case "instance-state-name":
		return one(in.StateName)
	case "instance-state-code":
		return one(strconv.Itoa(int(in.StateCode)))
	case "availability-zone":
		return one(in.AvailabilityZone)
	case "vpc-id":
		return one(in.VPCID)
	case "subnet-id":
		return one(in.SubnetID)
	case "image-id":
		return one(in.ImageID)
	case "key-name":
		return one(in.KeyName)
	case "architecture":
		return one(in.Architecture)
	case "platform":
		return one(in.Platform)
	case "private-ip-address":
		return one(in.PrivateIP)
	case "ip-address":
		return one(in.PublicIP)
	case "private-dns-name":
		return one(in.PrivateDNS)
	case "dns-name":
		return one(in.PublicDNS)
	case "owner-id":
		return one(in.Account)
	case "reservation-id":
		return one(in.ReservationID)
	case "instance-lifecycle":
		return one(in.Lifecycle)
	case "tenancy":
		return one(in.Tenancy)
	case "placement-group-name":
		return one(in.PlacementGroup)
	case "root-device-type":
		return one(in.RootDeviceType)
	case "virtualization-type":
		return one(in.VirtualizationType)
	case "hypervisor":
		return one(in.Hypervisor)
	case "iam-instance-profile.arn":
		return one(in.IAMProfileARN)
	case "instance.group-id", "group-id":
		vs := make([]string, len(in.SecurityGroups))
		for i, g := range in.SecurityGroups {
			vs[i] = g.ID
		}
		return vs, true
	case "instance.group-name", "group-name":
		vs := make([]string, len(in.SecurityGroups))
		for i, g := range in.SecurityGroups {
			vs[i] = g.Name
		}
		return vs, true
	case "tag-key":
		vs := make([]string, len(in.Tags))
		for i, t := range in.Tags {
			vs[i] = t.Key
		}
		return vs, true
	case "tag-value":
		vs := make([]string, len(in.Tags))
		for i, t := range in.Tags {
			vs[i] = t.Value
		}
		return vs, true
	}
	if key, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, set := in.Tag(key); set {
			return []string{v}, true
		}
		return nil, true
	}
	return nil, false
}

// localFilterable reports whether every filter in fs can be evaluated here.
func localFilterable(fs Filters) bool {
	var probe Instance
	for _, f := range fs.List {
		if _, ok := localValues(&probe, f.Name); !ok {
			return false
		}
	}
	return true
}

// matchLocal reports whether in matches every filter of fs, with EC2's
// semantics: filters are ANDed, the values of one filter ORed, and values may
// hold the wildcards * and ?.
func matchLocal(in *Instance, fs Filters) bool {
	for _, f := range fs.List {
		have, _ := localValues(in, f.Name)
		if !anyMatch(f.Values, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if wildcardMatch(p, v) {
				return true
			}
		}
	}
	return false
}

// wildcardMatch matches EC2 filter wildcards: * any run (including none),
// ? exactly one byte; everything else literally.
func wildcardMatch(pattern, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starPx, starSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if starPx >= 0 && starSx <= len(s) {
			px, sx = starPx+1, starSx
			starSx++
			continue
		}
		return false
	}
	return true
}

// queries returns the filter sets to send to DescribeInstances in each
// region: the base filters and every include_filters entry, their union
// being the inventory. Entries are merged when the API can answer them in one
// call (they differ in the values of one filter only), and dropped when
// another entry already returns everything they would.
func (c *Config) queries() []Filters {
	base := c.Filters
	if base.Line == 0 { // no filters key; `filters: {}` means every state
		base = defaultFilters
	}
	return mergeQueries(append([]Filters{base}, c.IncludeFilters...))
}

func mergeQueries(qs []Filters) []Filters {
	out := make([]Filters, 0, len(qs))
	for _, q := range qs {
		q = Filters{List: slices.Clone(q.List), Line: q.Line}
		merged := false
		for i := range out {
			if covers(out[i], q) {
				merged = true
				break
			}
			if covers(q, out[i]) {
				out[i] = q
				merged = true
				break
			}
			if m, ok := mergeOne(out[i], q); ok {
				out[i] = m
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, q)
		}
	}
	return out
}

// covers reports whether every instance matching b also matches a: each
// filter of a appears in b with a subset of a's values.
func covers(a, b Filters) bool {
	for _, fa := range a.List {
		fb, ok := find(b, fa.Name)
		if !ok {
			return false
		}
		for _, v := range fb.Values {
			if !slices.Contains(fa.Values, v) {
				return false
			}
		}
	}
	return true
}

// mergeOne merges two filter sets with the same names whose values differ in
// one filter only.
func mergeOne(a, b Filters) (Filters, bool) {
	if len(a.List) != len(b.List) {
		return Filters{}, false
	}
	diff := -1
	for i, fa := range a.List {
		fb, ok := find(b, fa.Name)
		if !ok {
			return Filters{}, false
		}
		if !sameSet(fa.Values, fb.Values) {
			if diff >= 0 {
				return Filters{}, false
			}
			diff = i
		}
	}
	if diff < 0 {
		return a, true
	}
	m := Filters{List: slices.Clone(a.List), Line: a.Line}
	fb, _ := find(b, a.List[diff].Name)
	vals := slices.Clone(a.List[diff].Values)
	for _, v := range fb.Values {
		if !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	m.List[diff] = Filter{Name: a.List[diff].Name, Values: vals}
	return m, true
}

func find(fs Filters, name string) (Filter, bool) {
	for _, f := range fs.List {
		if f.Name == name {
			return f, true
		}
	}
	return Filter{}, false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}
