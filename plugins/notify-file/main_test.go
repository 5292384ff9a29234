package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockwright/dockwright/plugins/sdk"
	"github.com/dockwright/dockwright/plugins/sdk/sdktest"
)

// Through the real gRPC plumbing: one JSON line per event, appended, whole
// lines even when many notifications run at once.
func TestNotifyAppendsLines(t *testing.T) {
	n := sdktest.Notifier(t, file{})
	path := filepath.Join(t.TempDir(), "events.jsonl")
	cfg := map[string]string{"path": path}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := sdk.Event{Kind: "deploy.started", Source: "ansible", Service: fmt.Sprintf("svc%02d", i), Time: time.Now(), Summary: strings.Repeat("x", 2000)}
			if err := n.Notify(context.Background(), e, cfg); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	seen := map[string]bool{}
	for sc.Scan() {
		var e sdk.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		seen[e.Service] = true
	}
	if len(seen) != 20 {
		t.Errorf("%d distinct events, want 20", len(seen))
	}
	if err := n.Notify(context.Background(), sdk.Event{Kind: "x"}, nil); err == nil || !strings.Contains(err.Error(), "no `path` setting") {
		t.Errorf("without a path: %v", err)
	}
	if err := n.Notify(context.Background(), sdk.Event{Kind: "x"}, map[string]string{"path": "/nonexistent/dir/events.jsonl"}); err == nil {
		t.Error("an unwritable path was accepted")
	}
}
