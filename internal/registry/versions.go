package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"golang.org/x/sync/errgroup"

	"github.com/dockwright/dockwright/internal/imagetag"
)

// Version is one build present in a repository.
type Version struct {
	Build     uint64   `json:"build"`
	Tag       string   `json:"tag"`
	Digest    string   `json:"digest"`
	MediaType string   `json:"media_type"`
	Envs      []string `json:"envs,omitempty"`
}

// EnvPointer is where an environment tag points.
type EnvPointer struct {
	Env string `json:"env"`
	// Promoted is false when the tag does not exist.
	Promoted bool   `json:"promoted"`
	Digest   string `json:"digest,omitempty"`
	// Build is the build whose version tag has the same digest; 0 when no
	// version tag does (the tag was moved by hand onto another image).
	Build uint64 `json:"build,omitempty"`
	Tag   string `json:"tag,omitempty"`
}

// Versions is the answer of ListVersions.
type Versions struct {
	Repository string       `json:"repository"`
	Versions   []Version    `json:"versions"`
	Envs       []EnvPointer `json:"envs"`
}

// ListVersions lists the builds of repo, newest first, with their digests
// and the environment tags pointing at each: one tag list and one HEAD per
// version and environment tag.
func (c *Client) ListVersions(ctx context.Context, repo name.Repository, scheme imagetag.Scheme) (*Versions, error) {
	tags, err := c.Tags(ctx, repo)
	if err != nil {
		return nil, err
	}
	out := &Versions{Repository: repo.Name(), Versions: []Version{}, Envs: []EnvPointer{}}
	var want []string
	builds := map[string]uint64{}
	for _, t := range tags {
		switch k, n := scheme.Classify(t); k {
		case imagetag.Version:
			builds[t] = n
			want = append(want, t)
		}
	}
	present := map[string]bool{}
	for _, t := range tags {
		present[t] = true
	}
	for _, e := range scheme.Envs() {
		if present[e] {
			want = append(want, e)
		}
	}
	descs, err := c.headAll(ctx, repo, want)
	if err != nil {
		return nil, err
	}
	byDigest := map[string][]int{}
	for _, t := range want {
		d, ok := descs[t]
		if !ok {
			continue // deleted between list and HEAD
		}
		if n, isVersion := builds[t]; isVersion {
			out.Versions = append(out.Versions, Version{Build: n, Tag: t, Digest: d.Digest.String(), MediaType: string(d.MediaType)})
		}
	}
	slices.SortFunc(out.Versions, func(a, b Version) int { return cmp.Compare(b.Build, a.Build) })
	for i, v := range out.Versions {
		byDigest[v.Digest] = append(byDigest[v.Digest], i)
	}
	for _, e := range scheme.Envs() {
		p := EnvPointer{Env: e}
		if d, ok := descs[e]; ok {
			p.Promoted, p.Digest = true, d.Digest.String()
			if idx := byDigest[p.Digest]; len(idx) > 0 {
				p.Build, p.Tag = out.Versions[idx[0]].Build, out.Versions[idx[0]].Tag
				for _, i := range idx {
					out.Versions[i].Envs = append(out.Versions[i].Envs, e)
				}
			}
		}
		out.Envs = append(out.Envs, p)
	}
	return out, nil
}

