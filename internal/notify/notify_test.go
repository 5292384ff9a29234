package notify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	n, err := Load("", nil)
	if err != nil || len(n.Specs) != 0 {
		t.Fatalf("no file: %v %v", n, err)
	}
	n.Emit(context.Background(), Event{Kind: "x"}) // nothing configured: nothing happens
	dir := t.TempDir()
	good := filepath.Join(dir, "n.yml")
	os.WriteFile(good, []byte("notifiers:\n  - name: webhook\n    config: {url: http://x}\n"), 0o644)
	if n, err := Load(good, nil); err != nil || n.Specs[0].Config["url"] != "http://x" {
		t.Errorf("Load = %+v, %v", n, err)
	}
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("notifier:\n  - name: x\n"), 0o644)
	if _, err := Load(bad, nil); err == nil || !strings.Contains(err.Error(), "bad.yml") {
		t.Errorf("bad file: %v", err)
	}
	noname := filepath.Join(dir, "noname.yml")
	os.WriteFile(noname, []byte("notifiers:\n  - config: {}\n"), 0o644)
	if _, err := Load(noname, nil); err == nil {
		t.Error("a notifier without a name was accepted")
	}
	badTimeout := filepath.Join(dir, "timeout.yml")
	os.WriteFile(badTimeout, []byte("notifiers:\n  - name: webhook\n    timeout: 10\n"), 0o644)
	if _, err := Load(badTimeout, nil); err == nil || !strings.Contains(err.Error(), `timeout.yml: notifier webhook: timeout "10"`) {
		t.Errorf("bad timeout: %v", err)
	}
}
