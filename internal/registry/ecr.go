package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockwright/dockwright/internal/awslog"
)

// Backends a Client can speak to a registry with.
const (
	// BackendAuto is ECR for an ECR hostname (ACCOUNT.dkr.ecr.REGION.
	// amazonaws.com), the registry HTTP API for every other.
	BackendAuto = "auto"
	// BackendDistribution is the registry HTTP API (Distribution, Harbor,
	// GitLab, ...).
	BackendDistribution = "distribution"
	// BackendECR is the Amazon ECR API, for an ECR-compatible endpoint
	// whose hostname does not say so.
	BackendECR = "ecr"
)

// ParseBackend validates a backend name ("" is BackendAuto).
func ParseBackend(s string) (string, error) {
	switch s {
	case "", BackendAuto:
		return BackendAuto, nil
	case BackendDistribution, BackendECR:
		return s, nil
	}
	return "", fmt.Errorf("backend %q: want auto, distribution or ecr", s)
}

// ecrHost matches an ECR registry hostname: account, region.
var ecrHost = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)

// IsECR says whether host is an ECR registry's hostname.
func IsECR(host string) bool { return ecrHost.MatchString(host) }

// ecrManifestTypes are the manifest media types asked for: all four, so
// ECR never converts an index or an OCI manifest (which would change its
// digest).
var ecrManifestTypes = []string{
	string(types.DockerManifestSchema2), string(types.DockerManifestList),
	string(types.OCIManifestSchema1), string(types.OCIImageIndex),
}

// ecrBatch is the most image ids one BatchGetImage or BatchDeleteImage
// call takes.
const ecrBatch = 100

// ecrStore is one ECR registry: the API client and, per repository, the
// images of its last listing (DescribeImages gives every tag's digest,
// media type, size and push time, so tag lists and HEADs cost nothing
// more). A write forgets the repository's listing.
type ecrStore struct {
	api        *ecr.Client
	registryID *string // nil: the caller's account
	region     string

	auth *ecrAuth

	mu       sync.Mutex
	listings map[string]*ecrListing
}

type ecrImage struct {
	desc   v1.Descriptor
	tags   []string
	pushed time.Time
}

type ecrListing struct {
	byTag    map[string]*ecrImage
	byDigest map[string]*ecrImage
}

// UsesECR says whether reg is spoken to with the ECR API (its hostname,
// or Options.Backend).
func (c *Client) UsesECR(reg name.Registry) bool {
	switch c.opts.Backend {
	case BackendECR:
		return true
	case BackendDistribution:
		return false
	}
	return IsECR(reg.RegistryStr())
}

// ecrFor returns the ECR store for reg, or nil when reg is spoken to with
// the registry HTTP API.
func (c *Client) ecrFor(ctx context.Context, reg name.Registry) (*ecrStore, error) {
	if !c.UsesECR(reg) {
		return nil, nil
	}
	host := reg.RegistryStr()
	m := ecrHost.FindStringSubmatch(host)
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.ecrs[host]; ok {
		return s, nil
	}
	opts := []func(*config.LoadOptions) error{
		config.WithLogger(awslog.Logger(c.log)),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = c.opts.Attempts })
		}),
	}
	s := &ecrStore{listings: map[string]*ecrListing{}}
	if m != nil {
		opts = append(opts, config.WithRegion(m[2]))
		s.registryID = aws.String(m[1])
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("ECR %s: loading AWS configuration: %w", host, err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("ECR %s: no AWS region: set AWS_REGION (or a profile's region)", host)
	}
	s.region = cfg.Region
	// The SDK's own HTTP client (it carries AWS_CA_BUNDLE), under the
	// Client's request bound and counters.
	sdkHTTP := cfg.HTTPClient
	if sdkHTTP == nil {
		sdkHTTP = awshttp.NewBuildableClient()
	}
	rt := &limitTransport{next: &ecrCounting{next: &countingTransport{next: doerTransport{sdkHTTP}, n: c.n, timeout: c.opts.Timeout}, n: c.n}, sem: c.sem}
	cfg.HTTPClient = &http.Client{Transport: rt}
	s.api = ecr.NewFromConfig(cfg)
	s.auth = &ecrAuth{s: s, now: time.Now}
	c.ecrs[host] = s
	return s, nil
}

// doerTransport runs requests through the SDK's HTTP client.
type doerTransport struct{ d aws.HTTPClient }

func (t doerTransport) RoundTrip(req *http.Request) (*http.Response, error) { return t.d.Do(req) }

// ecrCounting counts ECR API calls by operation, and the SDK's retries.
type ecrCounting struct {
	next http.RoundTripper
	n    *counter
}