// headAll resolves tags concurrently. Tags that vanished (404) are left out
// of the result.
func (c *Client) headAll(ctx context.Context, repo name.Repository, tags []string) (map[string]descriptor, error) {
	res := make([]descriptor, len(tags))
	found := make([]bool, len(tags))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Concurrency)
	for i, t := range tags {
		g.Go(func() error {
			d, err := c.Head(gctx, repo.Tag(t))
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			res[i], found[i] = descriptor{Digest: d.Digest, MediaType: d.MediaType}, true
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make(map[string]descriptor, len(tags))
	for i, t := range tags {
		if found[i] {
			out[t] = res[i]
		}
	}
	return out, nil
}

// Current says where each of envs points in repo. It reads the newest
// promotion record of each environment first (one tag list, then two HEADs
// when the record still holds), and falls back to resolving version tags,
// newest first, until one matches.
func (c *Client) Current(ctx context.Context, repo name.Repository, scheme imagetag.Scheme, envs []string) ([]EnvPointer, error) {
	tags, err := c.Tags(ctx, repo)
	if err != nil {
		return nil, err
	}
	present := map[string]bool{}
	var versions []Version
	latest := map[string]imagetag.PromotionRecord{}
	for _, t := range tags {
		present[t] = true
		switch k, n := scheme.Classify(t); k {
		case imagetag.Version:
			versions = append(versions, Version{Build: n, Tag: t})
		case imagetag.Promotion:
			p, _ := scheme.ParsePromotion(t)
			if cur, ok := latest[p.Env]; !ok || p.At.After(cur.At) {
				latest[p.Env] = p
			}
		}
	}
	slices.SortFunc(versions, func(a, b Version) int { return cmp.Compare(b.Build, a.Build) })
	tagOf := map[uint64]string{}
	for _, v := range versions {
		tagOf[v.Build] = v.Tag
	}
	out := make([]EnvPointer, len(envs))
	resolved := map[string]string{} // version tag -> digest, shared across envs
	head := func(ctx context.Context, t string) (string, error) {
		if d, ok := resolved[t]; ok {
			return d, nil
		}
		d, err := c.Head(ctx, repo.Tag(t))
		if errors.Is(err, ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		resolved[t] = d.Digest.String()
		return resolved[t], nil
	}
	for i, e := range envs {
		p := EnvPointer{Env: e}
		out[i] = p
		if !present[e] {
			continue
		}
		d, err := head(ctx, e)
		if err != nil {
			return nil, err
		}
		if d == "" {
			continue
		}
		p.Promoted, p.Digest = true, d
		if rec, ok := latest[e]; ok && tagOf[rec.Build] != "" {
			if vd, err := head(ctx, tagOf[rec.Build]); err != nil {
				return nil, err
			} else if vd == d {
				p.Build, p.Tag = rec.Build, tagOf[rec.Build]
			}
		}
		for _, v := range versions {
			if p.Build != 0 {
				break
			}
			vd, err := head(ctx, v.Tag)
			if err != nil {
				return nil, err
			}
			if vd == d {
				p.Build, p.Tag = v.Build, v.Tag
			}
		}
		out[i] = p
	}
	return out, nil
}

// Promotion is the result of Promote.
type Promotion struct {
	Repository string `json:"repository"`
	Env        string `json:"env"`
	Build      uint64 `json:"build"`
	Digest     string `json:"digest"`
	MediaType  string `json:"media_type"`
	Record     string `json:"record,omitempty"`
	// Rollback: the record is a rollback's (imagetag.RollbackTag).
	Rollback bool      `json:"rollback,omitempty"`
	At       time.Time `json:"at"`
}

// Promote points env at build inside the registry: it fetches the build's
// manifest once and puts the same bytes under the environment tag and
// under the promotion record (imagetag.PromotionTag), so no layer moves and
// multi-arch indexes stay whole. A build without a tag is ErrNoBuild.
func (c *Client) Promote(ctx context.Context, repo name.Repository, scheme imagetag.Scheme, build uint64, env string, now time.Time) (*Promotion, error) {
	return c.promote(ctx, repo, scheme, build, env, now, recordPromotion)
}

// Rollback is Promote recording a rollback (imagetag.RollbackTag): env goes
// back to build, and history says so.
func (c *Client) Rollback(ctx context.Context, repo name.Repository, scheme imagetag.Scheme, build uint64, env string, now time.Time) (*Promotion, error) {
	return c.promote(ctx, repo, scheme, build, env, now, recordRollback)
}

type recordKind int

const (
	recordNone recordKind = iota
	recordPromotion
	recordRollback
)

// PromoteUnrecorded is Promote without the promotion record: one request
// less, and no entry in History.
func (c *Client) PromoteUnrecorded(ctx context.Context, repo name.Repository, scheme imagetag.Scheme, build uint64, env string) (*Promotion, error) {
	return c.promote(ctx, repo, scheme, build, env, time.Now(), recordNone)
}

func (c *Client) promote(ctx context.Context, repo name.Repository, scheme imagetag.Scheme, build uint64, env string, now time.Time, record recordKind) (*Promotion, error) {
	if !scheme.IsEnv(env) {
		return nil, fmt.Errorf("%w: %q is not an environment (known: %v)", ErrInvalidReference, env, scheme.Envs())
	}
	tag := fmt.Sprint(build)
	if !scheme.Plain() {
		// The build's tag has another shape (b142, 1.4.142): find it.
		tags, err := c.Tags(ctx, repo)
		if err != nil {
			return nil, err
		}
		tag = ""
		for _, t := range tags {
			if k, n := scheme.Classify(t); k == imagetag.Version && n == build {
				tag = t
				break
			}
		}
		if tag == "" {
			return nil, fmt.Errorf("%w: %s has no tag for build %d", ErrNoBuild, repo.Name(), build)
		}
	}
	d, err := c.Get(ctx, repo.Tag(tag))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %s has no tag %q", ErrNoBuild, repo.Name(), tag)
	}
	if err != nil {
		return nil, err
	}
	p := &Promotion{
		Repository: repo.Name(), Env: env, Build: build, Digest: d.Digest.String(),
		MediaType: string(d.MediaType), Record: imagetag.PromotionTag(env, build, now), At: now.UTC(),
	}
	if err := c.Put(ctx, repo.Tag(env), d); err != nil {
		return nil, err
	}
	switch record {
	case recordNone:
		p.Record = ""
		return p, nil
	case recordRollback:
		p.Record, p.Rollback = imagetag.RollbackTag(env, build, now), true
	}
	if err := c.Put(ctx, repo.Tag(p.Record), d); err != nil {
		what := "promotion"
		if p.Rollback {
			what = "rollback"
		}
		return p, fmt.Errorf("%s now points at build %d, but recording the %s failed: %w", env, build, what, err)
	}
	return p, nil
}

// History lists the recorded promotions of repo to env (all environments
// when env is empty), newest first (imagetag.SortHistory): one tag list.
func (c *Client) History(ctx context.Context, repo name.Repository, scheme imagetag.Scheme, env string) ([]imagetag.PromotionRecord, error) {
	tags, err := c.Tags(ctx, repo)
	if err != nil {
		return nil, err
	}
	out := []imagetag.PromotionRecord{}
	for _, t := range tags {
		if p, ok := scheme.ParsePromotion(t); ok && (env == "" || p.Env == env) {
			out = append(out, p)
		}
	}
	imagetag.SortHistory(out)
	return out, nil
}
