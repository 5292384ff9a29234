package registry

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestPlannedAndOutcome(t *testing.T) {
	two := []Deletion{{}, {}}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		plans   []RepoPlan
		planned int
		refused bool
		want    string // "" is success
	}{
		{"every plan goes through", context.Background(), []RepoPlan{{Repository: "a", Deletions: two}, {Repository: "b"}}, 2, false, ""},
		{"a refused plan deletes nothing and is a refusal", context.Background(),
			[]RepoPlan{{Repository: "a", Deletions: two}, {Repository: "b", Refused: "would delete every version", Deletions: two}}, 2, true,
			"refused to prune 1 repositories:\n  b: would delete every version"},
		{"a failed repository is an error, before refusals", context.Background(),
			[]RepoPlan{{Repository: "a", Error: "HTTP 500", Deletions: two}, {Repository: "b", Refused: "x"}}, 0, false,
			"1 of 2 repositories failed"},
		{"a stopped run says so", cancelled, []RepoPlan{{Repository: "a", Deletions: two}}, 2, false, "stopped: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Planned(tt.plans); got != tt.planned {
				t.Errorf("Planned = %d, want %d", got, tt.planned)
			}
			err := Outcome(tt.ctx, tt.plans, Summarize(tt.plans))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Outcome = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Outcome = %v, want %q", err, tt.want)
			}
			if errors.Is(err, ErrRefused) != tt.refused {
				t.Errorf("errors.Is(Outcome, ErrRefused) = %v, want %v", !tt.refused, tt.refused)
			}
		})
	}
}
