package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	rt "github.com/dockwright/dockwright/internal/registrytest"
)

// A notifier plugin (the shipped notify-webhook) receives the summary of a
// real registry-pruner run against the test registry.
func TestNotifierReceivesPruneSummary(t *testing.T) {
	reg := rt.Start(t, rt.V3)
	rt.Service(t, reg.Host, "notified", 6)
	var mu sync.Mutex
	var events []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e map[string]any
		json.NewDecoder(r.Body).Decode(&e)
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}))
	defer hook.Close()
	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	for _, b := range [][2]string{
		{filepath.Join(dir, "registry-pruner"), "."},
		{filepath.Join(dir, "dockwright-plugin-host"), "../dockwright-plugin-host"},
		{filepath.Join(plugins, "dockwright-plugin-notify-webhook"), "../../plugins/notify-webhook"},
	} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	cfg := filepath.Join(dir, "notify.yml")
	os.WriteFile(cfg, []byte("notifiers:\n  - name: webhook\n    config: {url: "+hook.URL+"}\n"), 0o644)
	cmd := exec.Command(filepath.Join(dir, "registry-pruner"), "--repo", reg.Host+"/notified", "--keep", "2", "--notify", cfg, "-o", "json")
	cmd.Env = append(os.Environ(), "DOCKWRIGHT_PLUGIN_DIR="+plugins, "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("registry-pruner: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 1 {
		t.Fatalf("events = %v, want one prune.summary", events)
	}
	e := events[0]
	if e["kind"] != "prune.summary" || e["source"] != "registry-pruner" || !strings.Contains(e["summary"].(string), "manifests deleted") {
		t.Errorf("event = %v", e)
	}
	if d, _ := e["details"].(map[string]any); d == nil || d["summary"].(map[string]any)["manifests_deleted"].(float64) < 1 {
		t.Errorf("details = %v", e["details"])
	}
}
