package registry

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Counts are the HTTP exchanges a Client made, by method. Retries and the
// authentication handshake count; attempts that got no response (a refused
// connection, the https probe of a plain-http registry) are Failed.
type Counts struct {
	GET    int64 `json:"get"`
	HEAD   int64 `json:"head"`
	PUT    int64 `json:"put"`
	DELETE int64 `json:"delete"`
	Other  int64 `json:"other"`
	// Failed counts attempts that got no HTTP response.
	Failed int64 `json:"failed"`
	// Retries counts the attempts that were repeats.
	Retries int64 `json:"retries"`
	// ECR counts the Amazon ECR API calls by operation (all of them are
	// POSTs, in Other); absent for a registry spoken to over HTTP.
	ECR map[string]int64 `json:"ecr,omitempty"`
}

// MarshalJSON adds the total.
func (c Counts) MarshalJSON() ([]byte, error) {
	type plain Counts
	return json.Marshal(struct {
		Total int64 `json:"total"`
		plain
	}{c.Total(), plain(c)})
}

// Total is every request that got a response.
func (c Counts) Total() int64 { return c.GET + c.HEAD + c.PUT + c.DELETE + c.Other }

type counter struct {
	get, head, put, del, other, failed, retries atomic.Int64

	mu  sync.Mutex
	ecr map[string]int64
}

func (c *counter) countECR(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ecr == nil {
		c.ecr = map[string]int64{}
	}
	c.ecr[op]++
}

func (c *counter) snapshot() Counts {
	n := Counts{
		GET: c.get.Load(), HEAD: c.head.Load(), PUT: c.put.Load(), DELETE: c.del.Load(),
		Other: c.other.Load(), Failed: c.failed.Load(), Retries: c.retries.Load(),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ecr) > 0 {
		n.ECR = maps.Clone(c.ecr)
	}
	return n
}

// countingTransport counts exchanges and bounds each one by a timeout that
// lasts until its body is closed.
type countingTransport struct {
	next    http.RoundTripper
	n       *counter
	timeout time.Duration
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		t.n.failed.Add(1)
		return nil, err
	}
	switch req.Method {
	case http.MethodGet:
		t.n.get.Add(1)
	case http.MethodHead:
		t.n.head.Add(1)
	case http.MethodPut:
		t.n.put.Add(1)
	case http.MethodDelete:
		t.n.del.Add(1)
	default:
		t.n.other.Add(1)
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// retryTransport repeats requests that failed for a reason that may pass:
// 429 and 5xx answers (honouring Retry-After), and network errors. It
// rewinds request bodies, backs off exponentially with jitter, and stops
// at once when the context ends.
type retryTransport struct {
	next     http.RoundTripper
	n        *counter
	attempts int
	backoff  time.Duration
	maxWait  time.Duration
}

func retryable(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout ||
		code == http.StatusInternalServerError || code == http.StatusBadGateway ||
		code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	wait := t.backoff
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			t.n.retries.Add(1)
			if req.Body != nil && req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				req = req.Clone(ctx)
				req.Body = body
			} else if req.Body != nil && req.Body != http.NoBody {
				return nil, errors.New("cannot retry a request whose body cannot be rewound")
			}
		}
		resp, err := t.next.RoundTrip(req)
		last := attempt >= t.attempts || ctx.Err() != nil
		switch {
		case err == nil && !retryable(resp.StatusCode):
			return resp, nil
		case err != nil && (last || !temporary(err)):
			return nil, err
		case err == nil && last:
			return resp, nil
		}
		d := wait/2 + rand.N(wait/2+1) // jitter in [wait/2, wait]
		if err == nil {
			if ra := retryAfter(resp.Header.Get("Retry-After")); ra > 0 {
				d = ra
			}
			io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
		}
		d = min(d, t.maxWait)
		wait *= 2
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return time.Until(at)
	}
	return 0
}

// temporary reports whether a transport error may pass on a retry: any
// error but a cancelled context or a TLS/protocol mismatch.
func temporary(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"server gave HTTP response to HTTPS client", "tls: ", "x509: "} {
		if strings.Contains(msg, s) {
			return false
		}
	}
	return true
}
