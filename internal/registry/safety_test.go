package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dockwright/dockwright/internal/imagetag"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

func planAndApply(t *testing.T, c *Client, repo name.Repository, p Policy) []RepoPlan {
	t.Helper()
	ctx := context.Background()
	plans := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), p)
	if plans[0].Error != "" {
		t.Fatal(plans[0].Error)
	}
	c.ApplyAll(ctx, []name.Repository{repo}, plans, nil)
	return plans
}

// A tag that moves onto a planned deletion between plan and apply keeps it.
func TestApplyTagMovedDuringRun(t *testing.T) {
	for _, kind := range rt.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			reg := rt.Start(t, kind)
			e := seed(t, reg.Host, "web", 8)
			proxy := rt.NewProxy(t, reg.Host)
			c := newTestClient(t)
			repo := repoOf(t, c, proxy.Host, "web")
			ctx := context.Background()
			plans := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), Policy{Keep: 3})
			// Meanwhile someone rolls prod back to build 5, which the plan deletes.
			d, err := remote.Get(rt.Ref(t, reg.Host+"/web:5"))
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Put(rt.Ref(t, reg.Host+"/web:prod"), d); err != nil {
				t.Fatal(err)
			}
			// And a rebuild pushes build 9 with exactly build 1's content (same digest).
			d1, err := remote.Get(rt.Ref(t, reg.Host+"/web:1"))
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Put(rt.Ref(t, reg.Host+"/web:9"), d1); err != nil {
				t.Fatal(err)
			}
			c.ApplyAll(ctx, []name.Repository{repo}, plans, nil)
			if plans[0].Error != "" {
				t.Fatal(plans[0].Error)
			}
			got := rt.Tags(t, reg.Host, "web")
			for _, want := range []string{"1", "9", "5", "prod", "6", "7", "8", "staging", "2", "feature-x"} {
				if !slices.Contains(got, want) {
					t.Errorf("tag %s lost; tags now %v", want, got)
				}
			}
			if !rt.ManifestExists(t, reg.Host, "web", e.digests["5"]) {
				t.Error("manifest of build 5 deleted although prod points at it")
			}
			var skipped bool
			for _, u := range plans[0].Deletions {
				if u.Digest == e.digests["5"] {
					skipped = u.Status == StatusSkipped && strings.Contains(u.Error, `"prod"`)
				}
			}
			if !skipped {
				t.Errorf("deletion of build 5 not reported as skipped: %+v", plans[0].Deletions)
			}
			// Build 3 (the old prod) is unprotected now, but was planned kept: still there.
			if !slices.Contains(got, "3") {
				t.Error("build 3 deleted although the plan kept it")
			}
		})
	}
}

// 5xx on some deletions: the others happen, the failures are reported, the
// registry stays consistent, and a rerun finishes the job.
func TestApplyPartialFailureThenRerun(t *testing.T) {
	for _, kind := range rt.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			reg := rt.Start(t, kind)
			e := seed(t, reg.Host, "api", 10)
			proxy := rt.NewProxy(t, reg.Host)
			failing := map[string]bool{ // by digest (2.8) or by tag (v3)
				"/v2/api/manifests/" + e.digests["5"]: true, "/v2/api/manifests/" + e.digests["6"]: true,
				"/v2/api/manifests/5": true, "/v2/api/manifests/6": true,
			}
			proxy.Fail(func(r *http.Request) int {
				if r.Method == http.MethodDelete && failing[r.URL.Path] {
					return http.StatusServiceUnavailable
				}
				return 0
			})
			c := newTestClient(t)
			repo := repoOf(t, c, proxy.Host, "api")
			plans := planAndApply(t, c, repo, Policy{Keep: 3})
			s := Summarize(plans)
			if s.DeleteFailed != 2 || s.Deleted != 3 || plans[0].Error == "" {
				t.Fatalf("summary %+v, error %q", s, plans[0].Error)
			}
			if c.Counts().Retries == 0 {
				t.Error("503 was not retried")
			}
			want := []string{"10", "2", "3", "5", "6", "8", "9", "feature-x", "prod", "staging"}
			if got := rt.Tags(t, reg.Host, "api"); !slices.Equal(got, want) {
				t.Fatalf("after partial run: %v, want %v", got, want)
			}
			proxy.Fail(nil)
			plans = planAndApply(t, c, repo, Policy{Keep: 3})
			if s := Summarize(plans); s.Deleted != 2 || plans[0].Error != "" {
				t.Fatalf("rerun summary %+v, error %q", s, plans[0].Error)
			}
			want = []string{"10", "2", "3", "8", "9", "feature-x", "prod", "staging"}
			if got := rt.Tags(t, reg.Host, "api"); !slices.Equal(got, want) {
				t.Fatalf("after rerun: %v, want %v", got, want)
			}
		})
	}
}