func (t *ecrCounting) RoundTrip(req *http.Request) (*http.Response, error) {
	op := strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "AmazonEC2ContainerRegistry_V20150921.")
	if a := req.Header.Get("Amz-Sdk-Request"); a != "" && !strings.HasPrefix(a, "attempt=1;") && a != "attempt=1" {
		t.n.retries.Add(1)
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && op != "" {
		t.n.countECR(op)
	}
	return resp, err
}

func (s *ecrStore) forget(repo string) {
	s.mu.Lock()
	delete(s.listings, repo)
	s.mu.Unlock()
}

func (s *ecrStore) cached(repo string) *ecrListing {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listings[repo]
}

// classifyECR wraps an ECR API error with the sentinel it amounts to.
func classifyECR(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "RepositoryNotFoundException", "ImageNotFoundException", "RegistryPolicyNotFoundException":
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
			"MissingAuthenticationTokenException", "InvalidClientTokenId":
			return fmt.Errorf("%w (check the AWS credentials and the IAM permissions in docs/registry-pruner.md): %w", ErrAuth, err)
		}
		return err
	}
	return classify(err)
}

// list runs DescribeImages over every page and keeps the listing.
func (s *ecrStore) list(ctx context.Context, repo name.Repository) (*ecrListing, error) {
	l := &ecrListing{byTag: map[string]*ecrImage{}, byDigest: map[string]*ecrImage{}}
	p := ecr.NewDescribeImagesPaginator(s.api, &ecr.DescribeImagesInput{
		RepositoryName: aws.String(repo.RepositoryStr()), RegistryId: s.registryID, MaxResults: aws.Int32(1000),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range out.ImageDetails {
			img := ecrImageOf(d)
			if img == nil {
				continue
			}
			l.byDigest[img.desc.Digest.String()] = img
			for _, t := range img.tags {
				l.byTag[t] = img
			}
		}
	}
	s.mu.Lock()
	s.listings[repo.RepositoryStr()] = l
	s.mu.Unlock()
	return l, nil
}

func ecrImageOf(d ecrtypes.ImageDetail) *ecrImage {
	h, err := v1.NewHash(aws.ToString(d.ImageDigest))
	if err != nil {
		return nil
	}
	img := &ecrImage{desc: v1.Descriptor{Digest: h, MediaType: types.MediaType(aws.ToString(d.ImageManifestMediaType)), Size: aws.ToInt64(d.ImageSizeInBytes)},
		tags: d.ImageTags, pushed: aws.ToTime(d.ImagePushedAt)}
	return img
}

func imageIDOf(ref name.Reference) ecrtypes.ImageIdentifier {
	if d, ok := ref.(name.Digest); ok {
		return ecrtypes.ImageIdentifier{ImageDigest: aws.String(d.DigestStr())}
	}
	return ecrtypes.ImageIdentifier{ImageTag: aws.String(ref.Identifier())}
}

func (s *ecrStore) catalog(ctx context.Context) ([]string, error) {
	var out []string
	p := ecr.NewDescribeRepositoriesPaginator(s.api, &ecr.DescribeRepositoriesInput{RegistryId: s.registryID, MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Repositories {
			out = append(out, aws.ToString(r.RepositoryName))
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *ecrStore) tags(ctx context.Context, repo name.Repository) ([]string, error) {
	l, err := s.list(ctx, repo)
	if err != nil {
		return nil, err
	}
	tags := make([]string, 0, len(l.byTag))
	for t := range l.byTag {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	return tags, nil
}

// describe resolves one reference: from the last listing when it holds
// the tag or digest, else with one DescribeImages call.
func (s *ecrStore) describe(ctx context.Context, ref name.Reference) (*ecrImage, error) {
	if l := s.cached(ref.Context().RepositoryStr()); l != nil {
		if d, ok := ref.(name.Digest); ok {
			if img := l.byDigest[d.DigestStr()]; img != nil {
				return img, nil
			}
		} else if img := l.byTag[ref.Identifier()]; img != nil {
			return img, nil
		}
	}
	out, err := s.api.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RepositoryName: aws.String(ref.Context().RepositoryStr()), RegistryId: s.registryID, ImageIds: []ecrtypes.ImageIdentifier{imageIDOf(ref)},
	})
	if err != nil {
		return nil, err
	}
	if len(out.ImageDetails) == 0 {
		return nil, &smithy.GenericAPIError{Code: "ImageNotFoundException", Message: "no image " + ref.Name()}
	}
	img := ecrImageOf(out.ImageDetails[0])
	if img == nil {
		return nil, fmt.Errorf("ECR answered an invalid digest %q for %s", aws.ToString(out.ImageDetails[0].ImageDigest), ref.Name())
	}
	return img, nil
}

func (s *ecrStore) head(ctx context.Context, ref name.Reference) (v1.Descriptor, error) {
	img, err := s.describe(ctx, ref)
	if err != nil {
		return v1.Descriptor{}, err
	}
	return img.desc, nil
}

// pushedAt is when ECR received the image: what --keep-younger-than reads
// on ECR (an index's, for a multi-arch build).
func (s *ecrStore) pushedAt(ctx context.Context, repo name.Repository, digest string) (time.Time, error) {
	img, err := s.describe(ctx, repo.Digest(digest))
	if err != nil {
		return time.Time{}, err
	}
	return img.pushed, nil
}

// get fetches a manifest with BatchGetImage, accepting every manifest type.
func (s *ecrStore) get(ctx context.Context, ref name.Reference) (*remote.Descriptor, error) {
	out, err := s.api.BatchGetImage(ctx, &ecr.BatchGetImageInput{
		RepositoryName: aws.String(ref.Context().RepositoryStr()), RegistryId: s.registryID,
		ImageIds: []ecrtypes.ImageIdentifier{imageIDOf(ref)}, AcceptedMediaTypes: ecrManifestTypes,
	})
	if err != nil {
		return nil, err
	}
	if len(out.Images) == 0 {
		if len(out.Failures) > 0 {
			return nil, failureErr(out.Failures[0])
		}
		return nil, &smithy.GenericAPIError{Code: "ImageNotFoundException", Message: "no image " + ref.Name()}
	}
	img := out.Images[0]
	manifest := []byte(aws.ToString(img.ImageManifest))
	h, _, err := v1.SHA256(strings.NewReader(string(manifest)))
	if err != nil {
		return nil, err
	}
	mt := types.MediaType(aws.ToString(img.ImageManifestMediaType))
	if mt == "" {
		mt = manifestMediaType(manifest)
	}
	return &remote.Descriptor{Descriptor: v1.Descriptor{Digest: h, MediaType: mt, Size: int64(len(manifest))}, Manifest: manifest}, nil
}

// failureErr turns a per-id failure into an error (ImageNotFound is
// ErrNotFound).
func failureErr(f ecrtypes.ImageFailure) error {
	msg := fmt.Sprintf("%s: %s", f.FailureCode, aws.ToString(f.FailureReason))
	if f.FailureCode == ecrtypes.ImageFailureCodeImageNotFound {
		return fmt.Errorf("%w: %s", ErrNotFound, msg)
	}
	return errors.New(msg)
}

// manifestMediaType reads a manifest's own mediaType field.
func manifestMediaType(manifest []byte) types.MediaType {
	var m struct {
		MediaType types.MediaType `json:"mediaType"`
	}
	json.Unmarshal(manifest, &m)
	return m.MediaType
}

// put writes a manifest under tag with PutImage, naming its media type
// (so a manifest without a mediaType field, as OCI allows, keeps its
// bytes and digest). The tag already on the same manifest is success.
func (s *ecrStore) put(ctx context.Context, tag name.Tag, m remote.Taggable) error {
	raw, err := m.RawManifest()
	if err != nil {
		return err
	}
	var mt types.MediaType
	if d, ok := m.(*remote.Descriptor); ok {
		mt = d.MediaType
	}
	if mt == "" {
		mt = manifestMediaType(raw)
	}
	repo := tag.Context().RepositoryStr()
	defer s.forget(repo)
	_, err = s.api.PutImage(ctx, &ecr.PutImageInput{
		RepositoryName: aws.String(repo), RegistryId: s.registryID, ImageManifest: aws.String(string(raw)),
		ImageManifestMediaType: aws.String(string(mt)), ImageTag: aws.String(tag.TagStr()),
	})
	var exists *ecrtypes.ImageAlreadyExistsException
	if errors.As(err, &exists) {
		return nil // the tag is already on this manifest
	}
	var immutable *ecrtypes.ImageTagAlreadyExistsException
	if errors.As(err, &immutable) {
		return s.immutableErr(ctx, tag, err)
	}
	return err
}

// immutableErr explains a tag ECR will not move.
func (s *ecrStore) immutableErr(ctx context.Context, tag name.Tag, cause error) error {
	setting := "IMMUTABLE"
	out, err := s.api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RegistryId: s.registryID, RepositoryNames: []string{tag.Context().RepositoryStr()}})
	if err == nil && len(out.Repositories) == 1 {
		r := out.Repositories[0]
		setting = string(r.ImageTagMutability)
		var fs []string
		for _, f := range r.ImageTagMutabilityExclusionFilters {
			fs = append(fs, aws.ToString(f.Filter))
		}
		if len(fs) > 0 {
			setting += " with exclusion filters " + strings.Join(fs, ", ")
		}
	}
	return fmt.Errorf("%w: tag %s is immutable in %s (imageTagMutability %s), so ECR will not move it: "+
		"environment tags must stay mutable while version tags and promotion records may be immutable: "+
		"use IMMUTABLE_WITH_EXCLUSION with the environment tags as exclusion filters (docs/image-tagger.md, Amazon ECR): %w",
		ErrRefused, tag.TagStr(), tag.Context().RepositoryStr(), setting, cause)
}

// deleteIDs runs BatchDeleteImage in chunks of ecrBatch and returns, per
// id (by position), nil when it was deleted, an ErrNotFound error when it
// was already gone, or its failure. err is a call that failed as a whole:
// the ids of that chunk and after it are left with a nil result and
// attempted false.
func (s *ecrStore) deleteIDs(ctx context.Context, repo name.Repository, ids []ecrtypes.ImageIdentifier) (results []error, attempted int, err error) {
	defer s.forget(repo.RepositoryStr())
	results = make([]error, len(ids))
	for from := 0; from < len(ids); from += ecrBatch {
		if err := ctx.Err(); err != nil {
			return results, from, err
		}
		chunk := ids[from:min(len(ids), from+ecrBatch)]
		out, err := s.api.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String(repo.RepositoryStr()), RegistryId: s.registryID, ImageIds: chunk})
		if err != nil {
			return results, from, classifyECR(err)
		}
		for _, f := range out.Failures {
			for i, id := range chunk {
				if sameID(id, f.ImageId) {
					results[from+i] = failureErr(f)
				}
			}
		}
	}
	return results, len(ids), nil
}

