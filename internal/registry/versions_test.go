package registry

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockwright/dockwright/internal/imagetag"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

func TestVersionsPromoteHistory(t *testing.T) {
	for _, kind := range rt.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			reg := rt.Start(t, kind)
			e := seed(t, reg.Host, "team/web", 12) // prod on 3, staging on 12, 4 is an index
			proxy := rt.NewProxy(t, reg.Host)
			ctx := context.Background()
			scheme := imagetag.DefaultScheme()
			c := newTestClient(t)
			repo := repoOf(t, c, proxy.Host, "team/web")

			v, err := c.ListVersions(ctx, repo, scheme)
			if err != nil {
				t.Fatal(err)
			}
			var order []uint64
			for _, x := range v.Versions {
				order = append(order, x.Build)
			}
			if !slices.Equal(order, []uint64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}) {
				t.Fatalf("versions order = %v", order)
			}
			if !slices.Equal(v.Versions[9].Envs, []string{"prod"}) || !slices.Equal(v.Versions[0].Envs, []string{"staging"}) || v.Versions[9].Digest != e.digests["3"] {
				t.Errorf("env tags on versions: %+v / %+v", v.Versions[9], v.Versions[0])
			}

			// Promote the multi-arch build 4 to prod: 4 requests (handshake,
			// GET manifest, PUT prod, PUT record), no blob.
			c2 := newTestClient(t)
			proxy.Requests()
			at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
			p, err := c2.Promote(ctx, repo, scheme, 4, "prod", at)
			if err != nil {
				t.Fatal(err)
			}
			reqs := proxy.Requests()
			if len(reqs) != 4 || reqs[0] != "GET /v2/" {
				t.Errorf("promote requests = %v, want ping, GET, PUT, PUT", reqs)
			}
			for _, r := range reqs {
				if strings.Contains(r, "/blobs/") {
					t.Errorf("blob request during promote: %s", r)
				}
			}
			if p.Digest != e.digests["4"] || p.Record != "prod.4.20261126T080000.000000000Z" {
				t.Errorf("promotion = %+v", p)
			}
			if got := rt.Tags(t, reg.Host, "team/web"); !slices.Contains(got, "prod.4.20261126T080000.000000000Z") {
				t.Errorf("no promotion record in %v", got)
			}
			if !rt.ManifestExists(t, reg.Host, "team/web", e.digests["4"]) {
				t.Error("index missing")
			}

			// current: prod is build 4 now, dev is not promoted.
			cur, err := c.Current(ctx, repo, scheme, []string{"prod", "staging", "dev"})
			if err != nil {
				t.Fatal(err)
			}
			if cur[0].Build != 4 || cur[0].Digest != e.digests["4"] || cur[1].Build != 12 || cur[2].Promoted {
				t.Errorf("current = %+v", cur)
			}

			// A second promotion, then history, newest first.
			if _, err := c.Promote(ctx, repo, scheme, 11, "prod", at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			h, err := c.History(ctx, repo, scheme, "prod")
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 2 || h[0].Build != 11 || h[1].Build != 4 {
				t.Errorf("history = %+v", h)
			}

			// Promote, roll back and fix forward within one second: three
			// records, none overwriting another, newest first.
			sec := at.Add(2 * time.Hour)
			for i, b := range []uint64{12, 11, 12} {
				if _, err := c.Promote(ctx, repo, scheme, b, "prod", sec.Add(time.Duration(i)*time.Millisecond)); err != nil {
					t.Fatal(err)
				}
			}
			h, err = c.History(ctx, repo, scheme, "prod")
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, r := range h {
				got = append(got, r.Build)
			}
			if want := []uint64{12, 11, 12, 11, 4}; !slices.Equal(got, want) {
				t.Errorf("history builds = %v, want %v", got, want)
			}
			if _, err := c.Promote(ctx, repo, scheme, 11, "prod", at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}

			// A build that does not exist is refused and nothing moves.
			if _, err := c.Promote(ctx, repo, scheme, 99, "prod", at); !errors.Is(err, ErrNoBuild) {
				t.Errorf("promote 99: %v, want ErrNoBuild", err)
			}
			if _, err := c.Promote(ctx, repo, scheme, 5, "qa", at); !errors.Is(err, ErrInvalidReference) {
				t.Errorf("promote to qa: %v, want ErrInvalidReference", err)
			}
			cur, _ = c.Current(ctx, repo, scheme, []string{"prod"})
			if cur[0].Build != 11 {
				t.Errorf("prod moved to %d", cur[0].Build)
			}
		})
	}
}
