package registrytest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Proxy stands in front of a registry and can fail or intercept requests,
// to test retries, partial failures and races. It records every request.
type Proxy struct {
	// Host is the proxy's "127.0.0.1:PORT".
	Host string

	mu     sync.Mutex
	hook   func(r *http.Request) int
	before func(r *http.Request)
	log    []string
}

// NewProxy starts a proxy to target ("127.0.0.1:PORT") until the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	p := &Proxy{}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	rp.ErrorLog = log.New(io.Discard, "", 0) // cancelled requests are expected
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.log = append(p.log, r.Method+" "+r.URL.Path)
		hook, before := p.hook, p.before
		p.mu.Unlock()
		if before != nil {
			before(r)
		}
		if hook != nil {
			if code := hook(r); code != 0 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				w.Write([]byte(`{"errors":[{"code":"UNAVAILABLE","message":"injected by the test"}]}`))
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.Host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// Fail sets a hook returning the status to answer instead of the registry
// (0 passes the request on). nil clears it.
func (p *Proxy) Fail(hook func(r *http.Request) int) {
	p.mu.Lock()
	p.hook = hook
	p.mu.Unlock()
}

// Before sets a function run before each request is passed on (to change
// the registry mid-run).
func (p *Proxy) Before(f func(r *http.Request)) {
	p.mu.Lock()
	p.before = f
	p.mu.Unlock()
}

// Requests returns "METHOD /path" of every request so far and clears the log.
func (p *Proxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.log
	p.log = nil
	return out
}
