package registry

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/dockwright/dockwright/internal/imagetag"
	"github.com/dockwright/dockwright/internal/short"
)

// Policy is what registry-pruner keeps.
type Policy struct {
	// Keep is how many of the newest builds (by build number) to keep.
	Keep int `json:"keep"`
	// KeepYoungerThan also keeps builds whose image was created less than
	// this long before Now (0: off).
	KeepYoungerThan time.Duration `json:"keep_younger_than,omitempty"`
	// Now is the reference time for KeepYoungerThan.
	Now time.Time `json:"-"`
	// Protect are path.Match patterns of tags never to delete, on top of
	// the environment tags.
	Protect []string `json:"protect,omitempty"`
	// BuildTags are path.Match patterns of the extra tags image-tagger
	// writes for a build (its --extra): like the commit tag, such a tag goes
	// with the build whose digest it shares.
	BuildTags []string `json:"build_tags,omitempty"`
	// PruneOther deletes tags that are neither versions, build tags nor
	// protected (when their digest is not held by a kept tag); by default
	// they are left alone.
	PruneOther bool `json:"prune_other,omitempty"`
	// AllowEmpty allows deleting every version of a repository.
	AllowEmpty bool `json:"allow_empty,omitempty"`
}

// Validate checks the policy's values.
func (p Policy) Validate() error {
	if p.Keep < 0 {
		return fmt.Errorf("keep %d: want 0 or more", p.Keep)
	}
	if p.KeepYoungerThan < 0 {
		return fmt.Errorf("keep-younger-than %s: want a positive duration", p.KeepYoungerThan)
	}
	for _, pat := range p.Protect {
		if _, err := path.Match(pat, ""); err != nil {
			return fmt.Errorf("protect pattern %q: %v", pat, err)
		}
	}
	for _, pat := range p.BuildTags {
		if _, err := path.Match(pat, ""); err != nil {
			return fmt.Errorf("build-tag pattern %q: %v", pat, err)
		}
	}
	return nil
}

// TagState is one tag as gathered from the registry. Digest is empty when
// the tag was not resolved (nothing in the repository was a candidate, or
// it vanished between listing and resolving).
type TagState struct {
	Tag       string
	Digest    string
	MediaType string
	// Created is the image's creation time, known only for candidates when
	// the policy asks about age.
	Created time.Time
}

// RepoState is everything the plan of one repository depends on.
type RepoState struct {
	Repository string
	Tags       []TagState
	// Resolved means every tag's digest was looked up.
	Resolved bool
	// Children maps each multi-arch index digest to its child manifests.
	Children map[string][]string
	// Missing means the registry does not know the repository.
	Missing bool
}

// Actions of a Decision.
const (
	Keep   = "keep"
	Delete = "delete"
	Gone   = "gone"
)

// Kinds of a Decision beyond imagetag's: an extra tag is a tag matching
// Policy.BuildTags.
const (
	KindCommit = "commit" // imagetag.Commit
	KindExtra  = "extra"
)

// Decision is the plan for one tag.
type Decision struct {
	Tag    string `json:"tag"`
	Kind   string `json:"kind"`
	Build  uint64 `json:"build,omitempty"`
	Digest string `json:"digest,omitempty"`
	Action string `json:"action"`
	Reason string `json:"reason"`
	// HeldBy are the kept tags that kept this one although the policy
	// alone would delete it: deleting its digest would delete them too.
	HeldBy []string `json:"held_by,omitempty"`

	// mark is what the planner branches on, beside the reason it prints.
	mark mark
}

// mark says what a decision's reason means, for the code that reads it.
type mark uint8

const (
	markNone          mark = iota
	markFollowsBuild       // a commit or extra tag: decided with its build
	markLeftAlone          // a tag dockwright did not write, left alone
	markDigestUnknown      // a candidate kept because digests were not looked up
)

// Statuses of a Deletion.
const (
	StatusPlanned      = "planned"
	StatusDeleted      = "deleted"
	StatusGone         = "already-gone"
	StatusFailed       = "failed"
	StatusSkipped      = "skipped"
	StatusNotAttempted = "not-attempted"
)

