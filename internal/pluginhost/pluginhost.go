// Package pluginhost finds, verifies, starts and talks to dockwright
// plugins (plugins/sdk): executables named dockwright-plugin-<kind>-<name>
// in the plugin directories, verified by a pinned SHA-256 before they
// start, started lazily, every call bounded by a timeout, killed when the
// host is done. A crashed or hanging plugin is an error naming it, never
// a hang.
package pluginhost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/dockwright/dockwright/internal/pluginexec"
	"github.com/dockwright/dockwright/plugins/sdk"
)

// DirEnv names the first plugin directory searched.
const DirEnv = "DOCKWRIGHT_PLUGIN_DIR"

// Errors returned by this package; callers use errors.Is.
var (
	// ErrNotFound means no executable of that kind and name in the
	// plugin directories.
	ErrNotFound = errors.New("plugin not found")
	// ErrChecksum means the executable's SHA-256 is not the pinned one.
	ErrChecksum = errors.New("plugin checksum mismatch")
	// ErrPlugin means the plugin failed, crashed or did not answer in time.
	ErrPlugin = errors.New("plugin failed")
)

// Spec says which plugin to use and how.
type Spec struct {
	Kind string `yaml:"kind" json:"kind"`
	Name string `yaml:"name" json:"name"`
	// SHA256 pins the executable (hex); empty means not pinned.
	SHA256 string `yaml:"sha256" json:"sha256,omitempty"`
	// Config is handed to the plugin on every call.
	Config map[string]string `yaml:"config" json:"config,omitempty"`
	// Timeout bounds each call (default pluginexec.DefaultTimeout).
	Timeout time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// SpecFrom is the spec of a plugin entry of a configuration file or a
// helper request (pluginexec.Spec) with its timeout parsed; the kind is
// set by the Host method that starts it.
func SpecFrom(s pluginexec.Spec) (Spec, error) {
	d, err := s.TimeoutDuration()
	if err != nil {
		return Spec{}, fmt.Errorf("plugin %s: %w", s.Name, err)
	}
	return Spec{Name: s.Name, SHA256: s.SHA256, Config: s.Config, Timeout: d}, nil
}

// FileName is the executable's name for kind and name.
func FileName(kind, name string) string { return "dockwright-plugin-" + kind + "-" + name }

// Dirs are the directories searched, in order: $DOCKWRIGHT_PLUGIN_DIR, the
// user's ($XDG_DATA_HOME or ~/.local/share)/dockwright/plugins, then
// /usr/local/lib/dockwright/plugins.
func Dirs() []string {
	var dirs []string
	if d := os.Getenv(DirEnv); d != "" {
		dirs = append(dirs, filepath.SplitList(d)...)
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		if home, err := os.UserHomeDir(); err == nil {
			data = filepath.Join(home, ".local", "share")
		}
	}
	if data != "" {
		dirs = append(dirs, filepath.Join(data, "dockwright", "plugins"))
	}
	return append(dirs, "/usr/local/lib/dockwright/plugins")
}

// Find returns the path of the plugin in dirs. A kind or name that could
// name a file outside them is refused (pluginexec.ErrInvalidName).
func Find(dirs []string, kind, name string) (string, error) {
	for _, part := range []string{kind, name} {
		if err := pluginexec.ValidName(part); err != nil {
			return "", err
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, FileName(kind, name))
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s in %s", ErrNotFound, FileName(kind, name), strings.Join(dirs, ", "))
}

// Host starts plugins and keeps them until Close.
type Host struct {
	Dirs []string
	Log  *slog.Logger

	mu      sync.Mutex
	clients []*plugin.Client
}

// New returns a Host searching Dirs().
func New(log *slog.Logger) *Host {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Host{Dirs: Dirs(), Log: log}
}

// Close kills every plugin started.
func (h *Host) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.clients {
		c.Kill()
	}
	h.clients = nil
}

// start finds, verifies and starts a plugin, and dispenses its kind.
func (h *Host) start(ctx context.Context, s Spec) (any, error) {
	if h.Log == nil {
		h.Log = slog.New(slog.DiscardHandler)
	}
	path, err := Find(h.Dirs, s.Kind, s.Name)
	if err != nil {
		return nil, err
	}
	var secure *plugin.SecureConfig
	if s.SHA256 != "" {
		want, err := hex.DecodeString(strings.TrimPrefix(s.SHA256, "sha256:"))
		if err != nil || len(want) != sha256.Size {
			return nil, fmt.Errorf("%w: %s: pinned sha256 %q is not 64 hex digits", ErrChecksum, path, s.SHA256)
		}
		if got, err := fileSHA256(path); err != nil {
			return nil, err
		} else if got != hex.EncodeToString(want) {
			return nil, fmt.Errorf("%w: %s has sha256 %s, pinned %s: refusing to start it", ErrChecksum, path, got, hex.EncodeToString(want))
		}
		secure = &plugin.SecureConfig{Checksum: want, Hash: sha256.New()}
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		Plugins:          sdk.Plugins(),
		Cmd:              exec.Command(path),
		SecureConfig:     secure,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     10 * time.Second,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: FileName(s.Kind, s.Name), Output: logWriter{h.Log, FileName(s.Kind, s.Name)}, Level: hclog.Debug}),
		Stderr:           logWriter{h.Log, FileName(s.Kind, s.Name)},
	})
	h.mu.Lock()
	h.clients = append(h.clients, client)
	h.mu.Unlock()
	rpc, err := client.Client()
	if err != nil {
		return nil, fmt.Errorf("%w: starting %s: %v", ErrPlugin, path, handshakeError(err))
	}
	raw, err := rpc.Dispense(s.Kind)
	if err != nil {
		return nil, fmt.Errorf("%w: %s does not serve kind %q: %v", ErrPlugin, path, s.Kind, err)
	}
	return raw, nil
}

