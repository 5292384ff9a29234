package registry

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockwright/dockwright/internal/golden"
	"github.com/dockwright/dockwright/internal/imagetag"
)

func TestClosestLifecyclePolicy(t *testing.T) {
	pattern, err := imagetag.NewScheme(`b(\d+)`, []string{"dev", "prod"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		policy   Policy
		scheme   imagetag.Scheme
		wantGaps []string
	}{
		{"keep 10", Policy{Keep: 10}, imagetag.DefaultScheme(), []string{"push time", "in use", "feature-x"}},
		{"protect and age", Policy{Keep: 5, Protect: []string{"release-*", "v1.?"}, KeepYoungerThan: 168 * time.Hour}, imagetag.DefaultScheme(), []string{"--keep-younger-than 168h0m0s", `--protect "v1.?"`}},
		{"keep 0 with a version pattern", Policy{Keep: 0}, pattern, []string{"keeps at least 1", "--version-pattern"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, gaps := ClosestLifecyclePolicy(tt.policy, tt.scheme)
			got, err := json.MarshalIndent(struct {
				Policy LifecyclePolicy `json:"policy"`
				Gaps   []string        `json:"gaps"`
			}{p, gaps}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Equal(t, filepath.Join("testdata", "lifecycle", strings.ReplaceAll(tt.name, " ", "-")+".json"), append(got, '\n'))
			all := strings.Join(gaps, "\n")
			for _, w := range tt.wantGaps {
				if !strings.Contains(all, w) {
					t.Errorf("gaps do not say %q:\n%s", w, all)
				}
			}
			last := p.Rules[len(p.Rules)-1]
			if last.Selection.CountType != "imageCountMoreThan" || last.Selection.CountNumber != max(tt.policy.Keep, 1) {
				t.Errorf("last rule %+v does not keep the newest %d", last, tt.policy.Keep)
			}
			if n := len(tt.scheme.Envs()) + len(tt.policy.Protect) + 1; len(p.Rules) != n {
				t.Errorf("%d rules, want %d: one per environment tag and --protect pattern, then the count", len(p.Rules), n)
			}
		})
	}
}