// Deletion is one manifest to delete: the registry deletes by digest, and
// every tag pointing at it goes with it. Children are the manifests of a
// multi-arch index no kept manifest references; they are deleted first, so
// that an interrupted run leaves the index tagged and a rerun finishes.
type Deletion struct {
	Digest   string   `json:"digest"`
	Tags     []string `json:"tags"`
	Children []string `json:"children,omitempty"`
	Status   string   `json:"status"`
	// Method is how it was deleted: "tag" (its tags removed, the manifest
	// left to garbage-collect --delete-untagged) or "digest".
	Method string `json:"method,omitempty"`
	Error  string `json:"error,omitempty"`
}

// RepoPlan is the plan for one repository.
type RepoPlan struct {
	Repository string `json:"repository"`
	Refused    string `json:"refused,omitempty"`
	// Error is why the repository could not be planned or fully applied.
	Error string `json:"error,omitempty"`
	// Missing means the registry does not know the repository (a catalog
	// service never pushed): nothing to do.
	Missing   bool       `json:"missing,omitempty"`
	Tags      []Decision `json:"tags"`
	Deletions []Deletion `json:"deletions"`

	// children are the index children known when planning (apply's
	// re-check needs them).
	children map[string][]string
}

// PlanRepo decides, without I/O, which tags of a repository to keep and
// which manifests to delete:
//
//   - environment tags and tags matching a Protect pattern are kept;
//   - the Keep newest builds (by build number, never by time or name) are
//     kept, and with KeepYoungerThan the builds created since;
//   - a promotion record follows its build; other tags are left alone
//     unless PruneOther;
//   - a candidate whose digest any kept tag (or kept index) references is
//     kept: deleting a digest deletes every tag on it;
//   - deleting every version needs AllowEmpty.
func PlanRepo(s RepoState, scheme imagetag.Scheme, p Policy) RepoPlan {
	plan := RepoPlan{Repository: s.Repository, Missing: s.Missing, Tags: make([]Decision, 0, len(s.Tags)), Deletions: []Deletion{}, children: s.Children}

	// Builds, newest first.
	var builds []uint64
	seen := map[uint64]bool{}
	created := map[uint64]time.Time{}
	for _, t := range s.Tags {
		k, n := scheme.Classify(t.Tag)
		if k != imagetag.Version && k != imagetag.Promotion {
			continue
		}
		if !seen[n] {
			seen[n] = true
			builds = append(builds, n)
		}
		if k == imagetag.Version && !t.Created.IsZero() {
			created[n] = t.Created
		}
	}
	slices.SortFunc(builds, func(a, b uint64) int { return cmp.Compare(b, a) })
	buildReason := map[uint64]string{} // kept builds
	for i, b := range builds {
		switch {
		case i < p.Keep:
			buildReason[b] = fmt.Sprintf("newest %d builds (#%d)", p.Keep, i+1)
		case p.KeepYoungerThan > 0 && created[b].IsZero():
			buildReason[b] = "age unknown, kept while --keep-younger-than is set"
		case p.KeepYoungerThan > 0 && p.Now.Sub(created[b]) < p.KeepYoungerThan:
			buildReason[b] = fmt.Sprintf("younger than %s (created %s)", p.KeepYoungerThan, created[b].UTC().Format(time.RFC3339))
		}
	}

	for _, t := range s.Tags {
		k, n := scheme.Classify(t.Tag)
		d := Decision{Tag: t.Tag, Kind: k.String(), Build: n, Digest: t.Digest, Action: Keep}
		if k == imagetag.Other && matchGlob(t.Tag, p.BuildTags) != "" {
			d.Kind = KindExtra
		}
		switch {
		case k == imagetag.Env:
			d.Reason = "environment tag (protected)"
		case matchGlob(t.Tag, p.Protect) != "":
			d.Reason = fmt.Sprintf("protected by --protect %q", matchGlob(t.Tag, p.Protect))
		case k == imagetag.Version && buildReason[n] != "":
			d.Reason = buildReason[n]
		case k == imagetag.Version:
			d.Action, d.Reason = Delete, fmt.Sprintf("older than the newest %d builds", p.Keep)
		case k == imagetag.Promotion && buildReason[n] != "":
			d.Reason = fmt.Sprintf("promotion record of kept build %d", n)
		case k == imagetag.Promotion:
			d.Action, d.Reason = Delete, fmt.Sprintf("promotion record of build %d, which goes", n)
		case d.Kind == KindCommit || d.Kind == KindExtra:
			d.mark = markFollowsBuild // decided below, once the builds are
		case p.PruneOther:
			d.Action, d.Reason = Delete, "not a version (--prune-other)"
		default:
			d.Reason, d.mark = "not a version: left alone (--prune-other deletes such tags)", markLeftAlone
		}
		if s.Resolved && t.Digest == "" {
			d.Action, d.Reason, d.mark = Gone, "disappeared before it could be resolved", markNone
		}
		plan.Tags = append(plan.Tags, d)
	}
	sortDecisions(plan.Tags, scheme)
	followBuilds(plan.Tags, s.Resolved, p)

	candidates := 0
	for _, d := range plan.Tags {
		if d.Action == Delete {
			candidates++
		}
	}
	if candidates == 0 {
		return plan
	}
	if !s.Resolved {
		// The gatherer resolves digests whenever there is a candidate; a
		// plan without them must not delete anything.
		for i := range plan.Tags {
			if plan.Tags[i].Action == Delete {
				plan.Tags[i].Action, plan.Tags[i].Reason, plan.Tags[i].mark = Keep, "digest unknown", markDigestUnknown
			}
		}
		return plan
	}

	// Digests held by what stays, and the children of held indexes.
	holders := map[string][]string{}
	for _, d := range plan.Tags {
		if d.Action == Keep {
			holders[d.Digest] = append(holders[d.Digest], d.Tag)
		}
	}
	type hold struct {
		why string
		by  []string // the kept tags holding it
	}
	held := map[string]hold{} // digest -> why
	var holdDigest func(digest string, h hold)
	holdDigest = func(digest string, h hold) {
		if _, ok := held[digest]; ok {
			return
		}
		held[digest] = h
		for _, ch := range s.Children[digest] {
			holdDigest(ch, hold{"is a child manifest of kept index " + short.Digest(digest), h.by})
		}
	}
	digests := slices.Sorted(maps.Keys(holders))
	for _, digest := range digests {
		holdDigest(digest, hold{"shares its digest with kept tag " + strings.Join(holders[digest], ", "), holders[digest]})
	}

	units := map[string]*Deletion{}
	var order []string
	for i := range plan.Tags {
		d := &plan.Tags[i]
		if d.Action != Delete {
			continue
		}
		if h, ok := held[d.Digest]; ok {
			d.Action, d.Reason, d.HeldBy = Keep, h.why+" (was: "+d.Reason+")", h.by
			continue
		}
		u := units[d.Digest]
		if u == nil {
			u = &Deletion{Digest: d.Digest, Status: StatusPlanned}
			units[d.Digest] = u
			order = append(order, d.Digest)
		}
		u.Tags = append(u.Tags, d.Tag)
	}

	// Refuse to empty a repository of versions.
	versionsBefore, versionsAfter := 0, 0
	for _, d := range plan.Tags {
		if d.Kind == imagetag.Version.String() && d.Action != Gone {
			versionsBefore++
			if d.Action == Keep {
				versionsAfter++
			}
		}
	}
	if versionsBefore > 0 && versionsAfter == 0 && !p.AllowEmpty {
		plan.Refused = fmt.Sprintf("the plan deletes every version (%d tags); pass --allow-empty to allow it", versionsBefore)
		for i := range plan.Tags {
			if plan.Tags[i].Action == Delete {
				plan.Tags[i].Action, plan.Tags[i].Reason = Keep, "refused: "+plan.Tags[i].Reason
			}
		}
		return plan
	}

	claimed := map[string]bool{}
	for _, dg := range order {
		claimed[dg] = true
	}
	for _, dg := range order {
		u := units[dg]
		for _, ch := range s.Children[dg] {
			if _, ok := held[ch]; ok || claimed[ch] {
				continue
			}
			claimed[ch] = true
			u.Children = append(u.Children, ch)
		}
		plan.Deletions = append(plan.Deletions, *u)
	}
	return plan
}