// Cancelling (Ctrl-C) mid-run stops starting deletions; what was not
// attempted is reported, and a rerun finishes.
func TestApplyCancelledThenRerun(t *testing.T) {
	reg := rt.Start(t, rt.V2)
	seed(t, reg.Host, "jobs", 20)
	proxy := rt.NewProxy(t, reg.Host)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var deletes atomic.Int32
	proxy.Before(func(r *http.Request) {
		if r.Method == http.MethodDelete && deletes.Add(1) == 3 {
			cancel()
		}
	})
	c := New(Options{Concurrency: 1})
	repo := repoOf(t, c, proxy.Host, "jobs")
	plans := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), Policy{Keep: 5})
	c.ApplyAll(ctx, []name.Repository{repo}, plans, nil)
	s := Summarize(plans)
	if s.NotAttempted == 0 || s.Deleted+s.DeleteFailed+s.NotAttempted != 13 || !strings.Contains(plans[0].Error, "context canceled") {
		t.Fatalf("summary after cancel %+v, error %q", s, plans[0].Error)
	}
	proxy.Before(nil)
	plans = planAndApply(t, New(Options{}), repo, Policy{Keep: 5})
	if plans[0].Error != "" {
		t.Fatal(plans[0].Error)
	}
	want := []string{"16", "17", "18", "19", "2", "20", "3", "feature-x", "prod", "staging"}
	if got := rt.Tags(t, reg.Host, "jobs"); !slices.Equal(got, want) {
		t.Fatalf("after rerun: %v, want %v", got, want)
	}
}

func TestApplyDeletesDisabled(t *testing.T) {
	reg := rt.Start(t, rt.V2, rt.WithoutDelete())
	seed(t, reg.Host, "web", 6)
	c := newTestClient(t)
	plans := planAndApply(t, c, repoOf(t, c, reg.Host, "web"), Policy{Keep: 2})
	if !strings.Contains(plans[0].Error, "storage.delete.enabled") {
		t.Fatalf("error = %q, want the storage.delete.enabled hint", plans[0].Error)
	}
	if got := rt.Tags(t, reg.Host, "web"); len(got) != 9 {
		t.Fatalf("tags = %v, want all 9 still there", got)
	}
}

func TestRefuseEmptyOnRealRegistry(t *testing.T) {
	reg := rt.Start(t, rt.V3)
	rt.Push(t, reg.Host, "web", rt.Image(t), "1")
	rt.Push(t, reg.Host, "web", rt.Image(t), "2")
	c := newTestClient(t)
	plans := planAndApply(t, c, repoOf(t, c, reg.Host, "web"), Policy{Keep: 0})
	if plans[0].Refused == "" || len(plans[0].Deletions) != 0 {
		t.Fatalf("plan = %+v, want refused", plans[0])
	}
	if got := rt.Tags(t, reg.Host, "web"); len(got) != 2 {
		t.Fatalf("tags = %v", got)
	}
}

func TestRetries429WithRetryAfter(t *testing.T) {
	reg := rt.Start(t, rt.V3)
	rt.Push(t, reg.Host, "web", rt.Image(t), "1")
	proxy := rt.NewProxy(t, reg.Host)
	var n atomic.Int32
	proxy.Fail(func(r *http.Request) int {
		if strings.HasSuffix(r.URL.Path, "/tags/list") && n.Add(1) <= 2 {
			return http.StatusTooManyRequests
		}
		return 0
	})
	c := newTestClient(t)
	tags, err := c.Tags(context.Background(), repoOf(t, c, proxy.Host, "web"))
	if err != nil || !slices.Equal(tags, []string{"1"}) {
		t.Fatalf("Tags = %v, %v", tags, err)
	}
	if got := c.Counts().Retries; got != 2 {
		t.Errorf("retries = %d, want 2", got)
	}
}

// dockerConfig writes a DOCKER_CONFIG directory with config.json.
func dockerConfig(t *testing.T, json string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
}

