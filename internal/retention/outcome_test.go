package retention

import (
	"errors"
	"strings"
	"testing"
)

func TestSummarizeAndOutcome(t *testing.T) {
	applyErr := errors.New("engine gone")
	tests := []struct {
		name     string
		plan     Plan
		applyErr error
		sum      Summary
		refused  bool
		want     string
	}{
		{"removed and failed counted", Plan{Removals: []Removal{{Status: StatusRemoved, Size: 10}, {Status: StatusFailed, Size: 5}, {Status: StatusPlanned, Size: 1}}},
			nil, Summary{Removed: 1, Failed: 1, BytesReclaimed: 10, BytesReclaimable: 16}, false, ""},
		{"a refusal names the repository", Plan{Repositories: []RepoPlan{{Repository: "web"}, {Repository: "api", Refused: "would remove every version"}}},
			nil, Summary{}, true, "refused:\n  api: would remove every version"},
		{"Apply's error comes first", Plan{Repositories: []RepoPlan{{Repository: "api", Refused: "x"}}}, applyErr, Summary{}, false, "engine gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.plan.Summarize(); got != tt.sum {
				t.Errorf("Summarize = %+v, want %+v", got, tt.sum)
			}
			err := Outcome(tt.plan, tt.applyErr)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Outcome = %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want && !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Outcome = %v, want %q", err, tt.want)
			}
			if errors.Is(err, ErrRefused) != tt.refused {
				t.Errorf("errors.Is(Outcome, ErrRefused) = %v, want %v", !tt.refused, tt.refused)
			}
		})
	}
}
