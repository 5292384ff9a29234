package clitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// NotifyKit is what a test needs to watch a binary's events arrive at a
// notifier plugin for real: the plugin host helper (dockwright-plugin-host)
// in BinDir and the shipped notify-webhook plugin in PluginDir, both built
// from this checkout.
type NotifyKit struct {
	BinDir, PluginDir string
}

// BuildNotifyKit builds the kit into a temporary directory of t.
func BuildNotifyKit(t testing.TB) *NotifyKit {
	t.Helper()
	dir := t.TempDir()
	k := &NotifyKit{BinDir: filepath.Join(dir, "bin"), PluginDir: filepath.Join(dir, "plugins")}
	Build(t, filepath.Join(k.BinDir, "dockwright-plugin-host"), "github.com/dockwright/dockwright/tools/dockwright-plugin-host")
	Build(t, filepath.Join(k.PluginDir, "dockwright-plugin-notify-webhook"), "github.com/dockwright/dockwright/plugins/notify-webhook")
	return k
}

// Build runs go build -o out pkg (a package path of this module).
func Build(t testing.TB, out, pkg string) {
	t.Helper()
	if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

// Hook receives the events the notify-webhook plugin posts.
type Hook struct {
	URL  string // where the plugin posts
	File string // a notifiers file (notifiers: [webhook -> URL])
	kit  *NotifyKit
	mu   sync.Mutex
	evs  []map[string]any
	log  *os.File // each event as a JSON line too, when not nil
}

func (k *NotifyKit) hook(dir string, log *os.File) (*Hook, func(), error) {
	h := &Hook{kit: k, log: log}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e map[string]any
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.evs = append(h.evs, e)
		if h.log != nil {
			line, _ := json.Marshal(e)
			h.log.Write(append(line, '\n'))
		}
	}))
	h.URL = srv.URL
	h.File = filepath.Join(dir, "notify.yml")
	err := os.WriteFile(h.File, []byte("notifiers:\n  - name: webhook\n    config: {url: \""+srv.URL+"\", retries: \"0\"}\n"), 0o644)
	return h, srv.Close, err
}

// Hook starts a receiver for the duration of t.
func (k *NotifyKit) Hook(t testing.TB) *Hook {
	t.Helper()
	h, stop, err := k.hook(t.TempDir(), nil)
	t.Cleanup(stop)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Env is the environment a binary needs to find the helper and the
// plugin: os.Environ() plus DOCKWRIGHT_PLUGIN_DIR and PATH.
func (h *Hook) Env() []string {
	return append(os.Environ(), "DOCKWRIGHT_PLUGIN_DIR="+h.kit.PluginDir,
		"PATH="+h.kit.BinDir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// Events returns the events received so far.
func (h *Hook) Events() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.evs...)
}

// Kinds returns the kinds of the events received so far, in order.
func (h *Hook) Kinds() []string {
	var out []string
	for _, e := range h.Events() {
		k, _ := e["kind"].(string)
		out = append(out, k)
	}
	return out
}

// Setup prepares a testscript run: a receiver that appends each event as
// a JSON line to $WORK/events.jsonl, $NOTIFY naming its notifiers file,
// and the helper and plugin on the script's PATH and plugin dir.
func (k *NotifyKit) Setup(env *testscript.Env) error {
	log, err := os.Create(filepath.Join(env.WorkDir, "events.jsonl"))
	if err != nil {
		return err
	}
	h, stop, err := k.hook(env.WorkDir, log)
	env.Defer(func() { stop(); log.Close() })
	if err != nil {
		return err
	}
	env.Setenv("NOTIFY", h.File)
	env.Setenv("DOCKWRIGHT_PLUGIN_DIR", k.PluginDir)
	env.Setenv("PATH", k.BinDir+string(os.PathListSeparator)+env.Getenv("PATH"))
	return nil
}
