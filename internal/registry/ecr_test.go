package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockwright/dockwright/internal/ecrfake"
	"github.com/dockwright/dockwright/internal/imagetag"
	"github.com/dockwright/dockwright/internal/pluginexec"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

// ecrHostName is an ECR hostname: the Client picks the ECR backend for it
// by itself, and AWS_ENDPOINT_URL_ECR sends the SDK to the fake.
const ecrHostName = ecrfake.Account + ".dkr.ecr.us-east-1.amazonaws.com"

// helperDir holds dockwright-plugin-host, built once for the tests: the
// Client reaches ECR through it (the real SDK runs there).
var (
	helperOnce sync.Once
	helperDir  string
	helperErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if helperDir != "" {
		os.RemoveAll(helperDir)
	}
	os.Exit(code)
}

func withHelper(t testing.TB) {
	t.Helper()
	helperOnce.Do(func() {
		if helperDir, helperErr = os.MkdirTemp("", "dockwright-helper-"); helperErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(helperDir, pluginexec.Helper), "github.com/dockwright/dockwright/tools/dockwright-plugin-host").CombinedOutput()
		if err != nil {
			helperErr = fmt.Errorf("go build dockwright-plugin-host: %v\n%s", err, out)
		}
	})
	if helperErr != nil {
		t.Fatal(helperErr)
	}
	t.Setenv("PATH", helperDir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// startECR starts the fake and points the real SDK client (in the helper)
// at it.
func startECR(t *testing.T) (*ecrfake.Server, *Client) {
	t.Helper()
	withHelper(t)
	srv := ecrfake.Start()
	t.Cleanup(srv.Close)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no docker config: the in-process keychain answers
	return srv, New(Options{Attempts: 3, Backoff: time.Millisecond})
}

func ecrRepo(t *testing.T, path string) name.Repository {
	t.Helper()
	r, err := name.NewRepository(ecrHostName + "/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// seedBuilds pushes builds from..to with their commit tags, build n pushed
// n hours after t0; it returns each build's digest.
func seedBuilds(srv *ecrfake.Server, repo string, from, to int) map[int]string {
	out := map[int]string{}
	for n := from; n <= to; n++ {
		m := ecrfake.Manifest(n, string(types.DockerManifestSchema2), false)
		at := t0.Add(time.Duration(n) * time.Hour)
		out[n] = srv.Push(repo, fmt.Sprint(n), m, string(types.DockerManifestSchema2), at)
		srv.Push(repo, fmt.Sprintf("git-%07x", n), m, string(types.DockerManifestSchema2), at)
	}
	return out
}

func TestECRVersionsCurrentHistory(t *testing.T) {
	srv, c := startECR(t)
	ctx := context.Background()
	d := seedBuilds(srv, "team/web", 1, 5)
	repo := ecrRepo(t, "team/web")
	scheme := imagetag.DefaultScheme()
	if _, err := c.Promote(ctx, repo, scheme, 4, "prod", t0); err != nil {
		t.Fatal(err)
	}
	// One manifest read and two writes (prod, the record): no blob moves.
	if calls := c.Counts().ECR; calls["BatchGetImage"] != 1 || calls["PutImage"] != 2 || len(calls) != 2 {
		t.Errorf("promote made %v, want BatchGetImage 1 and PutImage 2", calls)
	}
	if _, err := c.Promote(ctx, repo, scheme, 5, "staging", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	before := c.Counts()
	v, err := c.ListVersions(ctx, repo, scheme)
	if err != nil {
		t.Fatal(err)
	}
	var builds []uint64
	for _, x := range v.Versions {
		builds = append(builds, x.Build)
	}
	if !slices.Equal(builds, []uint64{5, 4, 3, 2, 1}) || v.Versions[1].Digest != d[4] || !slices.Equal(v.Versions[1].Envs, []string{"prod"}) {
		t.Errorf("versions = %+v", v.Versions)
	}
	if got := c.Counts().ECR["DescribeImages"] - before.ECR["DescribeImages"]; got != 1 {
		t.Errorf("ListVersions made %d DescribeImages calls, want 1 (digests come with the listing)", got)
	}
	cur, err := c.Current(ctx, repo, scheme, []string{"prod", "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if cur[0].Build != 4 || !cur[0].Promoted || cur[1].Promoted {
		t.Errorf("current = %+v", cur)
	}
	h, err := c.History(ctx, repo, scheme, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Env != "staging" || h[1].Build != 4 {
		t.Errorf("history = %+v", h)
	}
	if _, err := c.ListVersions(ctx, ecrRepo(t, "nothing"), scheme); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown repository: %v, want ErrNotFound", err)
	}
	if _, err := c.Head(ctx, repo.Tag("nope")); !errors.Is(err, ErrNotFound) || strings.Count(err.Error(), "not found") != 1 {
		t.Errorf("unknown tag: %v, want ErrNotFound said once", err)
	}
}

// Every manifest type is promoted byte for byte: the digest under the
// environment tag is the build's, also for an OCI manifest without a
// mediaType field and for a multi-arch index.
func TestECRPromoteKeepsDigests(t *testing.T) {
	srv, c := startECR(t)
	ctx := context.Background()
	scheme := imagetag.DefaultScheme()
	oci := string(types.OCIManifestSchema1)
	a := srv.Push("app", "", ecrfake.Manifest(100, oci, false), oci, t0)
	b := srv.Push("app", "", ecrfake.Manifest(101, oci, false), oci, t0)
	idx := ecrfake.Index(a, b)
	builds := []struct {
		name      string
		build     int
		manifest  []byte
		mediaType string
	}{
		{"Docker v2 manifest", 1, ecrfake.Manifest(1, string(types.DockerManifestSchema2), false), string(types.DockerManifestSchema2)},
		{"OCI manifest", 2, ecrfake.Manifest(2, oci, false), oci},
		{"OCI manifest without mediaType", 3, ecrfake.Manifest(3, oci, true), oci},
		{"OCI index", 4, idx, string(types.OCIImageIndex)},
	}
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			want := srv.Push("app", fmt.Sprint(b.build), b.manifest, b.mediaType, t0)
			p, err := c.Promote(ctx, ecrRepo(t, "app"), scheme, uint64(b.build), "prod", t0.Add(time.Duration(b.build)*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.Tags("app")["prod"]; got != want || p.Digest != want {
				t.Errorf("prod -> %s (promotion says %s), want %s", got, p.Digest, want)
			}
			if srv.Images("app")[want].MediaType != b.mediaType {
				t.Errorf("media type %q, want %q", srv.Images("app")[want].MediaType, b.mediaType)
			}
		})
	}
	t.Run("the same build to the same tag again", func(t *testing.T) {
		if _, err := c.PromoteUnrecorded(ctx, ecrRepo(t, "app"), scheme, 4, "prod"); err != nil {
			t.Errorf("repeat promotion: %v, want success", err)
		}
	})
}

func TestECRTagImmutability(t *testing.T) {
	tests := []struct {
		name       string
		mutability string
		exclusions []string
		wantErr    bool
	}{
		{"mutable", ecrfake.Mutable, nil, false},
		{"immutable refuses to move prod", ecrfake.Immutable, nil, true},
		{"immutable except the environment tags", ecrfake.ImmutableWithExclusion, []string{"dev", "staging", "prod", "latest"}, false},
		{"immutable except other tags", ecrfake.ImmutableWithExclusion, []string{"release-*"}, true},
		{"mutable except prod", ecrfake.MutableWithExclusion, []string{"prod"}, true},
		{"mutable except versions", ecrfake.MutableWithExclusion, []string{"1*", "2*"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := startECR(t)
			ctx := context.Background()
			srv.CreateRepository("web", tt.mutability, tt.exclusions...)
			seedBuilds(srv, "web", 1, 2)
			repo := ecrRepo(t, "web")
			if _, err := c.PromoteUnrecorded(ctx, repo, imagetag.DefaultScheme(), 1, "prod"); err != nil {
				t.Fatalf("first promotion (a new tag): %v", err)
			}
			_, err := c.PromoteUnrecorded(ctx, repo, imagetag.DefaultScheme(), 2, "prod")
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "immutable") || !strings.Contains(err.Error(), tt.mutability) {
				t.Fatalf("err = %v, want a refusal naming %s", err, tt.mutability)
			}
			if srv.Tags("web")["prod"] != srv.Tags("web")["1"] {
				t.Error("prod moved although ECR refused")
			}
		})
	}
}

func TestECRPruneKeepsWhatItMust(t *testing.T) {
	srv, c := startECR(t)
	ctx := context.Background()
	d := seedBuilds(srv, "web", 2, 250)
	// Build 1 is a multi-arch index, deleted with its children; build 252
	// shares build 3's digest (so build 3 stays, held by a kept tag); prod
	// points at build 7.
	oci := string(types.OCIManifestSchema1)
	ch1 := srv.Push("web", "", ecrfake.Manifest(1001, oci, false), oci, t0)
	ch2 := srv.Push("web", "", ecrfake.Manifest(1002, oci, false), oci, t0)
	idx := srv.Push("web", "1", ecrfake.Index(ch1, ch2), string(types.OCIImageIndex), t0)
	srv.Push("web", "prod", ecrfake.Manifest(7, string(types.DockerManifestSchema2), false), string(types.DockerManifestSchema2), t0)
	srv.Push("web", "252", ecrfake.Manifest(3, string(types.DockerManifestSchema2), false), string(types.DockerManifestSchema2), t0)
	repo := ecrRepo(t, "web")
	plans := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), Policy{Keep: 10})
	if plans[0].Error != "" {
		t.Fatal(plans[0].Error)
	}
	c.ApplyAll(ctx, []name.Repository{repo}, plans, nil)
	if err := Outcome(ctx, plans, Summarize(plans)); err != nil {
		t.Fatal(err)
	}
	imgs := srv.Images("web")
	for _, keep := range []string{d[7], d[3], d[250], d[242]} {
		if _, ok := imgs[keep]; !ok {
			t.Errorf("deleted %s, which a kept tag holds", keep)
		}
	}
	for _, gone := range []string{d[241], d[2], idx, ch1, ch2} {
		if _, ok := imgs[gone]; ok {
			t.Errorf("kept %s, which the plan deletes", gone)
		}
	}
	calls := c.Counts().ECR
	if len(imgs) != 11 {
		t.Errorf("%d images left, want 11 (builds 242-250, 3 and 7)", len(imgs))
	}
	// 239 manifests to delete: 3 chunks, then one for the index's children.
	if calls["BatchDeleteImage"] != 4 || calls["DescribeImages"] != 2 {
		t.Errorf("calls = %v, want 4 BatchDeleteImage (chunks of 100) and 2 DescribeImages (plan, re-check)", calls)
	}
}

func TestECRPruneFailuresAndRerun(t *testing.T) {
	tests := []struct {
		name   string
		inject func(srv *ecrfake.Server, d map[int]string, cancel context.CancelFunc)
		// want is the outcome of the first run: an error containing it.
		want string
	}{
		{"a per-id failure, the rest deleted", func(srv *ecrfake.Server, d map[int]string, _ context.CancelFunc) {
			srv.FailDelete(d[2], "KmsError")
		}, "KmsError"},
		{"5xx on every attempt of the first chunk", func(srv *ecrfake.Server, _ map[int]string, _ context.CancelFunc) {
			srv.Fail("BatchDeleteImage", 500, 500, 500)
		}, "ServerException"},
		{"Ctrl-C before deleting", func(srv *ecrfake.Server, _ map[int]string, cancel context.CancelFunc) {
			srv.Before(func(op string) {
				if op == "BatchDeleteImage" {
					cancel()
				}
			})
		}, "context canceled"},
		{"a tag moved onto an old build during the run", func(srv *ecrfake.Server, d map[int]string, _ context.CancelFunc) {
			srv.Before(func(op string) {
				if op == "DescribeImages" && srv.Calls()["DescribeImages"] == 2 {
					srv.Push("web", "staging", ecrfake.Manifest(2, string(types.DockerManifestSchema2), false), string(types.DockerManifestSchema2), t0)
				}
			})
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := startECR(t)
			d := seedBuilds(srv, "web", 1, 120)
			repo := ecrRepo(t, "web")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tt.inject(srv, d, cancel)
			plans := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), Policy{Keep: 5})
			c.ApplyAll(ctx, []name.Repository{repo}, plans, nil)
			err := Outcome(ctx, plans, Summarize(plans))
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error()+strings.Join(errorsOf(plans), " "), tt.want)) {
				t.Fatalf("first run: %v, want %q", err, tt.want)
			}
			for n := 116; n <= 120; n++ {
				if _, ok := srv.Images("web")[d[n]]; !ok {
					t.Fatalf("build %d deleted", n)
				}
			}
			if tt.want == "" { // the moved tag holds build 2
				if _, ok := srv.Images("web")[d[2]]; !ok {
					t.Fatal("build 2 deleted although staging moved onto it")
				}
				return
			}
			// The rerun finishes what the first run left.
			srv.Before(nil)
			srv.FailDelete(d[2], "")
			c2 := New(Options{Attempts: 3, Backoff: time.Millisecond})
			plans = c2.PlanAll(context.Background(), []name.Repository{repo}, imagetag.DefaultScheme(), Policy{Keep: 5})
			c2.ApplyAll(context.Background(), []name.Repository{repo}, plans, nil)
			if err := Outcome(context.Background(), plans, Summarize(plans)); err != nil {
				t.Fatalf("rerun: %v", err)
			}
			if n := len(srv.Images("web")); n != 5 {
				t.Errorf("%d images after the rerun, want the 5 kept", n)
			}
		})
	}
}

