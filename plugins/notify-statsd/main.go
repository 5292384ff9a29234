// Command dockwright-plugin-notify-statsd is a notifier plugin shipped with
// dockwright: it counts each event and gauges the numbers in its details,
// over UDP to a StatsD server.
//
// Settings: `address` HOST:PORT (required), `prefix` (default
// "dockwright"), `tags`: "dogstatsd" to send service, env and source as
// DogStatsD tags instead of in the metric name.
//
//	prefix.KIND[.ENV.SERVICE]:1|c             one per event
//	prefix.KIND[.ENV.SERVICE].FIELD:VALUE|g   each number in the details
//	                                         (nested objects: FIELD.SUB)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/dockwright/dockwright/plugins/sdk"
)

type statsd struct{}

func (statsd) Notify(ctx context.Context, e sdk.Event, config map[string]string) error {
	addr := config["address"]
	if addr == "" {
		return errors.New("notify-statsd: no `address` setting (HOST:PORT)")
	}
	lines, err := Lines(e, config["prefix"], config["tags"] == "dogstatsd")
	if err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return fmt.Errorf("notify-statsd: %w", err)
	}
	defer conn.Close()
	// One datagram per line: every StatsD server reads those, and a line
	// never outgrows a packet.
	for _, l := range lines {
		if _, err := conn.Write([]byte(l)); err != nil {
			return fmt.Errorf("notify-statsd: %s: %w", addr, err)
		}
	}
	return nil
}

// Lines is what an event becomes: a counter, then a gauge per number in
// its details, in name order.
func Lines(e sdk.Event, prefix string, dogTags bool) ([]string, error) {
	if prefix == "" {
		prefix = "dockwright"
	}
	if e.Kind == "" {
		return nil, errors.New("notify-statsd: an event without a kind")
	}
	name := prefix + "." + clean(e.Kind)
	suffix := ""
	if dogTags {
		var tags []string
		for _, t := range [][2]string{{"service", e.Service}, {"env", e.Env}, {"source", e.Source}} {
			if t[1] != "" {
				tags = append(tags, t[0]+":"+strings.NewReplacer(",", "_", "|", "_", "#", "_").Replace(t[1]))
			}
		}
		if len(tags) > 0 {
			suffix = "|#" + strings.Join(tags, ",")
		}
	} else {
		for _, p := range []string{e.Env, e.Service} {
			if p != "" {
				name += "." + clean(p)
			}
		}
	}
	lines := []string{name + ":1|c" + suffix}
	if len(e.Details) > 0 {
		var d any
		if err := json.Unmarshal(e.Details, &d); err != nil {
			return nil, fmt.Errorf("notify-statsd: details: %w", err)
		}
		gauges := map[string]float64{}
		numbers("", d, 0, gauges)
		keys := make([]string, 0, len(gauges))
		for k := range gauges {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			lines = append(lines, name+"."+k+":"+strconv.FormatFloat(gauges[k], 'f', -1, 64)+"|g"+suffix)
		}
	}
	return lines, nil
}

// numbers collects the numbers of v (two levels of objects deep).
func numbers(path string, v any, depth int, out map[string]float64) {
	switch v := v.(type) {
	case float64:
		if path != "" {
			out[path] = v
		}
	case map[string]any:
		if depth >= 2 {
			return
		}
		for k, sub := range v {
			p := clean(k)
			if path != "" {
				p = path + "." + p
			}
			numbers(p, sub, depth+1, out)
		}
	}
}

// clean keeps a metric name part to letters, digits, '_', '-' and '.'.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}

func main() { sdk.ServeNotifier(statsd{}) }
