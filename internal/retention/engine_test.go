package retention

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dockwright/dockwright/internal/docker"
	"github.com/dockwright/dockwright/internal/dockertest"
	"github.com/dockwright/dockwright/internal/imagetag"
)

func TestRetentionOnRealEngine(t *testing.T) {
	e := dockertest.New(t)
	web, api := e.Repo("web"), e.Repo("api")
	ids := map[string]string{}
	for b := 1; b <= 8; b++ {
		refs := []string{web + ":" + itoa(b)}
		switch b {
		case 3:
			refs = append(refs, web+":git-1a2b3c4")
		case 4:
			refs = append(refs, web+":latest")
		}
		ids["web"+itoa(b)] = e.Image("web"+itoa(b), refs...)
	}
	for b := 1; b <= 4; b++ {
		ids["api"+itoa(b)] = e.Image("api"+itoa(b), api+":"+itoa(b))
	}
	e.Run("web-live", web+":2", false) // rolled back to build 2
	oldID := e.Run("web-old", web+":1", true)
	e.Create("api-deploying", api+":1")

	ctx := context.Background()
	eng, err := docker.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{Keep: 3, Scope: Scope{Repos: []string{e.Prefix + "/*"}}, Now: time.Now()}
	plan, err := Run(ctx, eng, imagetag.DefaultScheme(), p)
	if err != nil {
		t.Fatal(err)
	}
	if c := eng.Counts(); c.ImageList != 1 || c.ContainerList != 1 || c.ImageInspect != 0 {
		t.Errorf("engine calls to plan: %+v, want one image list and one container list", c)
	}
	if err := Apply(ctx, eng, &plan, 4, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"api:1", "api:2", "api:3", "api:4", "web:1", "web:2", "web:4", "web:7", "web:8", "web:latest"}
	if got := e.Tags(); !slices.Equal(got, want) {
		t.Fatalf("tags left = %v\nwant %v", got, want)
	}
	for _, gone := range []string{"web3", "web5", "web6"} {
		if e.ImageExists(ids[gone]) {
			t.Errorf("image %s still there", gone)
		}
	}
	if got := plan.BytesReclaimed(); got <= 0 {
		t.Errorf("bytes reclaimed = %d", got)
	}

	// With --prune-stopped-containers the stopped container of build 1 goes
	// first, then build 1; the created (deploying) one protects api:1.
	p.PruneStoppedContainers = true
	plan, err = Run(ctx, eng, imagetag.DefaultScheme(), p)
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, eng, &plan, 4, nil); err != nil {
		t.Fatal(err)
	}
	want = []string{"api:1", "api:2", "api:3", "api:4", "web:2", "web:4", "web:7", "web:8", "web:latest"}
	if got := e.Tags(); !slices.Equal(got, want) {
		t.Fatalf("tags left = %v\nwant %v", got, want)
	}
	if _, err := e.Client.ContainerInspect(ctx, oldID); err == nil {
		t.Error("stopped container of build 1 still there")
	}
}

// A container created from a version after the plan: its removal fails,
// is reported, and the others go on.
func TestRetentionRemovalFailureIsReported(t *testing.T) {
	e := dockertest.New(t)
	web := e.Repo("web")
	for b := 1; b <= 5; b++ {
		e.Image("w"+itoa(b), web+":"+itoa(b))
	}
	ctx := context.Background()
	eng, err := docker.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Run(ctx, eng, imagetag.DefaultScheme(), Policy{Keep: 2, Scope: Scope{Repos: []string{e.Prefix + "/*"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.Create("late", web+":1") // created after the plan
	err = Apply(ctx, eng, &plan, 2, nil)
	if err == nil {
		t.Fatal("Apply succeeded although build 1 is in use")
	}
	failed := 0
	for _, r := range plan.Removals {
		if r.Status == StatusFailed {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d failed removals, want 1: %+v", failed, plan.Removals)
	}
	if got := e.Tags(); !slices.Equal(got, []string{"web:1", "web:4", "web:5"}) {
		t.Errorf("tags left = %v", got)
	}
}

func TestLockWaitsForDeploy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dockwright.lock")
	// The deploy role holds the lock with flock(1), as docs/keep-n-retention.md shows.
	deploy := exec.Command("flock", path, "sleep", "1")
	if err := deploy.Start(); err != nil {
		t.Fatal(err)
	}
	defer deploy.Wait()
	time.Sleep(200 * time.Millisecond)
	ctx := context.Background()
	if _, err := Lock(ctx, path, 100*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("Lock while the deploy holds it: %v, want ErrLockTimeout", err)
	}
	unlock, err := Lock(ctx, path, 10*time.Second)
	if err != nil {
		t.Fatalf("Lock after the deploy: %v", err)
	}
	// While cleanup holds it, a deploy waits.
	if err := exec.Command("flock", "-w", "0.2", path, "true").Run(); err == nil {
		t.Error("flock(1) got the lock while keep-n-retention held it")
	}
	unlock()
	if err := exec.Command("flock", "-w", "1", path, "true").Run(); err != nil {
		t.Errorf("flock(1) after unlock: %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
