package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockwright/dockwright/internal/pluginexec"
	"github.com/dockwright/dockwright/internal/version"
)

// Options configure a Client. The zero value works: the default Docker
// keychain, 30 s per request, 4 attempts, 8 requests in flight.
type Options struct {
	// Keychain finds credentials; default authn.DefaultKeychain
	// (~/.docker/config.json, $DOCKER_CONFIG, credential helpers).
	Keychain authn.Keychain
	// Insecure allows plain HTTP to any registry (loopback and private
	// addresses are tried over HTTP anyway).
	Insecure bool
	// Timeout bounds each HTTP exchange, body included.
	Timeout time.Duration
	// Attempts is how many times a request is tried on 429, 5xx and
	// network errors; Backoff the first wait (doubling, with jitter).
	Attempts int
	Backoff  time.Duration
	// Concurrency bounds the requests in flight.
	Concurrency int
	// Transport is the base transport (tests); default a tuned clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// DeleteBy is how Apply deletes: DeleteAuto (default), DeleteByTag or
	// DeleteByDigest. ECR always deletes by digest.
	DeleteBy DeleteMode
	// Backend is BackendAuto (default), BackendDistribution or BackendECR.
	Backend string
}

// DeleteMode is how a planned deletion is carried out.
type DeleteMode string

// Delete modes.
const (
	// DeleteAuto untags where the registry supports it (Distribution v3)
	// and deletes by digest where it does not (2.8 answers 400).
	DeleteAuto DeleteMode = "auto"
	// DeleteByTag removes only the planned tags (DELETE /manifests/TAG);
	// the untagged manifests go at the next `garbage-collect
	// --delete-untagged`. Cheap for the registry: no scan of every tag.
	DeleteByTag DeleteMode = "tag"
	// DeleteByDigest deletes the manifests (and with them every tag on
	// them), children of indexes first. The registry scans every tag of
	// the repository for each one.
	DeleteByDigest DeleteMode = "digest"
)

// ParseDeleteMode validates a DeleteMode name.
func ParseDeleteMode(s string) (DeleteMode, error) {
	switch m := DeleteMode(s); m {
	case DeleteAuto, DeleteByTag, DeleteByDigest:
		return m, nil
	case "":
		return DeleteAuto, nil
	}
	return "", fmt.Errorf("delete mode %q: want auto, tag or digest", s)
}

// Client talks to registries. It authenticates once per repository and
// scope, bounds concurrency, retries, and counts every exchange. It is safe
// for concurrent use.
type Client struct {
	opts   Options
	base   http.RoundTripper
	n      *counter
	sem    chan struct{}
	log    *slog.Logger
	mu     sync.Mutex
	auths  map[string]*authEntry
	untags map[string]*untagSupport
	// ecrs are the ECR stores, by registry host; ecrSession the helper
	// process they call ECR through.
	ecrs       map[string]*ecrStore
	ecrSession *pluginexec.Session
}

// untagSupport remembers whether a registry can delete a tag alone.
type untagSupport struct {
	mu        sync.Mutex
	known     bool
	supported bool
}

type authEntry struct {
	once sync.Once
	rt   http.RoundTripper
	err  error
}

// New returns a Client.
func New(opts Options) *Client {
	if opts.Keychain == nil {
		opts.Keychain = authn.DefaultKeychain
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 4
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	base := opts.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opts.Concurrency + 2
		t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		base = t
	}
	n := &counter{}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.DeleteBy == "" {
		opts.DeleteBy = DeleteAuto
	}
	if opts.Backend == "" {
		opts.Backend = BackendAuto
	}
	c := &Client{opts: opts, n: n, sem: make(chan struct{}, opts.Concurrency), log: log, auths: map[string]*authEntry{}, untags: map[string]*untagSupport{},
		ecrs: map[string]*ecrStore{}}
	rt := http.RoundTripper(&countingTransport{next: base, n: n, timeout: opts.Timeout})
	rt = &retryTransport{next: rt, n: n, attempts: opts.Attempts, backoff: opts.Backoff, maxWait: 30 * time.Second}
	c.base = transport.NewUserAgent(&pingCache{next: &limitTransport{next: rt, sem: c.sem}}, "dockwright/"+version.String())
	c.opts.Keychain = authn.NewMultiKeychain(opts.Keychain, &ecrKeychain{c: c})
	return c
}

// acquire takes a slot of the client's request bound (ECR calls).
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) release() { <-c.sem }