func sameID(a ecrtypes.ImageIdentifier, b *ecrtypes.ImageIdentifier) bool {
	if b == nil {
		return false
	}
	return aws.ToString(a.ImageDigest) == aws.ToString(b.ImageDigest) && aws.ToString(a.ImageTag) == aws.ToString(b.ImageTag)
}

func (s *ecrStore) delete1(ctx context.Context, repo name.Repository, id ecrtypes.ImageIdentifier) error {
	res, _, err := s.deleteIDs(ctx, repo, []ecrtypes.ImageIdentifier{id})
	if err != nil {
		return err
	}
	return res[0]
}

// applyECR deletes a rechecked plan's manifests by digest, at most 100 per
// call: the indexes and images first, then the children of the indexes
// that went (ECR refuses to delete a manifest an index still references).
// A per-id failure marks that deletion failed and the rest go on.
func (c *Client) applyECR(ctx context.Context, s *ecrStore, repo name.Repository, plan *RepoPlan, progress func()) error {
	var units []*Deletion
	var ids []ecrtypes.ImageIdentifier
	for i := range plan.Deletions {
		if u := &plan.Deletions[i]; u.Status == StatusPlanned {
			units = append(units, u)
			ids = append(ids, ecrtypes.ImageIdentifier{ImageDigest: aws.String(u.Digest)})
		}
	}
	results, attempted, callErr := s.deleteIDs(ctx, repo, ids)
	var errs []error
	var children []ecrtypes.ImageIdentifier
	var childOf []*Deletion
	for i, u := range units {
		if i >= attempted {
			u.Status = StatusNotAttempted
			continue
		}
		u.Method = string(DeleteByDigest)
		switch err := results[i]; {
		case err == nil:
			u.Status = StatusDeleted
		case errors.Is(err, ErrNotFound):
			u.Status = StatusGone
		default:
			u.Status, u.Error = StatusFailed, err.Error()
			errs = append(errs, fmt.Errorf("deleting %s@%s: %w", repo.Name(), u.Digest, err))
		}
		if progress != nil {
			progress()
		}
		if u.Status != StatusFailed {
			for _, ch := range u.Children {
				children = append(children, ecrtypes.ImageIdentifier{ImageDigest: aws.String(ch)})
				childOf = append(childOf, u)
			}
		}
	}
	if callErr == nil && len(children) > 0 {
		var res []error
		res, attempted, callErr = s.deleteIDs(ctx, repo, children)
		for i, err := range res {
			if i < attempted && err != nil && !errors.Is(err, ErrNotFound) {
				u := childOf[i]
				u.Status, u.Error = StatusFailed, fmt.Sprintf("child %s: %v", aws.ToString(children[i].ImageDigest), err)
				errs = append(errs, fmt.Errorf("deleting %s@%s: %w", repo.Name(), aws.ToString(children[i].ImageDigest), err))
			}
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if callErr != nil {
		return fmt.Errorf("deleting from %s: %w", repo.Name(), callErr)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d deletions in %s failed: %w", len(errs), len(plan.Deletions), repo.Name(), errs[0])
	}
	return nil
}
