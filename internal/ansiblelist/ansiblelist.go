// Package ansiblelist reads the JSON an Ansible dynamic inventory prints
// for --list: groups by name, each with hosts, children and vars, and the
// hosts' variables under _meta.hostvars. ec2-inventory reads its own cache
// with it and health-dashboard the inventory it is given; it links nothing
// beyond encoding/json.
package ansiblelist

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Group is one group of the document.
type Group struct {
	Hosts    []string       `json:"hosts"`
	Children []string       `json:"children"`
	Vars     map[string]any `json:"vars"`
}

// List is a --list document.
type List struct {
	Groups map[string]Group
	// Hostvars are the variables of each host, from _meta.hostvars (nil
	// when the inventory has no _meta: Ansible then asks --host for each).
	Hostvars map[string]map[string]any
}

// Parse reads a --list document.
func Parse(data []byte) (*List, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	l := &List{Groups: make(map[string]Group, len(raw))}
	for name, msg := range raw {
		if name == "_meta" {
			var meta struct {
				Hostvars map[string]map[string]any `json:"hostvars"`
			}
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, fmt.Errorf("_meta: %w", err)
			}
			l.Hostvars = meta.Hostvars
			continue
		}
		var g Group
		if err := json.Unmarshal(msg, &g); err != nil {
			return nil, fmt.Errorf("group %q: %w", name, err)
		}
		l.Groups[name] = g
	}
	return l, nil
}

// GroupsOf maps each host named in a group's hosts to its groups, sorted.
func (l *List) GroupsOf() map[string][]string {
	out := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(l.Groups)) {
		for _, h := range l.Groups[name].Hosts {
			out[h] = append(out[h], name)
		}
	}
	return out
}