// followBuilds decides the tags that belong to a build (commit tags, and
// extra tags named by BuildTags): each goes with the build whose version tag
// shares its digest, kept while any such build is kept and deleted with
// them. One that shares no build's digest is treated as a tag dockwright did
// not write.
func followBuilds(ds []Decision, resolved bool, p Policy) {
	versions := map[string][]Decision{} // digest -> version tags on it
	for _, d := range ds {
		if d.Kind == imagetag.Version.String() && d.Action != Gone && d.Digest != "" {
			versions[d.Digest] = append(versions[d.Digest], d)
		}
	}
	for i := range ds {
		d := &ds[i]
		if d.mark != markFollowsBuild {
			continue
		}
		what := "commit tag"
		if d.Kind == KindExtra {
			what = fmt.Sprintf("extra tag (--build-tag %q)", matchGlob(d.Tag, p.BuildTags))
		}
		if !resolved {
			// Nothing is deleted without digests; the gatherer resolves
			// them whenever some build is a candidate.
			d.Reason = what + " of the build sharing its digest"
			continue
		}
		var kept, going []string
		for _, v := range versions[d.Digest] {
			if v.Action == Keep {
				kept = append(kept, v.Tag)
			} else {
				going = append(going, v.Tag)
			}
		}
		switch {
		case len(kept) > 0:
			d.Reason = fmt.Sprintf("%s of kept build %s", what, strings.Join(kept, ", "))
		case len(going) > 0:
			d.Action, d.Reason = Delete, fmt.Sprintf("%s of build %s, which goes", what, strings.Join(going, ", "))
		case p.PruneOther:
			d.Action, d.Reason = Delete, what+" of no build in the repository (--prune-other)"
		default:
			d.Reason = what + " of no build in the repository: left alone (--prune-other deletes such tags)"
		}
	}
}

