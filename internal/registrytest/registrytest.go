// Package registrytest starts real Docker Distribution registries on
// 127.0.0.1 for tests (both generations users run: 2.8, Debian's
// docker-registry, and v3), seeds them without Docker, and puts a
// fault-injecting proxy in front of them.
package registrytest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Kind is a registry generation.
type Kind string

// Registry generations.
const (
	V2 Kind = "2.8" // Debian's docker-registry package
	V3 Kind = "v3"  // github.com/distribution/distribution/v3/cmd/registry
)

// Kinds are every generation the integration tests run against.
var Kinds = []Kind{V2, V3}

// V3Version is the distribution v3 release `make test-deps` installs.
const V3Version = "v3.1.2"

// Binary finds the registry executable of a generation: $REGISTRY_V2_BIN
// or docker-registry on $PATH for 2.8; $REGISTRY_V3_BIN, .cache/bin/registry
// at the module root, or registry on $PATH for v3.
func Binary(k Kind) (string, error) {
	switch k {
	case V2:
		if p := os.Getenv("REGISTRY_V2_BIN"); p != "" {
			return p, nil
		}
		if p, err := exec.LookPath("docker-registry"); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("registry 2.8 not found: apt-get install -y docker-registry (or run make test-deps)")
	case V3:
		if p := os.Getenv("REGISTRY_V3_BIN"); p != "" {
			return p, nil
		}
		if root := moduleRoot(); root != "" {
			p := filepath.Join(root, ".cache", "bin", "registry")
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		if p, err := exec.LookPath("registry"); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("registry v3 not found: run make test-deps (GOBIN=$PWD/.cache/bin go install github.com/distribution/distribution/v3/cmd/registry@%s)", V3Version)
	}
	return "", fmt.Errorf("unknown registry kind %q", k)
}

func moduleRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Registry is a running registry.
type Registry struct {
	Kind Kind
	// Host is "127.0.0.1:PORT".
	Host string
	// Dir is its storage root; Config its config file.
	Dir, Config string
	bin         string
}

// Option changes how a registry starts.
type Option func(*settings)

type settings struct {
	user, password string
	noDelete       bool
	token          *TokenServer
}

// WithBasicAuth protects the registry with htpasswd basic auth.
func WithBasicAuth(user, password string) Option {
	return func(s *settings) { s.user, s.password = user, password }
}

// WithoutDelete starts the registry with deletes disabled.
func WithoutDelete() Option { return func(s *settings) { s.noDelete = true } }

// Start runs a registry of kind k on a free loopback port until the test
// ends. It fails the test when the binary is missing: the integration tests
// are part of `make test`, never skipped.
func Start(t testing.TB, k Kind, opts ...Option) *Registry {
	t.Helper()
	var s settings
	for _, o := range opts {
		o(&s)
	}
	bin, err := Binary(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := &Registry{Kind: k, Dir: filepath.Join(dir, "storage"), Config: filepath.Join(dir, "config.yml"), bin: bin}
	for attempt := 0; ; attempt++ {
		r.Host = freeAddr(t)
		if err := os.WriteFile(r.Config, []byte(r.config(t, s, dir)), 0o600); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		cmd := exec.Command(bin, "serve", r.Config)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting registry %s: %v", k, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if r.waitReady(exited) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			return r
		}
		cmd.Process.Kill()
		<-exited
		if attempt == 2 {
			t.Fatalf("registry %s did not start on %s:\n%s", k, r.Host, out.String())
		}
	}
}

func (r *Registry) config(t testing.TB, s settings, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n")
	fmt.Fprintf(&b, "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: %v\n  cache:\n    blobdescriptor: inmemory\n", r.Dir, !s.noDelete)
	fmt.Fprintf(&b, "http:\n  addr: %s\n", r.Host)
	if s.user != "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(s.password), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		pw := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(pw, []byte(s.user+":"+string(hash)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "auth:\n  htpasswd:\n    realm: test-realm\n    path: %s\n", pw)
	}
	if s.token != nil {
		fmt.Fprintf(&b, "auth:\n  token:\n    realm: %s/token\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n",
			strings.Replace(s.token.URL, "127.0.0.1", "localhost", 1), tokenService, tokenIssuer, s.token.CertFile)
	}
	return b.String()
}

func (r *Registry) waitReady(exited <-chan struct{}) bool {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		resp, err := http.Get("http://" + r.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// GarbageCollect runs the registry's own garbage collector on its storage
// (the registry may keep running: tests do not write meanwhile).
func (r *Registry) GarbageCollect(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(r.bin, append(append([]string{"garbage-collect"}, args...), r.Config)...).CombinedOutput()
	if err != nil {
		t.Fatalf("garbage-collect: %v\n%s", err, out)
	}
	return string(out)
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
