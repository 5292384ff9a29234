// Package notify sends dockwright's events (prune and retention summaries,
// promotions, deploys, health changes) to the notifier plugins a
// configuration names. Plugins run through the dockwright-plugin-host
// helper, so a binary links no gRPC and a run without notifiers pays
// nothing. A failed notification is logged, never a failed job.
package notify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dockwright/dockwright/internal/pluginexec"
	"github.com/dockwright/dockwright/internal/yamlerr"
	"github.com/dockwright/dockwright/plugins/sdk/contract"
)

// Env names the notifiers file when no flag does.
const Env = "DOCKWRIGHT_NOTIFY"

// Spec is one notifier plugin (dockwright-plugin-notify-NAME).
type Spec = pluginexec.Spec

// Event is what notifiers are told (plugins/sdk/contract; the SDK's Event
// is the same type, without the SDK's gRPC imports).
type Event = contract.Event

// Notifiers sends events to the configured plugins.
type Notifiers struct {
	Specs []Spec
	Log   *slog.Logger
}

// Load reads a notifiers file (`notifiers: [...]`); an empty path means
// none.
func Load(path string, log *slog.Logger) (*Notifiers, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Notifiers{Log: log}
	if path == "" {
		return n, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading notifiers: %w", err)
	}
	var f struct {
		Notifiers []Spec `yaml:"notifiers"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s", yamlerr.Join(path, err, "key"))
	}
	for _, s := range f.Notifiers {
		if s.Name == "" {
			return nil, fmt.Errorf("%s: a notifier without a name", path)
		}
		if err := pluginexec.ValidName(s.Name); err != nil {
			return nil, fmt.Errorf("%s: notifier: %w", path, err)
		}
		if _, err := s.TimeoutDuration(); err != nil {
			return nil, fmt.Errorf("%s: notifier %s: %w", path, s.Name, err)
		}
	}
	n.Specs = f.Notifiers
	return n, nil
}

// Emit sends e to every notifier; failures are logged as warnings.
func (n *Notifiers) Emit(ctx context.Context, e Event) {
	if n == nil || len(n.Specs) == 0 {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	for _, s := range n.Specs {
		if err := send(ctx, s, e); err != nil {
			n.Log.Warn("notification not sent", "notifier", s.Name, "event", e.Kind, "err", err)
		}
	}
}

func send(ctx context.Context, s Spec, e Event) error {
	_, err := pluginexec.Call(ctx, pluginexec.ModeNotify, pluginexec.Request{Spec: &s, Event: &e})
	return err
}