// matchGlob returns the first of patterns that tag matches, or "".
func matchGlob(tag string, patterns []string) string {
	for _, p := range patterns {
		if ok, _ := path.Match(p, tag); ok {
			return p
		}
	}
	return ""
}

// sortDecisions orders versions and promotion records newest build first,
// then environment tags in the scheme's order, then the rest by name.
func sortDecisions(ds []Decision, scheme imagetag.Scheme) {
	envRank := map[string]int{}
	for i, e := range scheme.Envs() {
		envRank[e] = i
	}
	group := func(d Decision) int {
		switch d.Kind {
		case imagetag.Version.String(), imagetag.Promotion.String():
			return 0
		case imagetag.Env.String():
			return 1
		}
		return 2
	}
	slices.SortStableFunc(ds, func(a, b Decision) int {
		if c := cmp.Compare(group(a), group(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Build, a.Build); c != 0 {
			return c
		}
		if c := cmp.Compare(envRank[a.Tag], envRank[b.Tag]); c != 0 {
			return c
		}
		return strings.Compare(a.Tag, b.Tag)
	})
}

// NeedsDigests reports whether any tag of the list could be deleted under
// the policy, i.e. whether resolving every tag is worth its requests.
func NeedsDigests(tags []string, scheme imagetag.Scheme, p Policy) bool {
	s := RepoState{Tags: make([]TagState, len(tags))}
	for i, t := range tags {
		s.Tags[i] = TagState{Tag: t}
	}
	if p.KeepYoungerThan > 0 {
		p.KeepYoungerThan = 0 // age is looked up after digests
	}
	for _, d := range PlanRepo(s, scheme, p).Tags {
		if d.Action == Keep && d.mark == markDigestUnknown {
			return true
		}
	}
	return false
}
