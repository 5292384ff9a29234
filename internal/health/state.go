package health

import (
	"sync"
	"time"
)

// States of a target.
const (
	Healthy = "healthy"
	Flaky   = "flaky"   // failed, but not DownAfter rounds in a row; or passed only on a retry
	Down    = "down"    // failed DownAfter rounds in a row
	Unknown = "unknown" // not checked yet, or the checker stopped (no false uptime)
	// Failed is one-shot check's state for a target whose one round failed,
	// retries included: "down" needs DownAfter rounds, which a single round
	// cannot tell.
	Failed = "failed"
)

// HistorySize is how many results a target keeps: memory stays bounded.
const HistorySize = 60

// Store keeps each target's recent results.
type Store struct {
	mu sync.Mutex
	// DownAfter consecutive failed rounds make a target down.
	DownAfter int
	// StaleAfter without a result makes a target unknown.
	StaleAfter time.Duration
	targets    map[string]*history
	order      []Target
}

type history struct {
	ring  [HistorySize]Result
	n     int // results stored, at most HistorySize
	next  int
	fails int // consecutive failed rounds
}

// NewStore returns a store for targets.
func NewStore(targets []Target, downAfter int, staleAfter time.Duration) *Store {
	s := &Store{DownAfter: max(downAfter, 1), StaleAfter: staleAfter, targets: map[string]*history{}, order: targets}
	for _, t := range targets {
		s.targets[t.ID] = &history{}
	}
	return s
}

// Record adds a round's results.
func (s *Store) Record(results []Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range results {
		h := s.targets[r.TargetID]
		if h == nil {
			continue
		}
		h.ring[h.next] = r
		h.next = (h.next + 1) % HistorySize
		h.n = min(h.n+1, HistorySize)
		if r.OK {
			h.fails = 0
		} else {
			h.fails++
		}
	}
}

// TargetStatus is a target with its state and recent results (oldest first).
type TargetStatus struct {
	Target
	State   string   `json:"state"`
	Last    *Result  `json:"last,omitempty"`
	History []Result `json:"history"`
}

// Status returns every target's state as of now.
func (s *Store) Status(now time.Time) []TargetStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TargetStatus, 0, len(s.order))
	for _, t := range s.order {
		h := s.targets[t.ID]
		ts := TargetStatus{Target: t, State: Unknown, History: make([]Result, 0, h.n)}
		for i := 0; i < h.n; i++ {
			ts.History = append(ts.History, h.ring[(h.next-h.n+i+HistorySize)%HistorySize])
		}
		if h.n > 0 {
			last := ts.History[len(ts.History)-1]
			ts.Last = &last
			switch {
			case s.StaleAfter > 0 && now.Sub(last.At) > s.StaleAfter:
				ts.State = Unknown
			case last.OK && last.Attempts <= 1:
				ts.State = Healthy
			case last.OK:
				ts.State = Flaky
			case h.fails >= s.DownAfter:
				ts.State = Down
			default:
				ts.State = Flaky
			}
		}
		out = append(out, ts)
	}
	return out
}