// limitTransport holds a slot of the client's semaphore for each request
// until its body is closed.
type limitTransport struct {
	next http.RoundTripper
	sem  chan struct{}
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case t.sem <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		<-t.sem
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: func() { <-t.sem }}
	return resp, nil
}

type releaseBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// Keychain is how the Client finds credentials: Options.Keychain, then,
// for an ECR registry, a token from the AWS credentials (what a Docker
// Engine push needs too).
func (c *Client) Keychain() authn.Keychain { return c.opts.Keychain }

// Counts returns the exchanges made so far.
func (c *Client) Counts() Counts { return c.n.snapshot() }

// ParseRepository parses "HOST[:PORT]/PATH" (or a bare path, qualified with
// defaultRegistry when given).
func (c *Client) ParseRepository(s, defaultRegistry string) (name.Repository, error) {
	if defaultRegistry != "" && !strings.Contains(s, "/") {
		s = strings.TrimSuffix(defaultRegistry, "/") + "/" + s
	} else if defaultRegistry != "" {
		first := s[:strings.IndexByte(s, '/')]
		if !strings.ContainsAny(first, ".:") && first != "localhost" {
			s = strings.TrimSuffix(defaultRegistry, "/") + "/" + s
		}
	}
	var opts []name.Option
	if c.opts.Insecure {
		opts = append(opts, name.Insecure)
	}
	opts = append(opts, name.StrictValidation)
	r, err := name.NewRepository(s, opts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("%w: repository %q: %v", ErrInvalidReference, s, err)
	}
	return r, nil
}

// transport returns the authenticated transport for repo and scope,
// running the handshake (ping, and a token request for bearer registries)
// once per pair.
func (c *Client) transport(ctx context.Context, reg name.Registry, scope string) (http.RoundTripper, error) {
	key := reg.RegistryStr() + " " + scope
	c.mu.Lock()
	e, ok := c.auths[key]
	if !ok {
		e = &authEntry{}
		c.auths[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		auth, err := authn.Resolve(ctx, c.opts.Keychain, reg)
		if err != nil {
			e.err = fmt.Errorf("credentials for %s: %w", reg.RegistryStr(), err)
			return
		}
		var scopes []string
		if scope != "" {
			scopes = []string{scope}
		}
		e.rt, e.err = transport.NewWithContext(ctx, reg, auth, c.base, scopes)
		if e.err != nil {
			e.err = fmt.Errorf("connecting to %s: %w", reg.RegistryStr(), classify(e.err))
		}
	})
	if e.err != nil {
		// Let a later call try again (the context may have been the cause).
		c.mu.Lock()
		if c.auths[key] == e {
			delete(c.auths, key)
		}
		c.mu.Unlock()
	}
	return e.rt, e.err
}

func (c *Client) repoOpts(ctx context.Context, repo name.Repository, action string) ([]remote.Option, error) {
	rt, err := c.transport(ctx, repo.Registry, repo.Scope(action))
	if err != nil {
		return nil, err
	}
	return []remote.Option{remote.WithContext(ctx), remote.WithTransport(rt), remote.WithPageSize(1000)}, nil
}

// Catalog lists every repository of reg (paginated _catalog).
func (c *Client) Catalog(ctx context.Context, reg name.Registry) ([]string, error) {
	if e := c.ecr(reg); e != nil {
		repos, err := e.catalog(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing repositories of %s: %w", reg.RegistryStr(), err)
		}
		return repos, nil
	}
	rt, err := c.transport(ctx, reg, "registry:catalog:*")
	if err != nil {
		return nil, err
	}
	repos, err := remote.Catalog(ctx, reg, remote.WithTransport(rt), remote.WithPageSize(1000))
	if err != nil {
		return nil, fmt.Errorf("listing repositories of %s: %w", reg.RegistryStr(), classify(err))
	}
	return repos, nil
}

// Tags lists the tags of repo (every page). A repository the registry does
// not know is ErrNotFound.
func (c *Client) Tags(ctx context.Context, repo name.Repository) ([]string, error) {
	var tags []string
	var err error
	if e := c.ecr(repo.Registry); e != nil {
		tags, err = e.tags(ctx, repo)
	} else {
		var opts []remote.Option
		if opts, err = c.repoOpts(ctx, repo, transport.PullScope); err != nil {
			return nil, err
		}
		tags, err = remote.List(repo, opts...)
		err = classify(err)
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("repository %q: %w in the registry (nothing pushed yet?)", repo.Name(), ErrNotFound)
		}
		return nil, fmt.Errorf("listing tags of %q: %w", repo.Name(), err)
	}
	return tags, nil
}

