// Package dockertest makes tiny images and containers on the real Docker
// Engine for tests, without pulling anything: images are imported from a
// tar holding one static binary (a sleeper that exits on SIGTERM). Every
// name carries a per-test unique prefix, and everything made is removed
// when the test ends.
package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

// Engine is a test's handle on the real Engine.
type Engine struct {
	Client *client.Client
	// Prefix is unique to the test: "dwtest-<hex>"; use it in every name.
	Prefix string
	t      testing.TB
}

var (
	rootfsOnce sync.Once
	rootfsTar  []byte
	rootfsErr  error
)

// sleeperSource is the program every test image runs.
const sleeperSource = `package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}
`

// rootfs builds the sleeper (static, CGO off) once per test binary and
// returns a tar of a root filesystem holding it.
func rootfs() ([]byte, error) {
	rootfsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dwtest-sleeper")
		if err != nil {
			rootfsErr = err
			return
		}
		defer os.RemoveAll(dir)
		os.WriteFile(filepath.Join(dir, "main.go"), []byte(sleeperSource), 0o644)
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module sleeper\n\ngo 1.21\n"), 0o644)
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", "sleeper", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			rootfsErr = fmt.Errorf("building the sleeper: %v\n%s", err, out)
			return
		}
		bin, err := os.ReadFile(filepath.Join(dir, "sleeper"))
		if err != nil {
			rootfsErr = err
			return
		}
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: "sleeper", Mode: 0o755, Size: int64(len(bin))})
		tw.Write(bin)
		tw.Close()
		rootfsTar = buf.Bytes()
	})
	return rootfsTar, rootfsErr
}

// New connects to the Engine (DOCKER_HOST etc.) and registers the cleanup
// of everything named with the test's prefix. It fails the test when the
// Engine does not answer: these tests are part of make test.
func New(t testing.TB) *Engine {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Ping(context.Background()); err != nil {
		t.Fatalf("the Docker Engine does not answer (these tests need it): %v", err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	e := &Engine{Client: cli, Prefix: "dwtest-" + hex.EncodeToString(b), t: t}
	t.Cleanup(e.cleanup)
	return e
}

// Image imports a new image (distinct ID: label seq) and tags it with
// every ref, each "REPO:TAG" under the test prefix (Repo gives names). It
// returns the image ID.
func (e *Engine) Image(label string, refs ...string) string {
	e.t.Helper()
	tarball, err := rootfs()
	if err != nil {
		e.t.Fatal(err)
	}
	ctx := context.Background()
	rc, err := e.Client.ImageImport(ctx, image.ImportSource{Source: bytes.NewReader(tarball), SourceName: "-"}, "",
		image.ImportOptions{Changes: []string{`CMD ["/sleeper"]`, "LABEL dwtest=" + e.Prefix + " seq=" + label}})
	if err != nil {
		e.t.Fatal(err)
	}
	out, _ := io.ReadAll(rc)
	rc.Close()
	id := importedID(out)
	if id == "" {
		e.t.Fatalf("import: no image ID in %s", out)
	}
	for _, r := range refs {
		if err := e.Client.ImageTag(ctx, id, r); err != nil {
			e.t.Fatal(err)
		}
	}
	return id
}

func importedID(out []byte) string {
	s := string(out)
	i := strings.Index(s, "sha256:")
	if i < 0 {
		return ""
	}
	return s[i : i+7+64]
}

// Repo is REPO under the test prefix: "dwtest-1a2b3c4d/web".
func (e *Engine) Repo(name string) string { return e.Prefix + "/" + name }

// Run starts a container named PREFIX-name from ref (no network) and
// returns its ID; stopped leaves it exited.
func (e *Engine) Run(name, ref string, stopped bool) string {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.Client.ContainerCreate(ctx, &container.Config{Image: ref, Labels: map[string]string{"dwtest": e.Prefix}},
		&container.HostConfig{NetworkMode: "none"}, &network.NetworkingConfig{}, nil, e.Prefix+"-"+name)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.Client.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		e.t.Fatal(err)
	}
	if stopped {
		if err := e.Client.ContainerStop(ctx, c.ID, container.StopOptions{}); err != nil {
			e.t.Fatal(err)
		}
	}
	return c.ID
}

// Create makes a container from ref without starting it (a deploy in
// progress).
func (e *Engine) Create(name, ref string) string {
	e.t.Helper()
	c, err := e.Client.ContainerCreate(context.Background(), &container.Config{Image: ref, Labels: map[string]string{"dwtest": e.Prefix}},
		&container.HostConfig{NetworkMode: "none"}, &network.NetworkingConfig{}, nil, e.Prefix+"-"+name)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

// Tags lists, from the Engine's own image list, every tag under the test
// prefix, sorted.
func (e *Engine) Tags() []string {
	e.t.Helper()
	is, err := e.Client.ImageList(context.Background(), image.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "dwtest="+e.Prefix))})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, i := range is {
		for _, t := range i.RepoTags {
			if strings.HasPrefix(t, e.Prefix) {
				out = append(out, strings.TrimPrefix(t, e.Prefix+"/"))
			}
		}
	}
	slices.Sort(out)
	return out
}

// ImageExists asks the Engine whether the image ID is still there.
func (e *Engine) ImageExists(id string) bool {
	_, err := e.Client.ImageInspect(context.Background(), id)
	return err == nil
}

func (e *Engine) cleanup() {
	ctx := context.Background()
	cs, _ := e.Client.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", "dwtest="+e.Prefix))})
	for _, c := range cs {
		e.Client.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
	}
	is, _ := e.Client.ImageList(ctx, image.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", "dwtest="+e.Prefix))})
	for _, i := range is {
		e.Client.ImageRemove(ctx, i.ID, image.RemoveOptions{Force: true, PruneChildren: true})
	}
}
