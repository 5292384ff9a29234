package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"github.com/dockwright/dockwright/internal/imagetag"
)

// Gather reads what the plan of repo depends on, with the fewest requests:
// one tag list; then, only when some tag could be deleted, one HEAD per
// tag, one GET per multi-arch index, and (with KeepYoungerThan) the
// creation time of each candidate build.
func (c *Client) Gather(ctx context.Context, repo name.Repository, scheme imagetag.Scheme, p Policy) (RepoState, error) {
	s := RepoState{Repository: repo.Name(), Children: map[string][]string{}}
	tags, err := c.Tags(ctx, repo)
	if errors.Is(err, ErrNotFound) {
		s.Missing = true
		return s, nil
	}
	if err != nil {
		return s, err
	}
	slices.Sort(tags)
	s.Tags = make([]TagState, len(tags))
	for i, t := range tags {
		s.Tags[i] = TagState{Tag: t}
	}
	if !NeedsDigests(tags, scheme, p) {
		return s, nil
	}
	descs, err := c.headAll(ctx, repo, tags)
	if err != nil {
		return s, err
	}
	s.Resolved = true
	for i := range s.Tags {
		if d, ok := descs[s.Tags[i].Tag]; ok {
			s.Tags[i].Digest, s.Tags[i].MediaType = d.Digest.String(), string(d.MediaType)
		}
	}
	if err := c.gatherChildren(ctx, repo, s.Tags, s.Children); err != nil {
		return s, err
	}
	if p.KeepYoungerThan > 0 {
		if err := c.gatherCreated(ctx, repo, scheme, p, &s); err != nil {
			return s, err
		}
	}
	return s, nil
}

func isIndex(mt string) bool {
	return types.MediaType(mt).IsIndex()
}

// gatherChildren fetches every multi-arch index once and records its
// children (recursively, for the rare index of indexes).
func (c *Client) gatherChildren(ctx context.Context, repo name.Repository, tags []TagState, children map[string][]string) error {
	var todo []string
	for _, t := range tags {
		if isIndex(t.MediaType) && !slices.Contains(todo, t.Digest) {
			todo = append(todo, t.Digest)
		}
	}
	for len(todo) > 0 {
		manifests, err := c.manifests(ctx, repo, todo)
		if err != nil {
			return err
		}
		var next []string
		for _, dg := range todo {
			raw, ok := manifests[dg]
			if !ok {
				continue // gone since it was listed
			}
			m, err := v1.ParseIndexManifest(bytes.NewReader(raw))
			if err != nil {
				return fmt.Errorf("reading index %s@%s: %w", repo.Name(), dg, err)
			}
			for _, ch := range m.Manifests {
				children[dg] = append(children[dg], ch.Digest.String())
				if ch.MediaType.IsIndex() {
					next = append(next, ch.Digest.String())
				}
			}
		}
		todo = next
	}
	return nil
}