func errorsOf(plans []RepoPlan) []string {
	var out []string
	for _, p := range plans {
		for _, u := range p.Deletions {
			out = append(out, u.Error)
		}
	}
	return out
}

// The in-process keychain hands out the ECR token as user AWS, fetches it
// once, and again when it nears its expiry.
func TestECRKeychainRefreshes(t *testing.T) {
	srv, c := startECR(t)
	srv.SetTokenTTL(20 * time.Minute) // inside the refresh margin: every use refreshes
	reg, _ := name.NewRegistry(ecrHostName)
	for range 2 {
		a, err := authn.Resolve(context.Background(), c.opts.Keychain, reg)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := authn.Authorization(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Username != "AWS" || cfg.Password != ecrfake.Password {
			t.Fatalf("auth = %+v", cfg)
		}
	}
	if n := srv.Calls()["GetAuthorizationToken"]; n != 2 {
		t.Errorf("%d GetAuthorizationToken calls for a token about to expire, want 2", n)
	}
	srv.SetTokenTTL(12 * time.Hour)
	c2 := New(Options{})
	for range 3 {
		a, _ := authn.Resolve(context.Background(), c2.opts.Keychain, reg)
		if _, err := authn.Authorization(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Calls()["GetAuthorizationToken"]; n != 3 {
		t.Errorf("%d calls in all, want 3: a 12-hour token is reused", n)
	}
	other, _ := name.NewRegistry("registry.example:5000")
	if a, _ := authn.Resolve(context.Background(), c2.opts.Keychain, other); a != authn.Anonymous {
		t.Errorf("a registry that is not ECR got %v", a)
	}
}

// seedEstate fills the fake with the benchmark estate of
// docs/benchmarks.md (registrytest.Estate's repositories and tags), each
// build its own manifest.
func seedEstate(srv *ecrfake.Server, repos, builds int, commitTags bool) {
	mt := string(types.DockerManifestSchema2)
	e := rt.Estate{Repos: repos, Builds: builds, GitTags: commitTags}
	for r, name := range e.RepoNames() {
		for n := 1; n <= builds; n++ {
			m := ecrfake.Manifest(r*100000+n, mt, false)
			for _, t := range e.Tags(name, n) {
				srv.Push(name, t, m, mt, t0.Add(time.Duration(n)*time.Minute))
			}
		}
	}
}

// BenchmarkECRPrune20x200 prunes the 20 repositories × 200 builds estate
// to --keep 10 through the real SDK and the fake (loopback HTTP): one run
// per iteration on a fresh estate; it reports the ECR API calls a run
// makes (the goal: at most 100).
func BenchmarkECRPrune20x200(b *testing.B) {
	for _, commitTags := range []bool{false, true} {
		b.Run(fmt.Sprintf("commit-tags=%v", commitTags), func(b *testing.B) {
			var calls int64
			for b.Loop() {
				b.StopTimer()
				withHelper(b)
				srv := ecrfake.Start()
				seedEstate(srv, 20, 200, commitTags)
				for _, kv := range srv.Env() {
					k, v, _ := strings.Cut(kv, "=")
					b.Setenv(k, v)
				}
				b.Setenv("DOCKER_CONFIG", b.TempDir())
				c := New(Options{})
				reg, _ := name.NewRegistry(ecrHostName)
				b.StartTimer()
				ctx := context.Background()
				names, err := c.Catalog(ctx, reg)
				if err != nil {
					b.Fatal(err)
				}
				repos := make([]name.Repository, len(names))
				for i, n := range names {
					repos[i] = reg.Repo(n)
				}
				plans := c.PlanAll(ctx, repos, imagetag.DefaultScheme(), Policy{Keep: 10})
				c.ApplyAll(ctx, repos, plans, nil)
				b.StopTimer()
				sum := Summarize(plans)
				if err := Outcome(ctx, plans, sum); err != nil || sum.Deleted != 20*190 {
					b.Fatalf("%v: %d deleted", err, sum.Deleted)
				}
				calls = 0
				for _, n := range c.Counts().ECR {
					calls += n // calls, not HTTP attempts (a retry is not a call)
				}
				srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(calls), "ecr-calls/op")
		})
	}
}

// DescribeImages is paged by 1,000: 1,100 builds take two calls, and
// every build is listed.
func TestECRPaginates(t *testing.T) {
	srv, c := startECR(t)
	seedBuilds(srv, "big", 1, 1100)
	v, err := c.ListVersions(context.Background(), ecrRepo(t, "big"), imagetag.DefaultScheme())
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Versions) != 1100 || v.Versions[0].Build != 1100 || v.Versions[1099].Build != 1 {
		t.Errorf("%d versions, newest %d", len(v.Versions), v.Versions[0].Build)
	}
	if n := srv.Calls()["DescribeImages"]; n != 2 {
		t.Errorf("%d DescribeImages calls for 1,100 images, want 2 pages of 1,000", n)
	}
}

// --timeout bounds each ECR call, retries included: a call ECR does not
// answer in time fails, naming the timeout.
func TestECRTimeout(t *testing.T) {
	srv, _ := startECR(t)
	seedBuilds(srv, "slow", 1, 2)
	srv.Before(func(op string) { time.Sleep(1500 * time.Millisecond) })
	c := New(Options{Timeout: 300 * time.Millisecond, Attempts: 1})
	_, err := c.ListVersions(context.Background(), ecrRepo(t, "slow"), imagetag.DefaultScheme())
	if err == nil || !strings.Contains(err.Error(), "timed out (--timeout)") {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

// What stops a prune before anything is deleted, as on Distribution: a
// plan that would empty a repository is refused, credentials without the
// permissions are ErrAuth, an endpoint that does not answer is
// ErrUnreachable; nothing is deleted in any of them.
func TestECRPruneStopsBeforeDeleting(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, srv *ecrfake.Server)
		keep    int
		wantErr error
	}{
		{"a plan that empties the repository", func(*testing.T, *ecrfake.Server) {}, 0, ErrRefused},
		{"credentials without the permissions", func(_ *testing.T, srv *ecrfake.Server) { srv.Deny(true) }, 2, ErrAuth},
		{"an endpoint that does not answer", func(t *testing.T, _ *ecrfake.Server) { t.Setenv("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:1") }, 2, ErrUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := startECR(t)
			seedBuilds(srv, "web", 1, 6)
			tt.setup(t, srv)
			c := New(Options{Attempts: 1})
			repo := ecrRepo(t, "web")
			ctx := context.Background()
			plans := c.PlanAll(ctx, []name.Repository{repo}, imagetag.DefaultScheme(), Policy{Keep: tt.keep})
			c.ApplyAll(ctx, []name.Repository{repo}, plans, nil)
			err := Outcome(ctx, plans, Summarize(plans))
			if tt.wantErr == ErrRefused {
				if !errors.Is(err, ErrRefused) {
					t.Fatalf("outcome %v, want ErrRefused", err)
				}
			} else if sentinel := strings.Split(tt.wantErr.Error(), " (")[0]; err == nil || strings.Count(plans[0].Error, sentinel) != 1 {
				t.Fatalf("outcome %v (plan error %q), want %v named once", err, plans[0].Error, tt.wantErr)
			}
			srv.Deny(false)
			if n := len(srv.Images("web")); n != 6 {
				t.Errorf("%d images left, want all 6", n)
			}
			if n := srv.Calls()["BatchDeleteImage"]; n != 0 {
				t.Errorf("%d BatchDeleteImage calls", n)
			}
		})
	}
}

// --keep-younger-than reads ECR's push time: no manifest or config is
// fetched for it.
func TestECRKeepYoungerThanUsesPushTime(t *testing.T) {
	srv, c := startECR(t)
	d := seedBuilds(srv, "web", 1, 10) // build n pushed n hours after t0
	repo := ecrRepo(t, "web")
	p := Policy{Keep: 2, KeepYoungerThan: 5*time.Hour + time.Minute, Now: t0.Add(10 * time.Hour)}
	plans := c.PlanAll(context.Background(), []name.Repository{repo}, imagetag.DefaultScheme(), p)
	c.ApplyAll(context.Background(), []name.Repository{repo}, plans, nil)
	if err := Outcome(context.Background(), plans, Summarize(plans)); err != nil {
		t.Fatal(err)
	}
	imgs := srv.Images("web")
	for n := 1; n <= 10; n++ {
		_, kept := imgs[d[n]]
		if want := n >= 5; kept != want {
			t.Errorf("build %d (pushed %dh before now): kept %v, want %v", n, 10-n, kept, want)
		}
	}
	if n := c.Counts().ECR["BatchGetImage"]; n != 0 {
		t.Errorf("%d BatchGetImage calls: the push time comes with the listing", n)
	}
}

// An estate of multi-arch builds: the indexes' children are read 100
// indexes per BatchGetImage call, and the plan deletes each old index with
// its children.
func TestECRManyIndexesInFewCalls(t *testing.T) {
	srv, c := startECR(t)
	oci := string(types.OCIManifestSchema1)
	children := map[int][2]string{}
	for n := 1; n <= 150; n++ {
		a := srv.Push("multi", "", ecrfake.Manifest(1000+n, oci, false), oci, t0)
		b := srv.Push("multi", "", ecrfake.Manifest(2000+n, oci, false), oci, t0)
		children[n] = [2]string{a, b}
		srv.Push("multi", fmt.Sprint(n), ecrfake.Index(a, b), string(types.OCIImageIndex), t0.Add(time.Duration(n)*time.Minute))
	}
	repo := ecrRepo(t, "multi")
	plans := c.PlanAll(context.Background(), []name.Repository{repo}, imagetag.DefaultScheme(), Policy{Keep: 10})
	if plans[0].Error != "" {
		t.Fatal(plans[0].Error)
	}
	if n := c.Counts().ECR["BatchGetImage"]; n != 2 {
		t.Errorf("%d BatchGetImage calls for 150 indexes, want 2", n)
	}
	if d := plans[0].Deletions; len(d) != 140 || len(d[0].Children) != 2 {
		t.Fatalf("%d deletions (first with %d children), want 140 indexes with 2 each", len(d), len(d[0].Children))
	}
	c.ApplyAll(context.Background(), []name.Repository{repo}, plans, nil)
	if err := Outcome(context.Background(), plans, Summarize(plans)); err != nil {
		t.Fatal(err)
	}
	imgs := srv.Images("multi")
	for n := 1; n <= 150; n++ {
		_, kept := imgs[children[n][0]]
		if want := n > 140; kept != want {
			t.Errorf("child of build %d: kept %v, want %v", n, kept, want)
		}
	}
	if len(imgs) != 30 {
		t.Errorf("%d images left, want 10 indexes and their 20 children", len(imgs))
	}
}
