package inventory

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"sort"
	"strconv"
	"text/tabwriter"
	"unicode/utf8"
)

// WriteList writes the inventory in Ansible's dynamic-inventory --list format:
// one key per group ({"hosts", "children", "vars"}), and _meta.hostvars with
// every host's variables so Ansible never calls --host. Keys are sorted, so
// the same inventory always prints the same bytes.
func WriteList(w io.Writer, inv *Inventory) error {
	j := &jsonWriter{w: w, buf: make([]byte, 0, 64<<10)}
	j.raw(`{"_meta":{"hostvars":{`)
	if err := writeHostVars(j, inv.Hosts); err != nil {
		return err
	}
	j.raw("}}")
	names := make([]string, 0, len(inv.Groups))
	for n := range inv.Groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g := inv.Groups[n]
		j.raw(",")
		j.str(n)
		j.raw(":{")
		sep := ""
		if len(g.Hosts) > 0 {
			j.raw(`"hosts":`)
			j.strings(g.Hosts)
			sep = ","
		}
		if len(g.Children) > 0 {
			j.raw(sep + `"children":`)
			j.strings(g.Children)
			sep = ","
		}
		if len(g.Vars) > 0 {
			j.raw(sep + `"vars":`)
			j.object(g.Vars)
		}
		j.raw("}")
	}
	j.raw("}\n")
	return j.flush()
}

// writeHostVars writes "name":{vars} for every host, comma-separated.
func writeHostVars(j *jsonWriter, hosts []Host) error {
	for i := range hosts {
		if i > 0 {
			j.raw(",")
		}
		j.str(hosts[i].Name)
		j.raw(":")
		j.object(hosts[i].Vars)
	}
	return j.flush()
}

// WriteHostVars writes one host's variables as a JSON object (--host).
func WriteHostVars(w io.Writer, vars map[string]any) error {
	j := &jsonWriter{w: w}
	j.object(vars)
	j.raw("\n")
	return j.flush()
}

// WriteTable writes a readable summary: one line per host with its address,
// instance, zone and groups.
func WriteTable(w io.Writer, inv *Inventory) error {
	groupsOf := make(map[string][]string, len(inv.Hosts))
	names := make([]string, 0, len(inv.Groups))
	for n := range inv.Groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, h := range inv.Groups[n].Hosts {
			groupsOf[h] = append(groupsOf[h], n)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tANSIBLE_HOST\tINSTANCE\tZONE\tGROUPS")
	for _, h := range inv.Hosts {
		ah, _ := h.Vars["ansible_host"].(string)
		id, zone := "", ""
		if h.Instance != nil {
			id, zone = h.Instance.InstanceID, h.Instance.AvailabilityZone
		} else { // from the cache: read the aws_ec2-shaped vars
			id, _ = h.Vars["instance_id"].(string)
			if p, ok := h.Vars["placement"].(map[string]any); ok {
				zone, _ = p["availability_zone"].(string)
			}
		}
		gs := groupsOf[h.Name]
		list := ""
		for i, g := range gs {
			if i == 6 {
				list += fmt.Sprintf(" +%d", len(gs)-6)
				break
			}
			if i > 0 {
				list += ","
			}
			list += g
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", h.Name, ah, id, zone, list)
	}
	fmt.Fprintf(tw, "\n%d hosts, %d groups\n", len(inv.Hosts), len(inv.Groups))
	return tw.Flush()
}

// jsonWriter is a small, allocation-light JSON encoder for the value types
// the inventory holds; anything else goes through encoding/json.
type jsonWriter struct {
	w   io.Writer
	buf []byte
	err error
	// orders holds the sorted keys of the objects written so far, by
	// parent key and key set (see sortedKeys).
	orders map[keySet][]string
	seed   maphash.Seed
}

func (j *jsonWriter) raw(s string) {
	j.buf = append(j.buf, s...)
	if j.w != nil && len(j.buf) > 60<<10 {
		j.flush()
	}
}

func (j *jsonWriter) flush() error {
	if j.err == nil && len(j.buf) > 0 {
		_, j.err = j.w.Write(j.buf)
	}
	j.buf = j.buf[:0]
	return j.err
}

// plain marks the bytes a JSON string holds as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (j *jsonWriter) str(s string) {
	for i := 0; i < len(s); i++ {
		if !plain[s[i]] {
			b, _ := json.Marshal(s)
			j.buf = append(j.buf, b...)
			return
		}
	}
	j.buf = append(j.buf, '"')
	j.buf = append(j.buf, s...)
	j.buf = append(j.buf, '"')
}

func (j *jsonWriter) strings(l []string) {
	j.buf = append(j.buf, '[')
	for i, s := range l {
		if i > 0 {
			j.buf = append(j.buf, ',')
		}
		j.str(s)
		if j.w != nil && len(j.buf) > 60<<10 {
			j.flush()
		}
	}
	j.buf = append(j.buf, ']')
}

func (j *jsonWriter) object(m map[string]any) { j.objectUnder("", m) }

// objectUnder writes m, the value of key parent ("" at the top).
func (j *jsonWriter) objectUnder(parent string, m map[string]any) {
	keys := j.sortedKeys(parent, m)
	j.buf = append(j.buf, '{')
	for i, k := range keys {
		if i > 0 {
			j.buf = append(j.buf, ',')
		}
		j.str(k)
		j.buf = append(j.buf, ':')
		if sub, ok := m[k].(map[string]any); ok {
			j.objectUnder(k, sub)
		} else {
			j.value(m[k])
		}
	}
	j.buf = append(j.buf, '}')
}

// sortedKeys returns m's keys in order, reusing the order of an earlier
// object under the same parent key with the same key set: hosts'
// variables share a few key sets, so a sum of key hashes (independent of
// map order) finds the set, a lookup of each key confirms it, and most
// objects need no sort.
func (j *jsonWriter) sortedKeys(parent string, m map[string]any) []string {
	if j.orders == nil {
		j.orders = map[keySet][]string{}
		j.seed = maphash.MakeSeed()
	}
	set := keySet{parent: parent, n: len(m)}
	for k := range m {
		set.sum += maphash.String(j.seed, k)
	}
	if keys, ok := j.orders[set]; ok && hasKeys(m, keys) {
		return keys
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	j.orders[set] = keys
	return keys
}

// keySet identifies the keys of an object under a parent key.
type keySet struct {
	parent string
	n      int
	sum    uint64 // of the keys' hashes
}

func hasKeys(m map[string]any, keys []string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

func (j *jsonWriter) value(v any) {
	switch x := v.(type) {
	case nil:
		j.buf = append(j.buf, "null"...)
	case string:
		j.str(x)
	case bool:
		j.buf = strconv.AppendBool(j.buf, x)
	case int:
		j.buf = strconv.AppendInt(j.buf, int64(x), 10)
	case int64:
		j.buf = strconv.AppendInt(j.buf, x, 10)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			j.buf = append(j.buf, "null"...)
		} else {
			j.buf = strconv.AppendFloat(j.buf, x, 'g', -1, 64)
		}
	case map[string]any:
		j.object(x)
	case []any:
		j.buf = append(j.buf, '[')
		for i, e := range x {
			if i > 0 {
				j.buf = append(j.buf, ',')
			}
			j.value(e)
		}
		j.buf = append(j.buf, ']')
	case []string:
		j.strings(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			b, _ = json.Marshal(fmt.Sprint(x))
		}
		j.buf = append(j.buf, b...)
	}
}
