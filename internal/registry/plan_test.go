package registry

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/dockwright/dockwright/internal/golden"
	"github.com/dockwright/dockwright/internal/imagetag"
)

// d is a fake digest: sha256 of a short name, readable in golden files.
func d(s string) string { return fmt.Sprintf("sha256:%064s", s) }

func tags(pairs ...string) []TagState {
	var out []TagState
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, TagState{Tag: pairs[i], Digest: d(pairs[i+1]), MediaType: "application/vnd.docker.distribution.manifest.v2+json"})
	}
	return out
}

func builds(from, to int) []TagState {
	var out []TagState
	for b := from; b <= to; b++ {
		out = append(out, TagState{Tag: fmt.Sprint(b), Digest: d(fmt.Sprintf("b%d", b)), MediaType: "application/vnd.docker.distribution.manifest.v2+json"})
	}
	return out
}

func TestPlanRepoGolden(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	b142 := func() imagetag.Scheme { s, _ := imagetag.NewScheme(`b(\d+)`, nil); return s }()
	tests := []struct {
		name   string
		state  RepoState
		scheme imagetag.Scheme
		policy Policy
	}{
		{
			name:   "fewer_than_n",
			state:  RepoState{Repository: "reg/web", Resolved: false, Tags: builds(1, 3)},
			policy: Policy{Keep: 10},
		},
		{
			name: "numeric_order_not_lexical",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(builds(8, 11), tags("100", "b100", "99", "b99")...)},
			policy: Policy{Keep: 3},
		},
		{
			name: "shared_digest_with_env",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(append(builds(135, 150), tags("prod", "b140", "staging", "b150", "latest", "b150")...), tags("140-hotfix", "b140")...)},
			policy: Policy{Keep: 10},
		},
		{
			name: "multi_arch_indexes",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: []TagState{
					{Tag: "1", Digest: d("i1"), MediaType: "application/vnd.oci.image.index.v1+json"},
					{Tag: "2", Digest: d("i2"), MediaType: "application/vnd.oci.image.index.v1+json"},
					{Tag: "3", Digest: d("i3"), MediaType: "application/vnd.oci.image.index.v1+json"},
					{Tag: "1-arm64", Digest: d("c1arm"), MediaType: "application/vnd.oci.image.manifest.v1+json"},
				},
				Children: map[string][]string{
					d("i1"): {d("c1amd"), d("c1arm")},
					d("i2"): {d("c2amd"), d("shared-arm")},
					d("i3"): {d("c3amd"), d("shared-arm")},
				}},
			policy: Policy{Keep: 1},
		},
		{
			name: "child_of_kept_index_tagged",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: []TagState{
					{Tag: "5", Digest: d("i5"), MediaType: "application/vnd.oci.image.index.v1+json"},
					{Tag: "4", Digest: d("c5amd"), MediaType: "application/vnd.oci.image.manifest.v1+json"},
				},
				Children: map[string][]string{d("i5"): {d("c5amd"), d("c5arm")}}},
			policy: Policy{Keep: 1},
		},
		{
			name: "protect_patterns_and_other_tags",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(builds(1, 6), tags("release-2", "b2", "feature-x", "fx", "git-1a2b3c4", "b1")...)},
			policy: Policy{Keep: 2, Protect: []string{"release-*", "3"}},
		},
		{
			// What image-tagger push writes for every Jenkins build: the
			// build number and git-<sha7> on one digest.
			name: "commit_tags_follow_their_build",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(builds(1, 6), tags(
					"git-0000001", "b1", "git-0000002", "b2", "git-0000003", "b3", "git-0000004", "b4", "git-0000005", "b5", "git-0000006", "b6",
					"feature-x", "b3", // a tag dockwright did not write holds build 3
					"git-00000ff", "lost", // a commit tag whose build is gone
				)...)},
			policy: Policy{Keep: 2},
		},
		{
			name: "commit_tags_unresolved",
			state: RepoState{Repository: "reg/web", Resolved: false,
				Tags: append(builds(1, 3), TagState{Tag: "git-0000001"}, TagState{Tag: "git-0000002"})},
			policy: Policy{Keep: 10},
		},
		{
			name: "extra_build_tags",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(builds(1, 3), tags("ci-1", "b1", "ci-3", "b3", "git-0000001", "b1", "hotfix", "b1")...)},
			policy: Policy{Keep: 1, BuildTags: []string{"ci-*"}, Protect: []string{"hotfix"}},
		},
		{
			name: "commit_tags_with_prune_other",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(builds(1, 3), tags("git-0000001", "b1", "git-00000ff", "lost", "feature-x", "b2")...)},
			policy: Policy{Keep: 1, PruneOther: true},
		},
		{
			name: "prune_other",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(builds(1, 4), tags("feature-x", "fx", "git-1a2b3c4", "b1", "nightly", "b4")...)},
			policy: Policy{Keep: 2, PruneOther: true},
		},
		{
			name: "promotion_records_follow_their_build",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(builds(1, 5), tags("prod", "b5", "prod.1.20261101T000000Z", "b1", "prod.5.20261120T000000Z", "b5", "staging.2.20261102T000000Z", "b2")...)},
			policy: Policy{Keep: 2},
		},
		{
			name:   "keep_zero_refused",
			state:  RepoState{Repository: "reg/web", Resolved: true, Tags: builds(1, 3)},
			policy: Policy{Keep: 0},
		},
		{
			name:   "keep_zero_allow_empty",
			state:  RepoState{Repository: "reg/web", Resolved: true, Tags: builds(1, 3)},
			policy: Policy{Keep: 0, AllowEmpty: true},
		},
		{
			name: "keep_younger_than",
			state: RepoState{Repository: "reg/web", Resolved: true, Tags: func() []TagState {
				ts := builds(1, 6)
				for i := range ts {
					ts[i].Created = now.Add(-time.Duration(7-i) * 24 * time.Hour) // 1 is 7 days old, 6 is 2 days
				}
				ts[0].Created = time.Time{} // unknown age
				return ts
			}()},
			policy: Policy{Keep: 2, KeepYoungerThan: 120 * time.Hour, Now: now},
		},
		{
			name: "vanished_tag",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: append(builds(2, 5), TagState{Tag: "1"})},
			policy: Policy{Keep: 2},
		},
		{
			name: "version_pattern",
			state: RepoState{Repository: "reg/web", Resolved: true,
				Tags: tags("b9", "b9", "b10", "b10", "b11", "b11", "12", "x12")},
			scheme: b142,
			policy: Policy{Keep: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scheme := tt.scheme
			if len(scheme.Envs()) == 0 {
				scheme = imagetag.DefaultScheme()
			}
			plan := PlanRepo(tt.state, scheme, tt.policy)
			got, err := json.MarshalIndent(plan, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden.Equal(t, filepath.Join("testdata", "plans", tt.name+".json"), got)
			checkInvariants(t, tt.state, plan, scheme, tt.policy)
		})
	}
}

