package envconfig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadPlugins(t *testing.T) {
	dir := t.TempDir()
	if specs, err := LoadPlugins(dir, ""); err != nil || specs != nil {
		t.Fatalf("no plugins.yml: %v %v", specs, err)
	}
	os.WriteFile(filepath.Join(dir, PluginsFile), []byte("secrets:\n  - name: vault\n    sha256: abc\n    config: {addr: https://vault}\n    timeout: 5s\n"), 0o644)
	specs, err := LoadPlugins(dir, "")
	if err != nil || len(specs) != 1 || specs[0].Name != "vault" || specs[0].Config["addr"] != "https://vault" {
		t.Fatalf("LoadPlugins = %+v, %v", specs, err)
	}
	os.WriteFile(filepath.Join(dir, "bad.yml"), []byte("secret:\n  - name: x\n"), 0o644)
	if _, err := LoadPlugins(dir, filepath.Join(dir, "bad.yml")); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "bad.yml:1") {
		t.Errorf("bad file: %v", err)
	}
}

func TestRefResolver(t *testing.T) {
	r := RefResolver(func(_ context.Context, refs []string) (map[string]string, error) {
		return map[string]string{refs[0]: "v"}, nil
	})
	ref, _, _ := ParseRef("ref+vault://secret/db")
	got, err := r.Resolve(context.Background(), []Ref{ref})
	if err != nil || got["ref+vault://secret/db"] != "v" {
		t.Errorf("Resolve = %v, %v", got, err)
	}
}
