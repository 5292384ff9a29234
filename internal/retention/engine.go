package retention

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"

	"github.com/dockwright/dockwright/internal/docker"
	"github.com/dockwright/dockwright/internal/imagetag"
	"github.com/dockwright/dockwright/internal/short"
)

// Load reads the host's images and containers: exactly one image list and
// one container list call.
func Load(ctx context.Context, e docker.Engine) ([]Image, []Container, error) {
	is, err := e.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	cs, err := e.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return nil, nil, err
	}
	images, containers := FromEngine(is, cs)
	return images, containers, nil
}

// FromEngine converts the Engine's image and container lists.
func FromEngine(is []image.Summary, cs []container.Summary) ([]Image, []Container) {
	images := make([]Image, len(is))
	for i, s := range is {
		images[i] = Image{ID: s.ID, Tags: s.RepoTags, Digests: s.RepoDigests, Created: time.Unix(s.Created, 0).UTC(), Size: s.Size}
	}
	containers := make([]Container, len(cs))
	for i, c := range cs {
		name := c.ID
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		containers[i] = Container{ID: c.ID, Name: name, ImageID: c.ImageID, Image: c.Image, State: c.State}
	}
	return images, containers
}

// Run plans (looking up when each candidate was pulled only if MinAge is
// set: one inspect per candidate) and returns the plan.
func Run(ctx context.Context, e docker.Engine, scheme imagetag.Scheme, p Policy) (Plan, error) {
	images, containers, err := Load(ctx, e)
	if err != nil {
		return Plan{}, err
	}
	plan := MakePlan(images, containers, scheme, p)
	if p.MinAge <= 0 || len(plan.Removals) == 0 {
		return plan, nil
	}
	cand := map[string]bool{}
	for _, r := range plan.Removals {
		cand[r.ID] = true
	}
	for i := range images {
		if !cand[images[i].ID] {
			continue
		}
		ins, err := e.ImageInspect(ctx, images[i].ID)
		if errors.Is(err, docker.ErrNotFound) {
			continue
		}
		if err != nil {
			return Plan{}, err
		}
		images[i].Tagged = ins.Metadata.LastTagTime
		if images[i].Tagged.IsZero() {
			images[i].Tagged = images[i].Created // never tagged here: built or loaded
		}
	}
	return MakePlan(images, containers, scheme, p), nil
}

// Apply carries out the removals, concurrency at most n: stopped
// containers of an image first, then each of its references. A failure is
// recorded on its removal and the others go on; the error summarises.
func Apply(ctx context.Context, e docker.Engine, plan *Plan, n int, progress func()) error {
	var mu sync.Mutex
	var failed []string
	sem := make(chan struct{}, max(n, 1))
	var wg sync.WaitGroup
	for i := range plan.Removals {
		r := &plan.Removals[i]
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := remove(ctx, e, r)
			if progress != nil {
				progress()
			}
			if err != nil {
				r.Status, r.Error = StatusFailed, err.Error()
				mu.Lock()
				failed = append(failed, fmt.Sprintf("%s: %v", short.ID(r.ID), err))
				mu.Unlock()
				return
			}
			r.Status = StatusRemoved
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d images could not be removed:\n  %s", len(failed), len(plan.Removals), strings.Join(failed, "\n  "))
	}
	return nil
}

func remove(ctx context.Context, e docker.Engine, r *Removal) error {
	for _, c := range r.Containers {
		if err := e.ContainerRemove(ctx, c, container.RemoveOptions{}); err != nil && !errors.Is(err, docker.ErrNotFound) {
			return err
		}
	}
	for _, ref := range r.Refs {
		_, err := e.ImageRemove(ctx, ref, image.RemoveOptions{PruneChildren: true})
		if err != nil && !errors.Is(err, docker.ErrNotFound) {
			return err
		}
	}
	return nil
}