// checkInvariants are the safety properties every plan keeps, whatever the
// golden file says.
func checkInvariants(t *testing.T, s RepoState, plan RepoPlan, scheme imagetag.Scheme, p Policy) {
	t.Helper()
	deleted := map[string]bool{}
	for _, u := range plan.Deletions {
		deleted[u.Digest] = true
		for _, c := range u.Children {
			deleted[c] = true
		}
	}
	kept := 0
	for _, d := range plan.Tags {
		if d.Action == Keep && deleted[d.Digest] {
			t.Errorf("kept tag %s points at deleted digest %s", d.Tag, d.Digest)
		}
		if d.Action == Keep && d.Kind == "version" {
			kept++
		}
		if d.Kind == "env" && d.Action != Keep {
			t.Errorf("environment tag %s not kept", d.Tag)
		}
		if d.Action == Keep {
			for _, c := range s.Children[d.Digest] {
				if deleted[c] {
					t.Errorf("child %s of kept index %s deleted", c, d.Tag)
				}
			}
		}
	}
	if !p.AllowEmpty && kept == 0 && len(plan.Deletions) > 0 {
		t.Error("plan deletes every version without AllowEmpty")
	}
	if c := cmpKeep(plan, p.Keep); c != "" {
		t.Error(c)
	}
}

// cmpKeep checks that at least min(Keep, builds) versions are kept.
func cmpKeep(plan RepoPlan, keep int) string {
	builds := map[uint64]bool{}
	kept := map[uint64]bool{}
	for _, d := range plan.Tags {
		if d.Kind == "version" && d.Action != Gone {
			builds[d.Build] = true
			if d.Action == Keep {
				kept[d.Build] = true
			}
		}
	}
	if want := min(keep, len(builds)); len(kept) < want && plan.Refused == "" {
		return fmt.Sprintf("kept %d builds, want at least %d", len(kept), want)
	}
	return ""
}
