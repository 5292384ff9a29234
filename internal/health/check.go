package health

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Result is one check of one target.
type Result struct {
	TargetID string        `json:"target"`
	At       time.Time     `json:"at"`
	OK       bool          `json:"ok"`
	Status   int           `json:"status,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Error says why it failed: the condition that did not hold, or the
	// network error.
	Error string `json:"error,omitempty"`
	// Body is the start of the answer, for the dashboard.
	Body string `json:"body,omitempty"`
	// Attempts is how many tries it took (retries within one round).
	Attempts int `json:"attempts"`
}

// Checker runs checks.
type Checker struct {
	Client      *http.Client
	Timeout     time.Duration
	Concurrency int
	// Retries within a round before a failure counts (a success on a retry
	// makes the target flaky, not down).
	Retries int
	Now     func() time.Time
}

// NewChecker returns a Checker with its own transport: no keep-alive
// sharing with anything else, TLS verified.
func NewChecker(timeout time.Duration, concurrency, retries int) *Checker {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return &Checker{
		Client:  &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Timeout: timeout, Concurrency: max(concurrency, 1), Retries: max(retries, 0), Now: time.Now,
	}
}

// Round checks every target once (with retries), concurrency bounded; it
// returns when all are done or ctx ends (the unfinished then fail with the
// context's error).
func (c *Checker) Round(ctx context.Context, targets []Target) []Result {
	out := make([]Result, len(targets))
	sem := make(chan struct{}, c.Concurrency)
	var wg sync.WaitGroup
	for i := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = Result{TargetID: targets[i].ID, At: c.Now(), Error: ctx.Err().Error(), Attempts: 0}
				return
			}
			defer func() { <-sem }()
			out[i] = c.Check(ctx, targets[i])
		}()
	}
	wg.Wait()
	return out
}

// Check checks one target, retrying up to c.Retries times.
func (c *Checker) Check(ctx context.Context, t Target) Result {
	var r Result
	for attempt := 1; attempt <= c.Retries+1; attempt++ {
		r = c.once(ctx, t)
		r.Attempts = attempt
		if r.OK || ctx.Err() != nil {
			return r
		}
	}
	return r
}

func (c *Checker) once(ctx context.Context, t Target) Result {
	r := Result{TargetID: t.ID, At: c.Now()}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	req.Header.Set("User-Agent", "dockwright-health-dashboard")
	start := time.Now()
	resp, err := c.Client.Do(req)
	if err != nil {
		r.Duration = time.Since(start)
		r.Error = describe(err, c.Timeout)
		return r
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	r.Duration = time.Since(start)
	r.Status = resp.StatusCode
	r.Body = snippet(body)
	r.Error = evaluate(t.Conditions, resp.StatusCode, r.Duration, body)
	r.OK = r.Error == ""
	return r
}

// evaluate returns "" when the answer meets the conditions, else why not.
func evaluate(c Conditions, status int, d time.Duration, body []byte) string {
	want := c.Status
	if want == 0 {
		want = http.StatusOK
	}
	if status != want {
		return fmt.Sprintf("status %d, want %d", status, want)
	}
	if c.MaxTime > 0 && d > c.MaxTime {
		return fmt.Sprintf("answered in %s, more than %s", d.Round(time.Millisecond), c.MaxTime)
	}
	if c.BodyContains != "" && !strings.Contains(string(body), c.BodyContains) {
		return fmt.Sprintf("body does not contain %q", c.BodyContains)
	}
	if c.BodyPath != "" {
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			return fmt.Sprintf("body is not JSON (want %s = %q)", c.BodyPath, c.BodyEquals)
		}
		for _, part := range strings.Split(c.BodyPath, ".") {
			m, ok := doc.(map[string]any)
			if !ok {
				doc = nil
				break
			}
			doc = m[part]
		}
		if got := fmt.Sprint(doc); doc == nil || got != c.BodyEquals {
			return fmt.Sprintf("body %s = %v, want %q", c.BodyPath, doc, c.BodyEquals)
		}
	}
	return ""
}

func describe(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer within %s", timeout)
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "tls:"):
		if i := strings.Index(err.Error(), "tls:"); i >= 0 {
			return "TLS error: " + err.Error()[i:]
		}
		i := strings.Index(err.Error(), "x509:")
		return "TLS error: " + err.Error()[i:]
	}
	return err.Error()
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
