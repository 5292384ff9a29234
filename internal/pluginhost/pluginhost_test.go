package pluginhost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockwright/dockwright/internal/clitest"
	"github.com/dockwright/dockwright/internal/pluginexec"
)

// build compiles a plugin into dir under its dockwright-plugin-... name.
func build(t *testing.T, dir, pkg, kind, name string) string {
	t.Helper()
	out := filepath.Join(dir, FileName(kind, name))
	clitest.Build(t, out, pkg)
	return out
}

func sum(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestRealPlugins(t *testing.T) {
	dir := t.TempDir()
	dotenv := build(t, dir, "../../plugins/secrets-dotenv", "secrets", "dotenv")
	build(t, dir, "./testdata/misbehave", "secrets", "misbehave")
	secrets := filepath.Join(t.TempDir(), "secrets.env")
	os.WriteFile(secrets, []byte("# db\nDB_PASSWORD=hunter2\nexport API_KEY='k-123'\n"), 0o600)
	ctx := context.Background()
	h := &Host{Dirs: []string{filepath.Join(dir, "missing"), dir}}
	defer h.Close()

	t.Run("pinned and verified", func(t *testing.T) {
		p := h.SecretSource(Spec{Name: "dotenv", SHA256: sum(t, dotenv), Config: map[string]string{"path": secrets}})
		got, err := p.Resolve(ctx, []string{"ref+dotenv://DB_PASSWORD", "ref+dotenv://API_KEY", "ref+dotenv://NOPE"})
		if err != nil || got["ref+dotenv://DB_PASSWORD"] != "hunter2" || got["ref+dotenv://API_KEY"] != "k-123" || len(got) != 2 {
			t.Fatalf("Resolve = %v, %v", got, err)
		}
	})
	t.Run("checksum mismatch refused", func(t *testing.T) {
		p := h.SecretSource(Spec{Name: "dotenv", SHA256: strings.Repeat("0", 64)})
		_, err := p.Resolve(ctx, []string{"ref+dotenv://DB_PASSWORD"})
		if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "refusing to start it") {
			t.Fatalf("error = %v, want ErrChecksum", err)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := h.SecretSource(Spec{Name: "vault"}).Resolve(ctx, []string{"ref+vault://x"})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "dockwright-plugin-secrets-vault") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("plugin error", func(t *testing.T) {
		_, err := h.SecretSource(Spec{Name: "dotenv"}).Resolve(ctx, []string{"ref+dotenv://X"})
		if !errors.Is(err, ErrPlugin) || !strings.Contains(err.Error(), "no `path` setting") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("hang past the timeout", func(t *testing.T) {
		p := h.SecretSource(Spec{Name: "misbehave", Timeout: 300 * time.Millisecond})
		if got, err := p.Resolve(ctx, []string{"ref+misbehave://ok"}); err != nil || got["ref+misbehave://ok"] != "fine" {
			t.Fatalf("first call: %v %v", got, err)
		}
		_, err := p.Resolve(ctx, []string{"ref+misbehave://hang"})
		if !errors.Is(err, ErrPlugin) || !strings.Contains(err.Error(), "did not answer within 300ms") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("crash mid-call", func(t *testing.T) {
		p := h.SecretSource(Spec{Name: "misbehave", Timeout: 5 * time.Second})
		_, err := p.Resolve(ctx, []string{"ref+misbehave://crash"})
		if !errors.Is(err, ErrPlugin) || !strings.Contains(err.Error(), "dockwright-plugin-secrets-misbehave") {
			t.Fatalf("error = %v", err)
		}
	})
}

// A name that walks out of the plugin directories is refused even when the
// file it would name exists and is executable.
func TestFindRefusesNamesOutsideTheDirs(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "plugins")
	outside := filepath.Join(root, "elsewhere")
	for _, d := range []string{dir, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// dockwright-plugin-notify-../elsewhere/x is dir/../elsewhere/x.
	if err := os.WriteFile(filepath.Join(outside, "x"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "dockwright-plugin-notify-.."), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ kind, name string }{{"notify", "../elsewhere/x"}, {"notify", "../../elsewhere/x"}, {"../plugins", "x"}} {
		p, err := Find([]string{dir}, tt.kind, tt.name)
		if !errors.Is(err, pluginexec.ErrInvalidName) {
			t.Errorf("Find(%q, %q) = %q, %v; want ErrInvalidName", tt.kind, tt.name, p, err)
		}
	}
}

// The handshake refuses a plugin built for another protocol version, and
// one that does not take dockwright's cookie, saying which.
func TestHandshakeRefusals(t *testing.T) {
	dir := t.TempDir()
	bin := build(t, dir, "./testdata/handshake", "secrets", "otherversion")
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName("secrets", "nocookie")), raw, 0o755); err != nil {
		t.Fatal(err)
	}
	h := &Host{Dirs: []string{dir}}
	defer h.Close()
	tests := []struct {
		name string
		want string
	}{
		{"otherversion", "another dockwright plugin protocol version than this host's 1"},
		{"nocookie", "did not complete the handshake: not a dockwright plugin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.SecretSource(Spec{Name: tt.name, Timeout: 5 * time.Second}).Resolve(context.Background(), []string{"ref+x://y"})
			if !errors.Is(err, ErrPlugin) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), FileName("secrets", tt.name)) {
				t.Fatalf("error = %v, want ErrPlugin naming the plugin and %q", err, tt.want)
			}
		})
	}
}
