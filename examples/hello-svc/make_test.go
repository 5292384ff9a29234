package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	rt "github.com/dockwright/dockwright/internal/registrytest"
)

// TestMakeBuildPushVersions drives make/docker.mk the way Jenkins does, on
// the real Docker Engine and a real registry: docker-build, docker-push
// (image-tagger), versions; and the error when BUILD_NUMBER is missing.
func TestMakeBuildPushVersions(t *testing.T) {
	root := "../.."
	if out, err := exec.Command("make", "-C", root, "build").CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	reg := rt.Start(t, rt.V3)
	b := make([]byte, 4)
	rand.Read(b)
	svc := "dwtest-" + hex.EncodeToString(b) + "-hello"
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		is, _ := cli.ImageList(context.Background(), image.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "io.dockwright.service="+svc))})
		for _, i := range is {
			cli.ImageRemove(context.Background(), i.ID, image.RemoveOptions{Force: true, PruneChildren: true})
		}
		os.RemoveAll("build")
		os.RemoveAll(".dockwright")
	})
	mk := func(args ...string) (string, error) {
		cmd := exec.Command("make", append([]string{"SERVICE=" + svc, "REGISTRY=" + reg.Host, "GIT_COMMIT=0123456789abcdef"}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, n := range []string{"1", "2"} {
		if out, err := mk("docker-build", "docker-push", "BUILD_NUMBER="+n); err != nil {
			t.Fatalf("make docker-build docker-push BUILD_NUMBER=%s: %v\n%s", n, err, out)
		} else if !strings.Contains(out, "pushed "+reg.Host+"/"+svc+"@sha256:") {
			t.Errorf("push output lacks the pinned reference:\n%s", out)
		}
	}
	want := []string{"1", "2", "git-0123456"}
	if got := rt.Tags(t, reg.Host, svc); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("registry tags = %v, want %v", got, want)
	}
	out, err := mk("versions")
	if err != nil || !strings.Contains(out, "\n2 ") {
		t.Errorf("make versions: %v\n%s", err, out)
	}
	// The image carries its OCI labels.
	ins, err := cli.ImageInspect(context.Background(), svc+":2")
	if err != nil {
		t.Fatal(err)
	}
	if l := ins.Config.Labels; l["org.opencontainers.image.version"] != "2" || l["org.opencontainers.image.revision"] != "0123456789abcdef" || l["io.dockwright.service"] != svc {
		t.Errorf("labels = %v", l)
	}
	// No build number: a clear error and make's failure, nothing pushed.
	cmd := exec.Command("make", "SERVICE="+svc, "REGISTRY="+reg.Host, "docker-push")
	cmd.Env = append(os.Environ(), "BUILD_NUMBER=")
	out2, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out2), "BUILD_NUMBER is not set") {
		t.Errorf("docker-push without BUILD_NUMBER: %v\n%s", err, out2)
	}
}
