package registry

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/dockwright/dockwright/internal/imagetag"
)

// repoConcurrency is how many repositories are worked on at once; requests
// are bounded separately by Options.Concurrency.
const repoConcurrency = 4

// PlanAll gathers and plans every repository. A repository that cannot be
// read gets a plan with Error set and no deletions; the others go on.
func (c *Client) PlanAll(ctx context.Context, repos []name.Repository, scheme imagetag.Scheme, p Policy) []RepoPlan {
	plans := make([]RepoPlan, len(repos))
	forEach(len(repos), func(i int) {
		s, err := c.Gather(ctx, repos[i], scheme, p)
		if err != nil {
			plans[i] = RepoPlan{Repository: repos[i].Name(), Tags: []Decision{}, Deletions: []Deletion{}, Error: err.Error()}
			return
		}
		plans[i] = PlanRepo(s, scheme, p)
	})
	return plans
}

// ApplyAll applies every plan that has deletions; failures are recorded in
// each plan's Error and deletion statuses. progress is called after each
// deletion.
func (c *Client) ApplyAll(ctx context.Context, repos []name.Repository, plans []RepoPlan, progress func()) {
	forEach(len(plans), func(i int) {
		if plans[i].Error != "" {
			return
		}
		if err := c.Apply(ctx, repos[i], &plans[i], progress); err != nil {
			plans[i].Error = err.Error()
		}
	})
}

func forEach(n int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, repoConcurrency)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

// Summary counts a set of plans (after Apply, or planned only).
type Summary struct {
	Repositories int `json:"repositories"`
	Failed       int `json:"repositories_failed"`
	Refused      int `json:"repositories_refused"`
	TagsKept     int `json:"tags_kept"`
	TagsDeleted  int `json:"tags_to_delete"`
	Planned      int `json:"manifests_planned"`
	Deleted      int `json:"manifests_deleted"`
	AlreadyGone  int `json:"manifests_already_gone"`
	DeleteFailed int `json:"manifests_failed"`
	Skipped      int `json:"manifests_skipped"`
	NotAttempted int `json:"manifests_not_attempted"`
	Children     int `json:"child_manifests"`
	// ByTag and ByDigest split Deleted by method.
	ByTag    int `json:"deleted_by_tag"`
	ByDigest int `json:"deleted_by_digest"`
	// HeldByOther counts the builds the policy would delete that stay
	// because a tag dockwright did not write shares their digest.
	HeldByOther int `json:"builds_held_by_other_tags"`
}

// Summarize counts plans.
func Summarize(plans []RepoPlan) Summary {
	var s Summary
	s.Repositories = len(plans)
	for _, p := range plans {
		if p.Error != "" {
			s.Failed++
		}
		if p.Refused != "" {
			s.Refused++
		}
		for _, builds := range p.HeldByOther() {
			s.HeldByOther += len(builds)
		}
		for _, d := range p.Tags {
			switch d.Action {
			case Keep:
				s.TagsKept++
			case Delete:
				s.TagsDeleted++
			}
		}
		for _, u := range p.Deletions {
			s.Children += len(u.Children)
			switch u.Status {
			case StatusPlanned:
				s.Planned++
			case StatusDeleted:
				s.Deleted++
				if u.Method == string(DeleteByTag) {
					s.ByTag++
				} else {
					s.ByDigest++
				}
			case StatusGone:
				s.AlreadyGone++
			case StatusFailed:
				s.DeleteFailed++
			case StatusSkipped:
				s.Skipped++
			case StatusNotAttempted:
				s.NotAttempted++
			}
		}
	}
	return s
}

// HeldByOther maps each tag dockwright did not write (kind other, left
// alone) to the builds, newest first, that the policy would delete and that
// stay only because that tag shares their digest: what keeps a registry
// growing when such tags are pushed beside every build.
func (p RepoPlan) HeldByOther() map[string][]uint64 {
	leftAlone := map[string]bool{}
	for _, d := range p.Tags {
		if d.Action == Keep && d.mark == markLeftAlone {
			leftAlone[d.Tag] = true
		}
	}
	out := map[string][]uint64{}
	for _, d := range p.Tags {
		if d.Kind != imagetag.Version.String() || d.Action != Keep || len(d.HeldBy) == 0 {
			continue
		}
		only := true
		for _, h := range d.HeldBy {
			only = only && leftAlone[h]
		}
		if only {
			for _, h := range d.HeldBy {
				out[h] = append(out[h], d.Build)
			}
		}
	}
	return out
}

// Planned is the number of deletions ApplyAll would attempt: those of the
// plans neither refused nor failed.
func Planned(plans []RepoPlan) int {
	total := 0
	for _, p := range plans {
		if p.Refused == "" && p.Error == "" {
			total += len(p.Deletions)
		}
	}
	return total
}

// Outcome is the run's verdict once applied (or planned): ctx's error when
// the run was stopped, an error naming each repository that failed, or
// one wrapping ErrRefused naming each refused repository; nil when every
// plan went through.
func Outcome(ctx context.Context, plans []RepoPlan, sum Summary) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped: %d manifests deleted, %d not attempted; run again to finish: %w", sum.Deleted, sum.NotAttempted, err)
	}
	var errs, refused []string
	for _, p := range plans {
		if p.Error != "" {
			errs = append(errs, p.Repository+": "+p.Error)
		}
		if p.Refused != "" {
			refused = append(refused, p.Repository+": "+p.Refused)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d repositories failed (%d manifests deleted, %d failed, %d not attempted):\n  %s",
			len(errs), len(plans), sum.Deleted, sum.DeleteFailed, sum.NotAttempted, strings.Join(errs, "\n  "))
	}
	if sum.Refused > 0 {
		return fmt.Errorf("%w to prune %d repositories:\n  %s", ErrRefused, sum.Refused, strings.Join(refused, "\n  "))
	}
	return nil
}
