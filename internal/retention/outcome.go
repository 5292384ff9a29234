package retention

import (
	"errors"
	"fmt"
	"strings"
)

// ErrRefused means a policy refused to act on a repository (it would
// remove every version without AllowEmpty); the rest of the plan ran.
var ErrRefused = errors.New("refused")

// Summary counts what a plan did (or, before Apply, would do).
type Summary struct {
	Removed, Failed int
	// BytesReclaimed is what the removals freed; BytesReclaimable what the
	// plan's removals would free at most.
	BytesReclaimed, BytesReclaimable int64
}

// Summarize counts the plan's removals by status.
func (p Plan) Summarize() Summary {
	var s Summary
	for _, r := range p.Removals {
		switch r.Status {
		case StatusRemoved:
			s.Removed++
		case StatusFailed:
			s.Failed++
		}
	}
	s.BytesReclaimed, s.BytesReclaimable = p.BytesReclaimed(), p.BytesReclaimable()
	return s
}

// Outcome is the run's verdict: Apply's error, else one wrapping
// ErrRefused naming each refused repository, else nil.
func Outcome(p Plan, applyErr error) error {
	if applyErr != nil {
		return applyErr
	}
	var refused []string
	for _, rp := range p.Repositories {
		if rp.Refused != "" {
			refused = append(refused, rp.Repository+": "+rp.Refused)
		}
	}
	if len(refused) > 0 {
		return fmt.Errorf("%w:\n  %s", ErrRefused, strings.Join(refused, "\n  "))
	}
	return nil
}
