package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/dockwright/dockwright/internal/imagetag"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

// Bearer-token registries (Docker Hub, Harbor, GitLab): the client trades
// the docker config's credentials for a token per repository and scope,
// once, while the /v2/ handshake is shared.
func TestBearerTokenAuth(t *testing.T) {
	for _, kind := range rt.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			var ts *rt.TokenServer
			reg := rt.Start(t, kind, rt.WithTokenAuth(t, "jenkins", "s3cret", &ts))
			dir := t.TempDir()
			cfg := `{"auths":{"` + reg.Host + `":{"auth":"amVua2luczpzM2NyZXQ="}}}`
			if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("DOCKER_CONFIG", dir)
			rt.Service(t, reg.Host, "a", 8)
			rt.Service(t, reg.Host, "b", 8)

			ts.Requests.Store(0)
			c := newTestClient(t)
			ctx := context.Background()
			repos := []name.Repository{repoOf(t, c, reg.Host, "a"), repoOf(t, c, reg.Host, "b")}
			plans := c.PlanAll(ctx, repos, imagetag.DefaultScheme(), Policy{Keep: 3})
			c.ApplyAll(ctx, repos, plans, nil)
			for _, p := range plans {
				if p.Error != "" {
					t.Fatal(p.Error)
				}
			}
			if s := Summarize(plans); s.Deleted != 6 {
				t.Errorf("summary %+v", s)
			}
			// One token per repository and scope (pull to read, delete to delete).
			if n := ts.Requests.Load(); n != 4 {
				t.Errorf("token requests = %d, want 4", n)
			}
			// One shared /v2/ ping, 4 tokens, 2 tag lists + 2 re-check lists,
			// one GET per multi-arch index (build 4 of each).
			if got := c.Counts().GET; got != 1+4+4+2 {
				t.Errorf("GETs = %d, want 11: the handshake is not shared", got)
			}
			p, err := c.Promote(ctx, repos[0], imagetag.DefaultScheme(), 8, "prod", time.Now())
			if err != nil || p.Build != 8 {
				t.Fatalf("promote through bearer auth: %v", err)
			}

			t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials
			_, err = newTestClient(t).Tags(ctx, repoOf(t, c, reg.Host, "a"))
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("anonymous: %v, want ErrAuth", err)
			}
		})
	}
}