// handshakeError says what a failed handshake means: go-plugin's own
// messages name neither dockwright's protocol version nor the cookie.
func handshakeError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "incompatible API version"):
		return fmt.Errorf("it speaks another dockwright plugin protocol version than this host's %d (%v): rebuild it against this release's plugins/sdk", sdk.ProtocolVersion, err)
	case strings.Contains(msg, "exited before we could connect"), strings.Contains(msg, "Unrecognized remote plugin message"):
		// Which of the two go-plugin says depends on a race with the
		// process's exit.
		return fmt.Errorf("it did not complete the handshake: not a dockwright plugin, or one that does not accept the %s cookie (its stderr is in the debug log): %v", sdk.Handshake.MagicCookieKey, err)
	}
	return err
}

// logWriter forwards plugin output to the host's log at debug level.
type logWriter struct {
	log  *slog.Logger
	name string
}

func (w logWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if line != "" {
			w.log.Debug(line, "plugin", w.name)
		}
	}
	return len(p), nil
}

var _ io.Writer = logWriter{}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// call bounds a call by the spec's timeout and names the plugin in errors.
func call[T any](ctx context.Context, s Spec, f func(ctx context.Context) (T, error)) (T, error) {
	t := s.Timeout
	if t <= 0 {
		t = pluginexec.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, t)
	defer cancel()
	v, err := f(ctx)
	if err != nil {
		var zero T
		// gRPC may give up on the deadline a moment before the context's
		// own timer marks it done: look at the clock too.
		dl, _ := ctx.Deadline()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || !time.Now().Before(dl) {
			return zero, fmt.Errorf("%w: %s did not answer within %s", ErrPlugin, FileName(s.Kind, s.Name), t)
		}
		return zero, fmt.Errorf("%w: %s: %v", ErrPlugin, FileName(s.Kind, s.Name), err)
	}
	return v, nil
}

// lazy is a plugin of one kind, started on first use and kept until the
// host closes.
type lazy[T any] struct {
	host *Host
	spec Spec
	once sync.Once
	impl T
	err  error
}

func (l *lazy[T]) get(ctx context.Context) (T, error) {
	l.once.Do(func() {
		raw, err := l.host.start(ctx, l.spec)
		if err == nil {
			l.impl = raw.(T)
		}
		l.err = err
	})
	return l.impl, l.err
}

// SecretSource is a secrets plugin, started on first use.
type SecretSource struct{ lazy[sdk.SecretSource] }

// SecretSource returns a lazily started secrets plugin.
func (h *Host) SecretSource(s Spec) *SecretSource {
	s.Kind = sdk.KindSecrets
	return &SecretSource{lazy[sdk.SecretSource]{host: h, spec: s}}
}

// Resolve resolves refs through the plugin.
func (p *SecretSource) Resolve(ctx context.Context, refs []string) (map[string]string, error) {
	impl, err := p.get(ctx)
	if err != nil {
		return nil, err
	}
	return call(ctx, p.spec, func(ctx context.Context) (map[string]string, error) {
		return impl.Resolve(ctx, refs, p.spec.Config)
	})
}

// Notifier is a notifier plugin, started on first use.
type Notifier struct{ lazy[sdk.Notifier] }

// Notifier returns a lazily started notifier plugin.
func (h *Host) Notifier(s Spec) *Notifier {
	s.Kind = sdk.KindNotify
	return &Notifier{lazy[sdk.Notifier]{host: h, spec: s}}
}

// Notify sends e through the plugin.
func (p *Notifier) Notify(ctx context.Context, e sdk.Event) error {
	impl, err := p.get(ctx)
	if err != nil {
		return err
	}
	_, err = call(ctx, p.spec, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, impl.Notify(ctx, e, p.spec.Config)
	})
	return err
}

// InventorySource is an inventory plugin, started on first use.
type InventorySource struct {
	host *Host
	spec Spec
}

// InventorySource returns a lazily started inventory plugin.
func (h *Host) InventorySource(s Spec) *InventorySource {
	s.Kind = sdk.KindInventory
	return &InventorySource{host: h, spec: s}
}

// ListHosts lists the plugin's hosts.
func (p *InventorySource) ListHosts(ctx context.Context) ([]sdk.Host, error) {
	raw, err := p.host.start(ctx, p.spec)
	if err != nil {
		return nil, err
	}
	impl := raw.(sdk.InventorySource)
	return call(ctx, p.spec, func(ctx context.Context) ([]sdk.Host, error) { return impl.ListHosts(ctx, p.spec.Config) })
}
