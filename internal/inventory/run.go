package inventory

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/dockwright/dockwright/internal/ansiblelist"
)

// Options are what one ec2-inventory invocation asks for.
type Options struct {
	Config       *Config
	Host         string // --host NAME; empty means --list
	RefreshCache bool
	Table        bool // readable table instead of JSON (--list only)
	Version      string
	Getenv       func(string) string // nil means os.Getenv; used for the cache key
	Now          func() time.Time
	// Accounts builds the EC2 clients; nil means the AWS SDK (Accounts).
	Accounts func(context.Context, *Config, *slog.Logger) ([]Account, error)
	Log      *slog.Logger
}

// Run produces the inventory (from the cache when it is on and fresh) and
// writes the --list or --host output to stdout. Nothing is written to stdout
// unless the whole inventory was built.
func Run(ctx context.Context, stdout io.Writer, o Options) error {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Accounts == nil {
		o.Accounts = Accounts
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	cache := NewCache(o.Config, o.Version, o.Getenv)
	if cache != nil && !o.RefreshCache {
		if data, ok := cache.Get(o.Now()); ok {
			o.Log.Debug("serving from cache", "path", cache.Path())
			return output(stdout, data, nil, o)
		}
	}
	accounts, err := o.Accounts(ctx, o.Config, o.Log)
	if err != nil {
		return err
	}
	instances, err := Fetch(ctx, o.Config, accounts, o.Log)
	if err != nil {
		return err
	}
	if len(o.Config.Plugins) > 0 {
		extra, err := PluginInstances(ctx, o.Config)
		if err != nil {
			return err
		}
		instances = append(instances, extra...)
	}
	inv, err := Build(o.Config, instances)
	if err != nil {
		return err
	}
	warnBuild(o.Log, inv)
	var data []byte
	if cache != nil {
		var buf bytes.Buffer
		if err := WriteList(&buf, inv); err != nil {
			return err
		}
		data = buf.Bytes()
		if err := cache.Put(data); err != nil {
			o.Log.Warn("inventory cache not written", "err", err)
		}
	}
	return output(stdout, data, inv, o)
}

// warnBuild logs what strict: false let through: each config warning, and
// one summary naming the hosts left out because an expression failed.
func warnBuild(log *slog.Logger, inv *Inventory) {
	for _, w := range inv.Warnings {
		log.Warn(w)
	}
	if len(inv.Skipped) == 0 {
		return
	}
	const show = 20
	var names []string
	for i, h := range inv.Skipped {
		if i == show {
			names = append(names, fmt.Sprintf("and %d more", len(inv.Skipped)-show))
			break
		}
		names = append(names, h.Name+" ("+h.InstanceID+")")
	}
	log.Warn(fmt.Sprintf("skipped %d hosts whose expressions failed (strict: false): %s", len(inv.Skipped), strings.Join(names, ", ")),
		"first_error", inv.Skipped[0].Err)
}

// output prints from an inventory, or from cached --list bytes when inv is nil.
func output(stdout io.Writer, data []byte, inv *Inventory, o Options) error {
	if o.Host == "" && !o.Table {
		if data != nil {
			_, err := stdout.Write(data)
			return err
		}
		return WriteList(stdout, inv)
	}
	if inv == nil {
		var err error
		if inv, err = ParseList(data); err != nil {
			return fmt.Errorf("reading cached inventory (use --refresh-cache): %w", err)
		}
	}
	if o.Table {
		return WriteTable(stdout, inv)
	}
	i := sort.Search(len(inv.Hosts), func(i int) bool { return inv.Hosts[i].Name >= o.Host })
	if i == len(inv.Hosts) || inv.Hosts[i].Name != o.Host {
		return fmt.Errorf("%w: %q is not in the inventory (%d hosts); ec2-inventory --list shows them", ErrUnknownHost, o.Host, len(inv.Hosts))
	}
	return WriteHostVars(stdout, inv.Hosts[i].Vars)
}

// ParseList reads --list output back into an Inventory (without instances).
func ParseList(data []byte) (*Inventory, error) {
	l, err := ansiblelist.Parse(data)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{Groups: make(map[string]*Group, len(l.Groups)), Hosts: make([]Host, 0, len(l.Hostvars))}
	for name, vars := range l.Hostvars {
		inv.Hosts = append(inv.Hosts, Host{Name: name, Vars: vars})
	}
	sort.Slice(inv.Hosts, func(i, j int) bool { return inv.Hosts[i].Name < inv.Hosts[j].Name })
	for name, g := range l.Groups {
		inv.Groups[name] = &Group{Hosts: g.Hosts, Children: g.Children, Vars: g.Vars}
	}
	return inv, nil
}
