package retention

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"

	"github.com/dockwright/dockwright/internal/golden"
	"github.com/dockwright/dockwright/internal/imagetag"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// img is build b of repo, created b hours after t0, 10 MB.
func img(id string, tags ...string) Image {
	return Image{ID: "sha256:" + id, Tags: tags, Created: t0, Size: 10 << 20}
}

func builds(repo string, from, to int) []Image {
	var out []Image
	for b := from; b <= to; b++ {
		i := img(fmt.Sprintf("%s%03d", lastElem(repo), b), fmt.Sprintf("%s:%d", repo, b))
		i.Created = t0.Add(time.Duration(b) * time.Hour)
		out = append(out, i)
	}
	return out
}

func ctr(name, imageID, state string) Container {
	return Container{ID: "c-" + name, Name: name, ImageID: "sha256:" + imageID, State: state}
}

func TestMakePlanGolden(t *testing.T) {
	now := t0.Add(30 * 24 * time.Hour)
	web := func(from, to int) []Image { return builds("reg:5000/web", from, to) }
	tests := []struct {
		name       string
		images     []Image
		containers []Container
		policy     Policy
	}{
		{name: "keep_newest_3", images: web(1, 6), policy: Policy{Keep: 3}},
		{name: "fewer_than_n", images: web(1, 2), policy: Policy{Keep: 3}},
		{name: "build_number_not_creation_time", images: func() []Image {
			is := web(8, 11)
			is[3].Created = t0 // build 11 is the oldest image, still the newest version
			return is
		}(), policy: Policy{Keep: 2}},
		{name: "rollback_running_old_build", images: web(1, 6), containers: []Container{ctr("web-1", "web002", "running")}, policy: Policy{Keep: 3}},
		{name: "two_running_versions", images: web(1, 6), containers: []Container{ctr("blue", "web001", "running"), ctr("green", "web002", "running")}, policy: Policy{Keep: 3}},
		{name: "stopped_container_kept", images: web(1, 5), containers: []Container{ctr("old", "web001", "exited"), ctr("deploying", "web002", "created")}, policy: Policy{Keep: 2}},
		{name: "stopped_container_pruned", images: web(1, 5), containers: []Container{ctr("old", "web001", "exited"), ctr("deploying", "web002", "created")}, policy: Policy{Keep: 2, PruneStoppedContainers: true}},
		{name: "multi_tag_images", images: append(web(5, 8),
			img("web001", "reg:5000/web:1", "reg:5000/web:git-1a2b3c4"),
			img("web002", "reg:5000/web:2", "reg:5000/web:latest"),
			img("mirror", "mirror:5000/web:9", "reg:5000/web:3"),
			img("other", "tools/debug:1", "reg:5000/web:4"),
		), policy: Policy{Keep: 2, Scope: Scope{Repos: []string{"reg:5000/*"}}}},
		{name: "same_image_two_managed_repos", images: append(web(2, 4), img("both", "reg:5000/web:1", "mirror:5000/web:1")),
			policy: Policy{Keep: 2, Scope: Scope{Services: []string{"web"}}}},
		{name: "min_age", images: func() []Image {
			is := web(1, 4)
			is[0].Tagged = now.Add(-2 * time.Minute)
			is[1].Tagged = now.Add(-48 * time.Hour)
			return is
		}(), policy: Policy{Keep: 2, MinAge: 10 * time.Minute, Now: now}},
		{name: "keep_zero_refused", images: web(1, 2), policy: Policy{Keep: 0}},
		{name: "keep_zero_allow_empty", images: web(1, 2), policy: Policy{Keep: 0, AllowEmpty: true}},
		{name: "scope_default_and_service", images: append(append(web(1, 4), builds("reg:5000/api", 1, 4)...),
			img("debug", "tools/debug:latest"), img("feat", "reg:5000/web:feature-x")),
			policy: Policy{Keep: 2, Scope: Scope{Services: []string{"web"}}}},
		{name: "scope_every_versioned_repo", images: append(append(web(1, 3), builds("reg:5000/api", 1, 3)...), img("debug", "tools/debug:latest")),
			policy: Policy{Keep: 1}},
		{name: "dangling", images: append(web(1, 3),
			Image{ID: "sha256:dang1", Digests: []string{"reg:5000/web@sha256:aaa"}, Size: 5 << 20},
			Image{ID: "sha256:dang2", Digests: []string{"reg:5000/web@sha256:bbb"}, Size: 5 << 20},
			Image{ID: "sha256:dang3", Digests: []string{"elsewhere/x@sha256:ccc"}, Size: 5 << 20},
		), containers: []Container{ctr("pinned", "dang2", "running")}, policy: Policy{Keep: 2, Dangling: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := MakePlan(tt.images, tt.containers, imagetag.DefaultScheme(), tt.policy)
			got, err := json.MarshalIndent(plan, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden.Equal(t, filepath.Join("testdata", "plans", tt.name+".json"), got)
			checkInvariants(t, tt.images, tt.containers, plan, tt.policy)
		})
	}
}

// checkInvariants are the safety properties of every plan.
func checkInvariants(t *testing.T, images []Image, containers []Container, plan Plan, p Policy) {
	t.Helper()
	removed := map[string]bool{}
	for _, r := range plan.Removals {
		removed[r.ID] = true
	}
	for _, c := range containers {
		if removed[c.ImageID] && (!c.Stopped() || !p.PruneStoppedContainers) {
			t.Errorf("removes %s, used by container %s (%s)", c.ImageID, c.Name, c.State)
		}
	}
	for _, rp := range plan.Repositories {
		versions, kept := 0, 0
		for _, d := range rp.Images {
			if d.Build > 0 {
				versions++
				if !removed[d.ID] {
					kept++
				}
			}
		}
		if kept < min(p.Keep, versions) {
			t.Errorf("%s: %d versions kept, want at least %d", rp.Repository, kept, min(p.Keep, versions))
		}
		if versions > 0 && kept == 0 && !p.AllowEmpty {
			t.Errorf("%s: every version removed without AllowEmpty", rp.Repository)
		}
	}
}

// BenchmarkPlan5000 is the planning target of issue #4: 5,000 images and
// 500 containers, from the Engine's list output (JSON as the API sends it:
// decoded, converted and planned each iteration).
func BenchmarkPlan5000(b *testing.B) {
	imagesJSON, containersJSON := syntheticEngineJSON(b, 5000, 500)
	scheme := imagetag.DefaultScheme()
	p := Policy{Keep: 3}
	b.SetBytes(int64(len(imagesJSON) + len(containersJSON)))
	b.ReportAllocs()
	for b.Loop() {
		var is []image.Summary
		var cs []container.Summary
		if err := json.Unmarshal(imagesJSON, &is); err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(containersJSON, &cs); err != nil {
			b.Fatal(err)
		}
		images, containers := FromEngine(is, cs)
		plan := MakePlan(images, containers, scheme, p)
		if len(plan.Removals) == 0 {
			b.Fatal("nothing to remove")
		}
	}
}
