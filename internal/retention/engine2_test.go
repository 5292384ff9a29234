package retention

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"

	"github.com/dockwright/dockwright/internal/docker"
	"github.com/dockwright/dockwright/internal/dockertest"
	"github.com/dockwright/dockwright/internal/imagetag"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

// --min-age reads when each candidate was tagged here (one inspect per
// candidate): everything just imported stays.
func TestMinAgeOnRealEngine(t *testing.T) {
	e := dockertest.New(t)
	for b := 1; b <= 4; b++ {
		e.Image("m"+itoa(b), e.Repo("web")+":"+itoa(b))
	}
	ctx := context.Background()
	eng, err := docker.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{Keep: 1, MinAge: time.Hour, Now: time.Now(), Scope: Scope{Repos: []string{e.Prefix + "/*"}}}
	plan, err := Run(ctx, eng, imagetag.DefaultScheme(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Removals) != 0 {
		t.Fatalf("removals = %+v, want none (all tagged just now)", plan.Removals)
	}
	if c := eng.Counts(); c.ImageInspect != 3 {
		t.Errorf("inspects = %d, want 3 (one per candidate)", c.ImageInspect)
	}
	p.MinAge = time.Nanosecond
	p.Now = time.Now().Add(time.Second)
	if plan, err = Run(ctx, eng, imagetag.DefaultScheme(), p); err != nil || len(plan.Removals) != 3 {
		t.Fatalf("with a tiny --min-age: %d removals, %v", len(plan.Removals), err)
	}
}

// An image pulled by digest has no tag, only REPO@sha256:...; --dangling
// removes it when its repository is managed and no container uses it.
func TestDanglingOnRealEngine(t *testing.T) {
	e := dockertest.New(t)
	reg := rt.Start(t, rt.V3)
	ctx := context.Background()
	repo := reg.Host + "/" + e.Prefix + "/web"
	id := e.Image("d1", repo+":1")
	e.Image("d2", repo+":2")
	rc, err := e.Client.ImagePush(ctx, repo+":1", image.PushOptions{RegistryAuth: "e30="})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, rc)
	rc.Close()
	// Drop the tag, pull by digest: the image stays with a digest reference only.
	d := headDigest(t, reg.Host, e.Prefix+"/web", "1")
	if _, err := e.Client.ImageRemove(ctx, repo+":1", image.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if e.ImageExists(id) {
		t.Fatal("image 1 survived its only tag")
	}
	rc, err = e.Client.ImagePull(ctx, repo+"@"+d, image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, rc)
	rc.Close()
	eng, err := docker.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{Keep: 3, Dangling: true, Scope: Scope{Repos: []string{reg.Host + "/" + e.Prefix + "/*"}}}
	plan, err := Run(ctx, eng, imagetag.DefaultScheme(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Removals) != 1 || plan.Removals[0].Refs[0] != id {
		t.Fatalf("removals = %+v, want the digest-only image %s", plan.Removals, id)
	}
	if err := Apply(ctx, eng, &plan, 1, nil); err != nil {
		t.Fatal(err)
	}
	if e.ImageExists(id) {
		t.Error("dangling image still there")
	}
	if _, err := e.Client.ImageInspect(ctx, repo+":2"); err != nil {
		t.Errorf("build 2 gone: %v", err)
	}
}

func headDigest(t *testing.T, host, repo, tag string) string {
	t.Helper()
	d, err := headRef(host + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
