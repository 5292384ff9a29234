// Package loadgen sends a constant stream of HTTP requests (open loop: a
// fixed rate whatever the answers take) and counts what comes back, so a
// deploy can be measured by the traffic it carries: a request fails when it
// gets no answer (connection refused or reset, timeout) or a 5xx. The
// end-to-end test and make demo run it through the load balancer while
// they deploy, promote and roll back; bench/zero-downtime.sh records its
// figures.
package loadgen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config is a stream of requests.
type Config struct {
	// URL is what every request GETs.
	URL string
	// Rate is requests per second (default 50).
	Rate int
	// Timeout bounds one request (default 5s).
	Timeout time.Duration
}

// Stats is what a stream saw.
type Stats struct {
	Requests int `json:"requests"`
	Failed   int `json:"failed"`
	// Errors counts the failures by cause ("503", "connection refused"...).
	Errors map[string]int `json:"errors,omitempty"`
	P50    time.Duration  `json:"p50_ns"`
	P99    time.Duration  `json:"p99_ns"`
	Max    time.Duration  `json:"max_ns"`
}

// String is one line: requests, failures, latency.
func (s Stats) String() string {
	out := fmt.Sprintf("%d requests, %d failed, p50 %s, p99 %s, max %s", s.Requests, s.Failed,
		s.P50.Round(100*time.Microsecond), s.P99.Round(100*time.Microsecond), s.Max.Round(100*time.Microsecond))
	if len(s.Errors) > 0 {
		out += fmt.Sprintf(" (%v)", s.Errors)
	}
	return out
}

// Stream is a running stream of requests.
type Stream struct {
	cfg    Config
	client *http.Client
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	latencies []time.Duration
	failed    int
	errors    map[string]int
	inflight  sync.WaitGroup
}

// Start sends requests until Stop.
func Start(ctx context.Context, cfg Config) *Stream {
	if cfg.Rate <= 0 {
		cfg.Rate = 50
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Stream{cfg: cfg, cancel: cancel, done: make(chan struct{}), errors: map[string]int{},
		client: &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}}}
	go s.run(ctx)
	return s
}

func (s *Stream) run(ctx context.Context) {
	defer close(s.done)
	tick := time.NewTicker(time.Second / time.Duration(s.cfg.Rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.inflight.Add(1)
			go s.one()
		}
	}
}

func (s *Stream) one() {
	defer s.inflight.Done()
	start := time.Now()
	cause := ""
	resp, err := s.client.Get(s.cfg.URL)
	if err != nil {
		cause = errorCause(err)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case err != nil:
			cause = errorCause(err)
		case resp.StatusCode >= 500:
			cause = fmt.Sprint(resp.StatusCode)
		}
	}
	d := time.Since(start)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies = append(s.latencies, d)
	if cause != "" {
		s.failed++
		s.errors[cause]++
	}
}

// errorCause names a transport error briefly.
func errorCause(err error) string {
	msg := err.Error()
	for _, c := range []string{"connection refused", "connection reset", "EOF", "Client.Timeout", "broken pipe", "no route to host"} {
		if strings.Contains(msg, c) {
			return c
		}
	}
	return msg
}

// Stop ends the stream, waits for the requests in flight, and returns what
// it saw.
func (s *Stream) Stop() Stats {
	s.cancel()
	<-s.done
	s.inflight.Wait()
	return s.Snapshot()
}

// Snapshot is what the stream has seen so far.
func (s *Stream) Snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Requests: len(s.latencies), Failed: s.failed}
	if len(s.errors) > 0 {
		st.Errors = make(map[string]int, len(s.errors))
		for k, v := range s.errors {
			st.Errors[k] = v
		}
	}
	if n := len(s.latencies); n > 0 {
		l := slices.Clone(s.latencies)
		slices.Sort(l)
		st.P50, st.P99, st.Max = l[n*50/100], l[min(n-1, n*99/100)], l[n-1]
	}
	return st
}