// manifests fetches the manifests of digests, leaving out those that are
// gone: one GET each, concurrently, or on ECR one BatchGetImage per 100.
func (c *Client) manifests(ctx context.Context, repo name.Repository, digests []string) (map[string][]byte, error) {
	if e := c.ecr(repo.Registry); e != nil {
		out, err := e.getMany(ctx, repo, digests)
		if err != nil {
			return nil, fmt.Errorf("fetching manifests of %s: %w", repo.Name(), err)
		}
		return out, nil
	}
	var mu sync.Mutex
	out := make(map[string][]byte, len(digests))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Concurrency)
	for _, dg := range digests {
		g.Go(func() error {
			d, err := c.Get(gctx, repo.Digest(dg))
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			mu.Lock()
			out[dg] = d.Manifest
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

// gatherCreated looks up the creation time of the builds that are
// candidates once age is ignored.
func (c *Client) gatherCreated(ctx context.Context, repo name.Repository, scheme imagetag.Scheme, p Policy, s *RepoState) error {
	noAge := p
	noAge.KeepYoungerThan = 0
	cand := map[string]bool{}
	for _, d := range PlanRepo(*s, scheme, noAge).Tags {
		if d.Action == Delete && d.Kind == imagetag.Version.String() {
			cand[d.Tag] = true
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Concurrency)
	for i := range s.Tags {
		t := &s.Tags[i]
		if !cand[t.Tag] || t.Digest == "" {
			continue
		}
		g.Go(func() error {
			at, err := c.created(gctx, repo, t.Digest)
			if err != nil {
				return err
			}
			t.Created = at
			return nil
		})
	}
	return g.Wait()
}

// created is the creation time in an image's config (the first child's,
// for an index).
//
// On ECR it is the push time ECR recorded (imagePushedAt): no manifest or
// config is fetched.
func (c *Client) created(ctx context.Context, repo name.Repository, digest string) (time.Time, error) {
	if e := c.ecr(repo.Registry); e != nil {
		at, err := e.pushedAt(ctx, repo, digest)
		if err != nil {
			return time.Time{}, fmt.Errorf("push time of %s@%s: %w", repo.Name(), digest, err)
		}
		return at, nil
	}
	d, err := c.Get(ctx, repo.Digest(digest))
	if err != nil {
		return time.Time{}, err
	}
	if d.MediaType.IsIndex() {
		idx, err := d.ImageIndex()
		if err != nil {
			return time.Time{}, err
		}
		m, err := idx.IndexManifest()
		if err != nil || len(m.Manifests) == 0 {
			return time.Time{}, err
		}
		return c.created(ctx, repo, m.Manifests[0].Digest.String())
	}
	img, err := d.Image()
	if err != nil {
		return time.Time{}, fmt.Errorf("reading image %s@%s: %w", repo.Name(), digest, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return time.Time{}, fmt.Errorf("reading config of %s@%s: %w", repo.Name(), digest, classify(err))
	}
	return cfg.Created.Time, nil
}

// Apply carries out a plan. Just before deleting it lists the tags again
// and resolves every tag that can move (environment and other tags; commit
// and extra tags too when something was pushed since the plan) and every
// tag that appeared since: a manifest such a tag now points at is skipped,
// and a tag planned for deletion that moved to another manifest is no
// longer deleted, so a tag moved during the run is not lost. Each index's unreferenced children go before the index. A 404
// counts as already done, so a rerun finishes an interrupted run. progress,
// when not nil, is called after each deletion.
func (c *Client) Apply(ctx context.Context, repo name.Repository, plan *RepoPlan, progress func()) error {
	if plan.Refused != "" || len(plan.Deletions) == 0 {
		return nil
	}
	if err := c.recheck(ctx, repo, plan); err != nil {
		for i := range plan.Deletions {
			plan.Deletions[i].Status = StatusNotAttempted
		}
		return fmt.Errorf("re-checking %s before deleting: %w", repo.Name(), err)
	}
	if e := c.ecr(repo.Registry); e != nil {
		return c.applyECR(ctx, e, repo, plan, progress)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Concurrency)
	var mu sync.Mutex
	var errs []error
	for i := range plan.Deletions {
		u := &plan.Deletions[i]
		if u.Status != StatusPlanned {
			continue
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				u.Status = StatusNotAttempted
				return nil
			}
			err := c.deleteUnit(gctx, repo, u)
			if progress != nil {
				progress()
			}
			if err != nil {
				u.Status, u.Error = StatusFailed, err.Error()
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				if errors.Is(err, ErrDeleteDisabled) || errors.Is(err, ErrAuth) {
					return err // every other deletion would fail the same way
				}
			}
			return nil
		})
	}
	stop := g.Wait()
	for i := range plan.Deletions {
		if plan.Deletions[i].Status == StatusPlanned {
			plan.Deletions[i].Status = StatusNotAttempted
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if stop != nil {
		return stop
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d deletions in %s failed: %w", len(errs), len(plan.Deletions), repo.Name(), errs[0])
	}
	return nil
}

func (c *Client) deleteUnit(ctx context.Context, repo name.Repository, u *Deletion) error {
	if c.opts.DeleteBy != DeleteByDigest && len(u.Tags) > 0 {
		done, err := c.untagUnit(ctx, repo, u)
		if done || err != nil {
			return err
		}
	}
	u.Method = string(DeleteByDigest)
	for _, ch := range u.Children {
		if err := c.Delete(ctx, repo, ch); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	err := c.Delete(ctx, repo, u.Digest)
	switch {
	case errors.Is(err, ErrNotFound):
		u.Status = StatusGone
		return nil
	case err != nil:
		return err
	}
	u.Status = StatusDeleted
	return nil
}

// untagUnit deletes the unit's tags one by one where the registry can. The
// first deletion on a registry finds out, while the others wait; done is
// false when the registry cannot untag and DeleteAuto falls back to digests.
func (c *Client) untagUnit(ctx context.Context, repo name.Repository, u *Deletion) (done bool, err error) {
	sup := c.untagSupport(repo.RegistryStr())
	tags := u.Tags
	gone := 0
	sup.mu.Lock()
	if !sup.known {
		err := c.Untag(ctx, repo.Tag(tags[0]))
		switch {
		case errors.Is(err, ErrUntagUnsupported):
			sup.known = true
			sup.mu.Unlock()
			if c.opts.DeleteBy == DeleteByTag {
				return true, err
			}
			return false, nil
		case errors.Is(err, ErrNotFound):
			gone++ // says nothing about support; the next unit asks again
			sup.mu.Unlock()
		case err != nil:
			sup.mu.Unlock()
			return true, err
		default:
			sup.known, sup.supported = true, true
			sup.mu.Unlock()
		}
		tags = tags[1:]
	} else {
		sup.mu.Unlock()
		if !sup.supported {
			if c.opts.DeleteBy == DeleteByTag {
				return true, fmt.Errorf("deleting %s@%s: %w", repo.Name(), u.Digest, ErrUntagUnsupported)
			}
			return false, nil
		}
	}
	u.Method = string(DeleteByTag)
	for _, t := range tags {
		err := c.Untag(ctx, repo.Tag(t))
		if errors.Is(err, ErrNotFound) {
			gone++
			continue
		}
		if err != nil {
			return true, err
		}
	}
	u.Status = StatusDeleted
	if gone == len(u.Tags) {
		u.Status = StatusGone
	}
	return true, nil
}

// recheck re-resolves what stays and drops from the plan any manifest a
// surviving or new tag now references.
func (c *Client) recheck(ctx context.Context, repo name.Repository, plan *RepoPlan) error {
	tags, err := c.Tags(ctx, repo)
	if err != nil {
		return err
	}
	// Re-resolve every tag that may have moved: environment and other
	// tags, and any tag that appeared since the plan. Version tags and
	// promotion records are immutable (a build number is pushed once).
	// Commit and extra tags move only when image-tagger pushes them with a
	// new build, so they are re-resolved only when some tag appeared (a
	// rebuild of an old commit moves its commit tag onto the new build).
	known := make(map[string]bool, len(plan.Tags))
	for _, d := range plan.Tags {
		known[d.Tag] = true
	}
	pushed := false
	for _, t := range tags {
		pushed = pushed || !known[t]
	}
	skip := map[string]bool{}
	planned := map[string]string{} // movable tag planned for deletion -> its planned digest
	for _, d := range plan.Tags {
		switch {
		case d.Kind == imagetag.Version.String() || d.Kind == imagetag.Promotion.String():
			skip[d.Tag] = true
		case (d.Kind == KindCommit || d.Kind == KindExtra) && !pushed:
			skip[d.Tag] = true
		case d.Action == Delete:
			planned[d.Tag] = d.Digest
		}
	}
	var check []string
	for _, t := range tags {
		if !skip[t] {
			check = append(check, t)
		}
	}
	descs, err := c.headAll(ctx, repo, check)
	if err != nil {
		return err
	}
	held := map[string]string{} // digest -> tag holding it now
	moved := map[string]bool{}  // tags planned for deletion that point elsewhere now
	var unknownIndexes []string
	for _, t := range check {
		d, ok := descs[t]
		if !ok {
			continue
		}
		dg := d.Digest.String()
		if pd, ok := planned[t]; ok {
			if pd == dg {
				continue // still where it was: it goes with its manifest
			}
			moved[t] = true // it holds what it points at now, and stays
		}
		if _, dup := held[dg]; !dup {
			held[dg] = t
			if d.MediaType.IsIndex() {
				if _, known := plan.children[dg]; !known {
					unknownIndexes = append(unknownIndexes, dg)
				}
			}
		}
	}
	children := map[string][]string{}
	for k, v := range plan.children {
		children[k] = v
	}
	if len(unknownIndexes) > 0 {
		ts := make([]TagState, len(unknownIndexes))
		for i, dg := range unknownIndexes {
			ts[i] = TagState{Digest: dg, MediaType: string(types.OCIImageIndex)}
		}
		if err := c.gatherChildren(ctx, repo, ts, children); err != nil {
			return err
		}
	}
	// Expand to the children of every held index.
	queue := make([]string, 0, len(held))
	for dg := range held {
		queue = append(queue, dg)
	}
	for len(queue) > 0 {
		dg := queue[0]
		queue = queue[1:]
		for _, ch := range children[dg] {
			if _, ok := held[ch]; !ok {
				held[ch] = held[dg]
				queue = append(queue, ch)
			}
		}
	}
	for i := range plan.Deletions {
		u := &plan.Deletions[i]
		if t, ok := held[u.Digest]; ok {
			u.Status, u.Error = StatusSkipped, fmt.Sprintf("tag %q points at it now (moved during the run)", t)
			continue
		}
		var stay []string
		tagsLeft := u.Tags[:0]
		for _, t := range u.Tags {
			if moved[t] {
				stay = append(stay, t)
			} else {
				tagsLeft = append(tagsLeft, t)
			}
		}
		u.Tags = tagsLeft
		if len(u.Tags) == 0 {
			u.Status, u.Error = StatusSkipped, fmt.Sprintf("its tags %s moved to another manifest during the run", strings.Join(stay, ", "))
			continue
		}
		kept := u.Children[:0]
		for _, ch := range u.Children {
			if _, ok := held[ch]; !ok {
				kept = append(kept, ch)
			}
		}
		u.Children = kept
	}
	return nil
}
