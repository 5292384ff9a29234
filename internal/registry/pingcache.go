package registry

import (
	"io"
	"net/http"
	"strings"
	"sync"
)

// pingCache answers the authentication handshake's "GET /v2/" from memory
// after the first time per scheme and host: the challenge does not depend
// on the repository or scope, so one ping serves every repository (bearer
// registries still get one token request per repository and scope).
// Failures are remembered too, so the https probe of a plain-http registry
// on loopback is made once.
type pingCache struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string]*pingResult
}

type pingResult struct {
	once   sync.Once
	status int
	header http.Header
	err    error
}

func (p *pingCache) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.Path != "/v2/" || req.Header.Get("Authorization") != "" {
		return p.next.RoundTrip(req)
	}
	key := req.URL.Scheme + "://" + req.URL.Host
	p.mu.Lock()
	if p.seen == nil {
		p.seen = map[string]*pingResult{}
	}
	r, ok := p.seen[key]
	if !ok {
		r = &pingResult{}
		p.seen[key] = r
	}
	p.mu.Unlock()
	first := false
	r.once.Do(func() {
		first = true
		resp, err := p.next.RoundTrip(req)
		if err != nil {
			r.err = err
			return
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		r.status, r.header = resp.StatusCode, resp.Header.Clone()
	})
	if r.err != nil {
		if !first && req.Context().Err() == nil && isCancel(r.err) {
			// The first ping was cancelled by its caller; forget it.
			p.mu.Lock()
			delete(p.seen, key)
			p.mu.Unlock()
			return p.RoundTrip(req)
		}
		return nil, r.err
	}
	if r.status != http.StatusOK && r.status != http.StatusUnauthorized {
		// Only the two answers the handshake understands are reused.
		p.mu.Lock()
		delete(p.seen, key)
		p.mu.Unlock()
	}
	return &http.Response{
		Status: http.StatusText(r.status), StatusCode: r.status, Header: r.header.Clone(),
		Body: http.NoBody, Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}

func isCancel(err error) bool {
	return strings.Contains(err.Error(), "context canceled") || strings.Contains(err.Error(), "context deadline exceeded")
}