func TestAuth(t *testing.T) {
	reg := rt.Start(t, rt.V2, rt.WithBasicAuth("jenkins", "s3cret"))
	basic := "amVua2luczpzM2NyZXQ=" // jenkins:s3cret
	// Seed with the right credentials.
	dockerConfig(t, `{"auths":{"`+reg.Host+`":{"auth":"`+basic+`"}}}`)
	seed(t, reg.Host, "web", 4)

	t.Run("docker config", func(t *testing.T) {
		c := newTestClient(t)
		if _, err := c.Tags(context.Background(), repoOf(t, c, reg.Host, "web")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("credential helper", func(t *testing.T) {
		bin := t.TempDir()
		helper := "#!/bin/sh\nread server\necho '{\"ServerURL\":\"'$server'\",\"Username\":\"jenkins\",\"Secret\":\"s3cret\"}'\n"
		if err := os.WriteFile(filepath.Join(bin, "docker-credential-dwtest"), []byte(helper), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		dockerConfig(t, `{"credHelpers":{"`+reg.Host+`":"dwtest"}}`)
		c := newTestClient(t)
		if _, err := c.Tags(context.Background(), repoOf(t, c, reg.Host, "web")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		dockerConfig(t, `{"auths":{"`+reg.Host+`":{"auth":"amVua2luczpub3Bl"}}}`) // jenkins:nope
		c := newTestClient(t)
		_, err := c.Tags(context.Background(), repoOf(t, c, reg.Host, "web"))
		if !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "nope") {
			t.Fatalf("error = %v, want ErrAuth without the secret", err)
		}
	})
	t.Run("anonymous", func(t *testing.T) {
		dockerConfig(t, `{}`)
		c := newTestClient(t)
		_, err := c.Tags(context.Background(), repoOf(t, c, reg.Host, "web"))
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("error = %v, want ErrAuth", err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	c := New(Options{Attempts: 1})
	_, err := c.Tags(context.Background(), repoOf(t, c, "127.0.0.1:1", "web"))
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("error = %v, want ErrUnreachable", err)
	}
}

var _ = sync.Mutex{}

// pushBuilds pushes builds from..to of repo as image-tagger push does: the
// build number and its commit tag git-<sha7> on one image.
func pushBuilds(t *testing.T, host, repo string, from, to int) map[string]string {
	t.Helper()
	digests := map[string]string{}
	for b := from; b <= to; b++ {
		digests[fmt.Sprint(b)] = rt.Push(t, host, repo, rt.Image(t), fmt.Sprint(b), fmt.Sprintf("git-%07x", b))
	}
	return digests
}

// A registry filled by image-tagger push (every build with its commit tag)
// is pruned to the newest N builds, commit tags going with their builds;
// the plan says which tag dockwright did not write holds an old build.
func TestPruneRegistryFilledByPush(t *testing.T) {
	for _, kind := range rt.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			reg := rt.Start(t, kind)
			digests := pushBuilds(t, reg.Host, "web", 1, 6)
			retag(t, reg.Host+"/web:5", "prod")
			retag(t, reg.Host+"/web:2", "hand-made")
			c := newTestClient(t)
			plans := planAndApply(t, c, repoOf(t, c, reg.Host, "web"), Policy{Keep: 2})
			if plans[0].Error != "" {
				t.Fatal(plans[0].Error)
			}
			// One HEAD per tag to plan; the re-check resolves only prod and
			// hand-made again: nothing was pushed, so no commit tag moved.
			if got, want := c.Counts().HEAD, int64(14+2); got != want {
				t.Errorf("%d HEAD requests, want %d", got, want)
			}
			want := []string{"2", "5", "6", "git-0000002", "git-0000005", "git-0000006", "hand-made", "prod"}
			if got := rt.Tags(t, reg.Host, "web"); !slices.Equal(got, want) {
				t.Errorf("after the prune: %v, want %v", got, want)
			}
			for _, b := range []string{"1", "3", "4"} {
				if kind == rt.V2 && rt.ManifestExists(t, reg.Host, "web", digests[b]) {
					t.Errorf("manifest of build %s still there", b)
				}
			}
			for _, d := range plans[0].Tags {
				if d.Tag == "2" && !slices.Equal(d.HeldBy, []string{"hand-made"}) {
					t.Errorf("build 2: held_by %v, want [hand-made]", d.HeldBy)
				}
			}
		})
	}
}

// A rebuild of an old commit moves its commit tag onto the new build while
// the pruner runs: the old build goes, the commit tag stays on the new one.
func TestApplyCommitTagMovedDuringRun(t *testing.T) {
	for _, kind := range rt.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			reg := rt.Start(t, kind)
			pushBuilds(t, reg.Host, "web", 1, 5)
			c := newTestClient(t)
			repo := repoOf(t, c, reg.Host, "web")
			ctx := context.Background()
			plans := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), Policy{Keep: 3})
			rebuilt := rt.Push(t, reg.Host, "web", rt.Image(t), "6", "git-0000001")
			c.ApplyAll(ctx, []name.Repository{repo}, plans, nil)
			if plans[0].Error != "" {
				t.Fatal(plans[0].Error)
			}
			want := []string{"3", "4", "5", "6", "git-0000001", "git-0000003", "git-0000004", "git-0000005"}
			if got := rt.Tags(t, reg.Host, "web"); !slices.Equal(got, want) {
				t.Fatalf("after the prune: %v, want %v", got, want)
			}
			if d := headDigestOf(t, c, reg.Host+"/web:git-0000001"); d != rebuilt {
				t.Errorf("git-0000001 points at %s, want the rebuild %s", d, rebuilt)
			}
		})
	}
}

// retag points tag at what from (HOST/REPO:TAG) points at.
func retag(t *testing.T, from, tag string) {
	t.Helper()
	d, err := remote.Get(rt.Ref(t, from))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(rt.Ref(t, from[:strings.LastIndexByte(from, ':')+1]+tag), d); err != nil {
		t.Fatal(err)
	}
}

func headDigestOf(t *testing.T, c *Client, ref string) string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Head(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return d.Digest.String()
}
