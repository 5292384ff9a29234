package registry

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/dockwright/dockwright/internal/imagetag"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

func newTestClient(t *testing.T) *Client {
	t.Helper()
	return New(Options{Backoff: time.Millisecond, Timeout: 10 * time.Second})
}

func repoOf(t *testing.T, c *Client, host, repo string) name.Repository {
	t.Helper()
	r, err := c.ParseRepository(host+"/"+repo, "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type estate struct {
	digests map[string]string
}

func seed(t *testing.T, host, repo string, n int) estate {
	return estate{digests: rt.Service(t, host, repo, n)}
}

func TestPruneRealRegistries(t *testing.T) {
	for _, kind := range rt.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			reg := rt.Start(t, kind)
			e := seed(t, reg.Host, "svc/web", 14)
			idx := rt.Push(t, reg.Host, "svc/web", rt.Index(t, 2), "1000", "dev") // kept index
			_ = idx
			c := newTestClient(t)
			repo := repoOf(t, c, reg.Host, "svc/web")
			ctx := context.Background()
			policy := Policy{Keep: 5}
			plans := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), policy)
			if plans[0].Error != "" {
				t.Fatal(plans[0].Error)
			}
			c.ApplyAll(ctx, []name.Repository{repo}, plans, nil)
			if plans[0].Error != "" {
				t.Fatal(plans[0].Error)
			}
			// Kept: the newest 5 builds (1000, 14, 13, 12, 11), prod and the
			// build sharing its digest (3), feature-x and its build (2), and
			// the env tags.
			want := []string{"1000", "11", "12", "13", "14", "2", "3", "dev", "feature-x", "prod", "staging"}
			if got := rt.Tags(t, reg.Host, "svc/web"); !slices.Equal(got, want) {
				t.Fatalf("tags after prune = %v\nwant %v", got, want)
			}
			// v3 untags (cheap for the registry; the manifests go at the next
			// garbage-collect --delete-untagged); 2.8 cannot, so the first
			// deletion's 400 switches to deleting by digest.
			wantMethod := map[rt.Kind]string{rt.V3: "tag", rt.V2: "digest"}[kind]
			for _, u := range plans[0].Deletions {
				if u.Method != wantMethod {
					t.Errorf("deletion of %v by %q, want %q", u.Tags, u.Method, wantMethod)
				}
			}
			s := Summarize(plans)
			if s.Deleted != 8 || s.Children != 2 || s.DeleteFailed != 0 {
				t.Errorf("summary = %+v", s)
			}
			// The garbage collector, run as docs/registry-pruner.md advises
			// for each generation, leaves every kept tag pullable.
			if kind == rt.V3 {
				reg.GarbageCollect(t, "--delete-untagged")
			} else {
				reg.GarbageCollect(t)
			}
			for _, tag := range want {
				if err := rt.Pull(reg.Host, "svc/web:"+tag); err != nil {
					t.Errorf("after garbage-collect, pulling %s: %v", tag, err)
				}
			}
			// ... and the deleted builds are gone, the index of build 4
			// with its children.
			for _, b := range []string{"1", "4", "5", "10"} {
				if rt.ManifestExists(t, reg.Host, "svc/web", e.digests[b]) {
					t.Errorf("manifest of build %s still there after garbage-collect", b)
				}
			}
			// A rerun finds nothing to do.
			again := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), policy)
			if n := len(again[0].Deletions); n != 0 {
				t.Errorf("rerun plans %d deletions", n)
			}
		})
	}
}