// Head returns the descriptor (digest, media type, size) a reference
// resolves to, asking for every manifest type so that a multi-arch index is
// never answered with one of its children.
func (c *Client) Head(ctx context.Context, ref name.Reference) (v1.Descriptor, error) {
	if e := c.ecr(ref.Context().Registry); e != nil {
		d, err := e.head(ctx, ref)
		if err != nil {
			return v1.Descriptor{}, fmt.Errorf("resolving %q: %w", ref.Name(), err)
		}
		return d, nil
	}
	opts, err := c.repoOpts(ctx, ref.Context(), transport.PullScope)
	if err != nil {
		return v1.Descriptor{}, err
	}
	d, err := remote.Head(ref, opts...)
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("resolving %q: %w", ref.Name(), classify(err))
	}
	return *d, nil
}

// Get fetches a manifest (or index) with its raw bytes.
func (c *Client) Get(ctx context.Context, ref name.Reference) (*remote.Descriptor, error) {
	if e := c.ecr(ref.Context().Registry); e != nil {
		d, err := e.get(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("fetching manifest %q: %w", ref.Name(), err)
		}
		return d, nil
	}
	opts, err := c.repoOpts(ctx, ref.Context(), transport.PullScope)
	if err != nil {
		return nil, err
	}
	d, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("fetching manifest %q: %w", ref.Name(), classify(err))
	}
	return d, nil
}

// Put writes an already-fetched manifest under tag (one PUT; no blob moves).
func (c *Client) Put(ctx context.Context, tag name.Tag, m remote.Taggable) error {
	if e := c.ecr(tag.Context().Registry); e != nil {
		if err := e.put(ctx, tag, m); err != nil {
			return fmt.Errorf("tagging %q: %w", tag.Name(), err)
		}
		return nil
	}
	opts, err := c.repoOpts(ctx, tag.Context(), transport.PushScope)
	if err != nil {
		return err
	}
	if err := remote.Put(tag, m, opts...); err != nil {
		return fmt.Errorf("tagging %q: %w", tag.Name(), classify(err))
	}
	return nil
}

// Delete deletes the manifest with digest d from repo: every tag that
// points at it goes with it.
func (c *Client) Delete(ctx context.Context, repo name.Repository, d string) error {
	if e := c.ecr(repo.Registry); e != nil {
		if err := e.delete1(ctx, repo, ecrImageID{ImageDigest: d}); err != nil {
			return fmt.Errorf("deleting %s@%s: %w", repo.Name(), d, err)
		}
		return nil
	}
	opts, err := c.repoOpts(ctx, repo, transport.DeleteScope)
	if err != nil {
		return err
	}
	if err := remote.Delete(repo.Digest(d), opts...); err != nil {
		return fmt.Errorf("deleting %s@%s: %w", repo.Name(), d, classify(err))
	}
	return nil
}

// Untag deletes one tag, leaving its manifest and every other tag
// (Distribution v3). A registry that cannot (2.8 answers 400 UNSUPPORTED)
// gives ErrUntagUnsupported.
func (c *Client) Untag(ctx context.Context, tag name.Tag) error {
	if e := c.ecr(tag.Context().Registry); e != nil {
		if err := e.delete1(ctx, tag.Context(), ecrImageID{ImageTag: tag.TagStr()}); err != nil {
			return fmt.Errorf("deleting tag %s: %w", tag.Name(), err)
		}
		return nil
	}
	opts, err := c.repoOpts(ctx, tag.Context(), transport.DeleteScope)
	if err != nil {
		return err
	}
	if err := remote.Delete(tag, opts...); err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusBadRequest {
			return fmt.Errorf("deleting tag %s: %w: %w", tag.Name(), ErrUntagUnsupported, err)
		}
		return fmt.Errorf("deleting tag %s: %w", tag.Name(), classify(err))
	}
	return nil
}

func (c *Client) untagSupport(reg string) *untagSupport {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.untags[reg]
	if u == nil {
		u = &untagSupport{}
		c.untags[reg] = u
	}
	return u
}

// descriptor is the part of a manifest descriptor the policies need.
type descriptor struct {
	Digest    v1.Hash
	MediaType types.MediaType
}
