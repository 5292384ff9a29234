package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dockwright/dockwright/internal/clitest"
)

// A real health-dashboard serve tells the notifier plugins (the shipped
// notify-webhook, through the plugin host helper) when a target goes down
// and when it recovers, as health.changed events.
func TestServeNotifiesStateChanges(t *testing.T) {
	kit := clitest.BuildNotifyKit(t)
	hook := kit.Hook(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "health-dashboard")
	clitest.Build(t, bin, "github.com/dockwright/dockwright/tools/health-dashboard")

	var down atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer target.Close()
	cat := filepath.Join(dir, "services.yml")
	os.WriteFile(cat, []byte("environments:\n  dev: {endpoint: \""+target.URL+"/{service}\"}\nservices:\n  web: {host_port: 8001}\n"), 0o644)

	cmd := exec.Command(bin, "serve", "--env", "dev", "--catalog", cat, "--listen", "127.0.0.1:0",
		"--interval", "100ms", "--down-after", "1", "--retries", "0", "--notify", hook.File)
	cmd.Env = hook.Env()
	stderr := &clitest.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	waitFor := func(to string) map[string]any {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			for _, e := range hook.Events() {
				if d, _ := e["details"].(map[string]any); d != nil && d["to"] == to {
					return e
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("no health.changed to %s within 30s; events %v\nstderr:\n%s", to, hook.Events(), stderr)
		return nil
	}
	time.Sleep(300 * time.Millisecond) // a few healthy rounds first: unknown -> healthy is not news
	down.Store(true)
	e := waitFor("down")
	if e["kind"] != "health.changed" || e["source"] != "health-dashboard" || e["service"] != "web" || e["env"] != "dev" {
		t.Errorf("down event = %v", e)
	}
	if s, _ := e["summary"].(string); s != "web "+target.URL+"/web/health: healthy -> down (status 503, want 200)" {
		t.Errorf("summary = %q", s)
	}
	down.Store(false)
	waitFor("healthy")
	for _, k := range hook.Kinds() {
		if k != "health.changed" {
			t.Errorf("unexpected event kind %q", k)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, stderr)
	}
}
