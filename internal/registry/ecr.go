package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockwright/dockwright/internal/pluginexec"
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

// ecrStore is one ECR registry: its calls go through the
// dockwright-plugin-host helper (internal/ecrapi runs the SDK there, so
// this binary links none), and, per repository, the images of its last
// listing are kept (DescribeImages gives every tag's digest, media type,
// size and push time, so tag lists and HEADs cost nothing more). A write
// forgets the repository's listing.
type ecrStore struct {
	c          *Client
	registryID string // "": the caller's account
	region     string // "": the SDK's default (AWS_REGION, the profile)
	auth       *ecrAuth

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

// ecr returns the ECR store for reg, or nil when reg is spoken to with
// the registry HTTP API.
func (c *Client) ecr(reg name.Registry) *ecrStore {
	if !c.UsesECR(reg) {
		return nil
	}
	host := reg.RegistryStr()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.ecrs[host]; ok {
		return s
	}
	if c.ecrSession == nil {
		c.ecrSession = &pluginexec.Session{Env: []string{
			"DOCKWRIGHT_RETRIES=" + strconv.Itoa(c.opts.Attempts), "DOCKWRIGHT_TIMEOUT=" + c.opts.Timeout.String()}}
	}
	s := &ecrStore{c: c, listings: map[string]*ecrListing{}}
	if m := ecrHost.FindStringSubmatch(host); m != nil {
		s.registryID, s.region = m[1], m[2]
	}
	s.auth = &ecrAuth{s: s, now: time.Now}
	c.ecrs[host] = s
	return s
}

// call runs one ECR operation in the helper: in is ECR's request JSON,
// out receives the answer, and an error is classified (classifyECR) here,
// once. The call counts under Counts.ECR, its HTTP attempts under Other
// and Retries.
func (s *ecrStore) call(ctx context.Context, op string, in, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	if err := s.c.acquire(ctx); err != nil {
		return err
	}
	resp, err := s.c.ecrSession.Call(ctx, pluginexec.ECRRequest{Op: op, Region: s.region, Input: raw})
	s.c.release()
	if err != nil {
		return err
	}
	s.c.n.countECR(op)
	s.c.n.other.Add(int64(resp.Attempts))
	if resp.Attempts > 1 {
		s.c.n.retries.Add(int64(resp.Attempts - 1))
	}
	if resp.Error != nil {
		return classifyECR(resp.Error)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Output, out); err != nil {
		return fmt.Errorf("ECR %s: reading the answer: %w", op, err)
	}
	return nil
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

// classifyECR wraps an ECR error with the sentinel it amounts to.
func classifyECR(err error) error {
	var e *pluginexec.ECRError
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case e.Code == "RepositoryNotFoundException", e.Code == "ImageNotFoundException":
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case slices.Contains([]string{"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
		"ExpiredTokenException", "MissingAuthenticationTokenException", "InvalidClientTokenId"}, e.Code):
		return fmt.Errorf("%w (check the AWS credentials and the IAM permissions in docs/registry-pruner.md): %w", ErrAuth, err)
	case e.Unreachable:
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	case e.Canceled:
		return fmt.Errorf("%w: %w", context.Canceled, err)
	}
	return err
}

// The parts of ECR's requests and answers dockwright uses, with the wire's
// names (answers, written by the SDK with Go's field names, decode
// case-insensitively).
type (
	ecrImageID struct {
		ImageDigest string `json:"imageDigest,omitempty"`
		ImageTag    string `json:"imageTag,omitempty"`
	}
	ecrFailure struct {
		ImageID       *ecrImageID `json:"imageId"`
		FailureCode   string      `json:"failureCode"`
		FailureReason string      `json:"failureReason"`
	}
	ecrImageDetail struct {
		ImageDigest            string     `json:"imageDigest"`
		ImageTags              []string   `json:"imageTags"`
		ImageSizeInBytes       int64      `json:"imageSizeInBytes"`
		ImagePushedAt          *time.Time `json:"imagePushedAt"`
		ImageManifestMediaType string     `json:"imageManifestMediaType"`
	}
	ecrRepoQuery struct {
		RegistryID     string       `json:"registryId,omitempty"`
		RepositoryName string       `json:"repositoryName"`
		ImageIDs       []ecrImageID `json:"imageIds,omitempty"`
		NextToken      string       `json:"nextToken,omitempty"`
		MaxResults     int          `json:"maxResults,omitempty"`
		// BatchGetImage
		AcceptedMediaTypes []string `json:"acceptedMediaTypes,omitempty"`
	}
)

func (s *ecrStore) query(repo string) ecrRepoQuery {
	return ecrRepoQuery{RegistryID: s.registryID, RepositoryName: repo}
}

// list runs DescribeImages over every page and keeps the listing.
func (s *ecrStore) list(ctx context.Context, repo name.Repository) (*ecrListing, error) {
	l := &ecrListing{byTag: map[string]*ecrImage{}, byDigest: map[string]*ecrImage{}}
	q := s.query(repo.RepositoryStr())
	q.MaxResults = 1000
	for {
		var out struct {
			ImageDetails []ecrImageDetail `json:"imageDetails"`
			NextToken    *string          `json:"nextToken"`
		}
		if err := s.call(ctx, "DescribeImages", q, &out); err != nil {
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
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		q.NextToken = *out.NextToken
	}
	s.mu.Lock()
	s.listings[repo.RepositoryStr()] = l
	s.mu.Unlock()
	return l, nil
}

func ecrImageOf(d ecrImageDetail) *ecrImage {
	h, err := v1.NewHash(d.ImageDigest)
	if err != nil {
		return nil
	}
	img := &ecrImage{desc: v1.Descriptor{Digest: h, MediaType: types.MediaType(d.ImageManifestMediaType), Size: d.ImageSizeInBytes}, tags: d.ImageTags}
	if d.ImagePushedAt != nil {
		img.pushed = *d.ImagePushedAt
	}
	return img
}

func imageIDOf(ref name.Reference) ecrImageID {
	if d, ok := ref.(name.Digest); ok {
		return ecrImageID{ImageDigest: d.DigestStr()}
	}
	return ecrImageID{ImageTag: ref.Identifier()}
}

func (s *ecrStore) catalog(ctx context.Context) ([]string, error) {
	var names []string
	in := struct {
		RegistryID string `json:"registryId,omitempty"`
		NextToken  string `json:"nextToken,omitempty"`
		MaxResults int    `json:"maxResults"`
	}{RegistryID: s.registryID, MaxResults: 1000}
	for {
		var out struct {
			Repositories []struct {
				RepositoryName string `json:"repositoryName"`
			} `json:"repositories"`
			NextToken *string `json:"nextToken"`
		}
		if err := s.call(ctx, "DescribeRepositories", in, &out); err != nil {
			return nil, err
		}
		for _, r := range out.Repositories {
			names = append(names, r.RepositoryName)
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		in.NextToken = *out.NextToken
	}
	slices.Sort(names)
	return names, nil
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
	q := s.query(ref.Context().RepositoryStr())
	q.ImageIDs = []ecrImageID{imageIDOf(ref)}
	var out struct {
		ImageDetails []ecrImageDetail `json:"imageDetails"`
	}
	if err := s.call(ctx, "DescribeImages", q, &out); err != nil {
		return nil, err
	}
	if len(out.ImageDetails) == 0 {
		return nil, fmt.Errorf("%w: no image %s", ErrNotFound, ref.Name())
	}
	img := ecrImageOf(out.ImageDetails[0])
	if img == nil {
		return nil, fmt.Errorf("ECR answered an invalid digest %q for %s", out.ImageDetails[0].ImageDigest, ref.Name())
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
	q := s.query(ref.Context().RepositoryStr())
	q.ImageIDs, q.AcceptedMediaTypes = []ecrImageID{imageIDOf(ref)}, ecrManifestTypes
	var out struct {
		Images []struct {
			ImageManifest          string `json:"imageManifest"`
			ImageManifestMediaType string `json:"imageManifestMediaType"`
		} `json:"images"`
		Failures []ecrFailure `json:"failures"`
	}
	if err := s.call(ctx, "BatchGetImage", q, &out); err != nil {
		return nil, err
	}
	if len(out.Images) == 0 {
		if len(out.Failures) > 0 {
			return nil, failureErr(out.Failures[0])
		}
		return nil, fmt.Errorf("%w: no image %s", ErrNotFound, ref.Name())
	}
	manifest := []byte(out.Images[0].ImageManifest)
	h, _, err := v1.SHA256(strings.NewReader(out.Images[0].ImageManifest))
	if err != nil {
		return nil, err
	}
	mt := types.MediaType(out.Images[0].ImageManifestMediaType)
	if mt == "" {
		mt = manifestMediaType(manifest)
	}
	return &remote.Descriptor{Descriptor: v1.Descriptor{Digest: h, MediaType: mt, Size: int64(len(manifest))}, Manifest: manifest}, nil
}

// getMany fetches the manifests of digests with BatchGetImage, 100 per
// call; one ECR no longer has is left out, any other failure is an error.
func (s *ecrStore) getMany(ctx context.Context, repo name.Repository, digests []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(digests))
	for from := 0; from < len(digests); from += ecrBatch {
		q := s.query(repo.RepositoryStr())
		q.AcceptedMediaTypes = ecrManifestTypes
		for _, dg := range digests[from:min(len(digests), from+ecrBatch)] {
			q.ImageIDs = append(q.ImageIDs, ecrImageID{ImageDigest: dg})
		}
		var res struct {
			Images []struct {
				ImageID       ecrImageID `json:"imageId"`
				ImageManifest string     `json:"imageManifest"`
			} `json:"images"`
			Failures []ecrFailure `json:"failures"`
		}
		if err := s.call(ctx, "BatchGetImage", q, &res); err != nil {
			return nil, err
		}
		for _, f := range res.Failures {
			if err := failureErr(f); !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
		for _, img := range res.Images {
			out[img.ImageID.ImageDigest] = []byte(img.ImageManifest)
		}
	}
	return out, nil
}

// failureErr turns a per-id failure into an error (ImageNotFound is
// ErrNotFound).
func failureErr(f ecrFailure) error {
	msg := fmt.Sprintf("%s: %s", f.FailureCode, f.FailureReason)
	if f.FailureCode == "ImageNotFound" {
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
	in := struct {
		RegistryID             string `json:"registryId,omitempty"`
		RepositoryName         string `json:"repositoryName"`
		ImageManifest          string `json:"imageManifest"`
		ImageManifestMediaType string `json:"imageManifestMediaType"`
		ImageTag               string `json:"imageTag"`
	}{s.registryID, repo, string(raw), string(mt), tag.TagStr()}
	err = s.call(ctx, "PutImage", in, nil)
	var e *pluginexec.ECRError
	switch {
	case errors.As(err, &e) && e.Code == "ImageAlreadyExistsException":
		return nil // the tag is already on this manifest
	case errors.As(err, &e) && e.Code == "ImageTagAlreadyExistsException":
		return s.immutableErr(ctx, tag, err)
	}
	return err
}

// immutableErr explains a tag ECR will not move.
func (s *ecrStore) immutableErr(ctx context.Context, tag name.Tag, cause error) error {
	setting := "IMMUTABLE"
	in := struct {
		RegistryID      string   `json:"registryId,omitempty"`
		RepositoryNames []string `json:"repositoryNames"`
	}{s.registryID, []string{tag.Context().RepositoryStr()}}
	var out struct {
		Repositories []struct {
			ImageTagMutability                 string `json:"imageTagMutability"`
			ImageTagMutabilityExclusionFilters []struct {
				Filter string `json:"filter"`
			} `json:"imageTagMutabilityExclusionFilters"`
		} `json:"repositories"`
	}
	if err := s.call(ctx, "DescribeRepositories", in, &out); err == nil && len(out.Repositories) == 1 {
		r := out.Repositories[0]
		setting = r.ImageTagMutability
		var fs []string
		for _, f := range r.ImageTagMutabilityExclusionFilters {
			fs = append(fs, f.Filter)
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
// the ids of that chunk and after it are left with a nil result, and
// attempted says how many came before them.
func (s *ecrStore) deleteIDs(ctx context.Context, repo name.Repository, ids []ecrImageID) (results []error, attempted int, err error) {
	defer s.forget(repo.RepositoryStr())
	results = make([]error, len(ids))
	for from := 0; from < len(ids); from += ecrBatch {
		if err := ctx.Err(); err != nil {
			return results, from, err
		}
		chunk := ids[from:min(len(ids), from+ecrBatch)]
		q := s.query(repo.RepositoryStr())
		q.ImageIDs = chunk
		var out struct {
			Failures []ecrFailure `json:"failures"`
		}
		if err := s.call(ctx, "BatchDeleteImage", q, &out); err != nil {
			return results, from, err
		}
		for _, f := range out.Failures {
			for i, id := range chunk {
				if f.ImageID != nil && *f.ImageID == id {
					results[from+i] = failureErr(f)
				}
			}
		}
	}
	return results, len(ids), nil
}

func (s *ecrStore) delete1(ctx context.Context, repo name.Repository, id ecrImageID) error {
	res, _, err := s.deleteIDs(ctx, repo, []ecrImageID{id})
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
	var ids []ecrImageID
	for i := range plan.Deletions {
		if u := &plan.Deletions[i]; u.Status == StatusPlanned {
			units = append(units, u)
			ids = append(ids, ecrImageID{ImageDigest: u.Digest})
		}
	}
	results, attempted, callErr := s.deleteIDs(ctx, repo, ids)
	var errs []error
	var children []ecrImageID
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
				children = append(children, ecrImageID{ImageDigest: ch})
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
				u.Status, u.Error = StatusFailed, fmt.Sprintf("child %s: %v", children[i].ImageDigest, err)
				errs = append(errs, fmt.Errorf("deleting %s@%s: %w", repo.Name(), children[i].ImageDigest, err))
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
