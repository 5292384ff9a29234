// Package ecrfake is an Amazon ECR API endpoint for tests. It speaks the
// operations dockwright uses in ECR's real awsJson1.1 protocol
// (X-Amz-Target AmazonEC2ContainerRegistry_V20150921.*), checks each request
// is SigV4-signed for the ecr service, and keeps the service's rules where
// they matter to a client: pages of at most 1,000, at most 100 image ids per
// BatchGetImage and BatchDeleteImage call with per-id failures, PutImage's
// ImageAlreadyExistsException for a tag already on the same manifest, tag
// immutability with its exclusion filters, a manifest's media type taken
// from imageManifestMediaType or the manifest itself, acceptedMediaTypes,
// and an index's children that cannot be deleted while it stands. The real
// aws-sdk-go-v2 client reaches it through AWS_ENDPOINT_URL_ECR.
package ecrfake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Account is the registry id the server answers for.
const Account = "123456789012"

// Password is what GetAuthorizationToken hands out, as user "AWS".
const Password = "ecr-fake-password"

// Mutability settings of a repository, as ECR names them.
const (
	Mutable                = "MUTABLE"
	Immutable              = "IMMUTABLE"
	ImmutableWithExclusion = "IMMUTABLE_WITH_EXCLUSION"
	MutableWithExclusion   = "MUTABLE_WITH_EXCLUSION"
)

// Image is one manifest in a repository.
type Image struct {
	Digest    string
	Manifest  []byte
	MediaType string
	Tags      []string
	PushedAt  time.Time
	Size      int64
	// Children are the digests an index references.
	Children []string
}

type repo struct {
	name       string
	mutability string
	exclusions []string // WILDCARD filters
	images     map[string]*Image
	tags       map[string]string // tag -> digest
	created    time.Time
}

// Server is the endpoint. Its methods are safe for concurrent use.
type Server struct {
	URL string

	srv *httptest.Server
	mu  sync.Mutex
	rs  map[string]*repo
	now func() time.Time

	calls map[string]int
	fail  map[string][]int // operation -> HTTP statuses to answer next
	// before runs (unlocked) before each operation is served.
	before   func(op string)
	tokenTTL time.Duration     // how long an authorization token lives
	failIDs  map[string]string // digest -> per-id failure code of BatchDeleteImage
	deny     bool              // answer AccessDeniedException to everything
}

// Deny makes every call answer AccessDeniedException (credentials without
// the IAM permissions), or stops doing so.
func (s *Server) Deny(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = deny
}

// SetTokenTTL sets how long the authorization tokens handed out from now
// on live (12 hours, as ECR's, by default).
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// Start serves an empty registry on 127.0.0.1 until Close.
func Start() *Server {
	s := &Server{rs: map[string]*repo{}, calls: map[string]int{}, fail: map[string][]int{}, now: time.Now, tokenTTL: 12 * time.Hour}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Env is the environment the SDK needs to reach the server with static
// test credentials and nothing read from the machine.
func (s *Server) Env() []string {
	return []string{"AWS_ENDPOINT_URL_ECR=" + s.URL, "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=x",
		"AWS_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
}

// CreateRepository adds an empty repository with the given tag mutability
// (Mutable when empty) and exclusion filters.
func (s *Server) CreateRepository(name, mutability string, exclusions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mutability == "" {
		mutability = Mutable
	}
	s.rs[name] = &repo{name: name, mutability: mutability, exclusions: exclusions, images: map[string]*Image{}, tags: map[string]string{}, created: s.now()}
}

// Push stores manifest under tag (creating the repository), as a push
// would, and returns its digest. mediaType is the manifest's.
func (s *Server) Push(repoName, tag string, manifest []byte, mediaType string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rs[repoName]
	if r == nil {
		r = &repo{name: repoName, mutability: Mutable, images: map[string]*Image{}, tags: map[string]string{}, created: at}
		s.rs[repoName] = r
	}
	d := digestOf(manifest)
	img := r.images[d]
	if img == nil {
		img = &Image{Digest: d, Manifest: manifest, MediaType: mediaType, PushedAt: at, Size: int64(len(manifest)) * 1000, Children: childrenOf(manifest)}
		r.images[d] = img
	}
	if tag != "" {
		r.moveTag(tag, d)
	}
	return d
}

// Images returns a copy of the repository's images, by digest.
func (s *Server) Images(repoName string) map[string]Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Image{}
	if r := s.rs[repoName]; r != nil {
		for d, img := range r.images {
			c := *img
			c.Tags = slices.Clone(img.Tags)
			slices.Sort(c.Tags)
			out[d] = c
		}
	}
	return out
}

// Tags maps the repository's tags to their digests.
func (s *Server) Tags(repoName string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	if r := s.rs[repoName]; r != nil {
		for t, d := range r.tags {
			out[t] = d
		}
	}
	return out
}

// Calls returns how many times each operation was called.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Fail makes the next calls of op answer the given HTTP statuses (500,
// 503: the SDK retries those) before serving it again.
func (s *Server) Fail(op string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[op] = append(s.fail[op], statuses...)
}

// Before sets a function run before each operation is served (it may call
// Push, to move a tag while a client works).
func (s *Server) Before(f func(op string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = f
}

const target = "AmazonEC2ContainerRegistry_V20150921."

type apiError struct {
	status int
	typ    string
	msg    string
}

func errf(typ, format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, typ, fmt.Sprintf(format, args...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), target)
	auth := r.Header.Get("Authorization")
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if !ok || r.Method != http.MethodPost {
		writeErr(w, errf("UnknownOperationException", "unknown operation %q", r.Header.Get("X-Amz-Target")))
		return
	}
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256") || !strings.Contains(auth, "/ecr/aws4_request") {
		writeErr(w, &apiError{http.StatusForbidden, "MissingAuthenticationTokenException", "request not signed for ecr"})
		return
	}
	s.mu.Lock()
	s.calls[op]++
	before := s.before
	if s.deny {
		s.mu.Unlock()
		writeErr(w, errf("AccessDeniedException", "User: arn:aws:iam::%s:user/test is not authorized to perform: ecr:%s", Account, op))
		return
	}
	if st := s.fail[op]; len(st) > 0 {
		s.fail[op] = st[1:]
		s.mu.Unlock()
		writeErr(w, &apiError{st[0], "ServerException", "injected failure"})
		return
	}
	s.mu.Unlock()
	if before != nil {
		before(op)
	}
	var in request
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeErr(w, errf("SerializationException", "%v", err))
		return
	}
	s.mu.Lock()
	out, aerr := s.handle(op, &in)
	s.mu.Unlock()
	if aerr != nil {
		writeErr(w, aerr)
		return
	}
	json.NewEncoder(w).Encode(out)
}

func writeErr(w http.ResponseWriter, e *apiError) {
	w.Header().Set("X-Amzn-ErrorType", e.typ)
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"__type": e.typ, "message": e.msg})
}

type imageID struct {
	ImageDigest string `json:"imageDigest,omitempty"`
	ImageTag    string `json:"imageTag,omitempty"`
}

type request struct {
	RegistryID         string    `json:"registryId"`
	RepositoryName     string    `json:"repositoryName"`
	RepositoryNames    []string  `json:"repositoryNames"`
	NextToken          string    `json:"nextToken"`
	MaxResults         int       `json:"maxResults"`
	ImageIDs           []imageID `json:"imageIds"`
	AcceptedMediaTypes []string  `json:"acceptedMediaTypes"`
	ImageManifest      string    `json:"imageManifest"`
	MediaType          string    `json:"imageManifestMediaType"`
	ImageTag           string    `json:"imageTag"`
	ImageDigest        string    `json:"imageDigest"`
	Filter             *struct {
		TagStatus string `json:"tagStatus"`
	} `json:"filter"`
}

func (s *Server) handle(op string, in *request) (any, *apiError) {
	if in.RegistryID != "" && in.RegistryID != Account {
		return nil, errf("RepositoryNotFoundException", "registry %s: not this account's (%s)", in.RegistryID, Account)
	}
	if op == "DescribeRepositories" {
		return s.describeRepositories(in)
	}
	if op == "GetAuthorizationToken" {
		tok := base64.StdEncoding.EncodeToString([]byte("AWS:" + Password))
		return map[string]any{"authorizationData": []map[string]any{{
			"authorizationToken": tok, "expiresAt": epoch(s.now().Add(s.tokenTTL)), "proxyEndpoint": "https://" + Account + ".dkr.ecr.us-east-1.amazonaws.com",
		}}}, nil
	}
	r := s.rs[in.RepositoryName]
	if r == nil {
		return nil, errf("RepositoryNotFoundException", "The repository with name '%s' does not exist in the registry with id '%s'", in.RepositoryName, Account)
	}
	switch op {
	case "DescribeImages":
		return s.describeImages(r, in)
	case "ListImages":
		return s.listImages(r, in)
	case "BatchGetImage":
		return s.batchGetImage(r, in)
	case "PutImage":
		return s.putImage(r, in)
	case "BatchDeleteImage":
		return s.batchDeleteImage(r, in)
	}
	return nil, errf("UnknownOperationException", "operation %s is not served by ecrfake", op)
}

// page cuts n items at the request's token (an offset) and says the next.
func page(in *request, n int) (from, to int, next string, err *apiError) {
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 1000 {
		return 0, 0, "", errf("InvalidParameterException", "maxResults %d: want 1 to 1000", limit)
	}
	if in.NextToken != "" {
		f, e := strconv.Atoi(in.NextToken)
		if e != nil || f < 0 || f > n {
			return 0, 0, "", errf("InvalidParameterException", "invalid nextToken")
		}
		from = f
	}
	to = min(n, from+limit)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, nil
}

func (s *Server) describeRepositories(in *request) (any, *apiError) {
	var names []string
	if len(in.RepositoryNames) > 0 {
		for _, n := range in.RepositoryNames {
			if s.rs[n] == nil {
				return nil, errf("RepositoryNotFoundException", "The repository with name '%s' does not exist in the registry with id '%s'", n, Account)
			}
			names = append(names, n)
		}
	} else {
		for n := range s.rs {
			names = append(names, n)
		}
		slices.Sort(names)
	}
	from, to, next, err := page(in, len(names))
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, n := range names[from:to] {
		r := s.rs[n]
		repo := map[string]any{
			"repositoryName": n, "registryId": Account,
			"repositoryArn":      "arn:aws:ecr:us-east-1:" + Account + ":repository/" + n,
			"repositoryUri":      Account + ".dkr.ecr.us-east-1.amazonaws.com/" + n,
			"imageTagMutability": r.mutability, "createdAt": epoch(r.created),
		}
		if len(r.exclusions) > 0 {
			var fs []map[string]string
			for _, f := range r.exclusions {
				fs = append(fs, map[string]string{"filterType": "WILDCARD", "filter": f})
			}
			repo["imageTagMutabilityExclusionFilters"] = fs
		}
		out = append(out, repo)
	}
	return map[string]any{"repositories": out, "nextToken": nullable(next)}, nil
}

func (r *repo) sortedImages() []*Image {
	imgs := make([]*Image, 0, len(r.images))
	for _, img := range r.images {
		imgs = append(imgs, img)
	}
	slices.SortFunc(imgs, func(a, b *Image) int { return strings.Compare(a.Digest, b.Digest) })
	return imgs
}

// find resolves an image id; a tag given with a digest must match it.
func (r *repo) find(id imageID) (*Image, string) {
	switch {
	case id.ImageTag != "":
		d, ok := r.tags[id.ImageTag]
		if !ok {
			return nil, "ImageNotFound"
		}
		if id.ImageDigest != "" && id.ImageDigest != d {
			return nil, "ImageTagDoesNotMatchDigest"
		}
		return r.images[d], ""
	case id.ImageDigest != "":
		if img := r.images[id.ImageDigest]; img != nil {
			return img, ""
		}
		return nil, "ImageNotFound"
	}
	return nil, "MissingDigestAndTag"
}

func detail(r *repo, img *Image) map[string]any {
	d := map[string]any{
		"registryId": Account, "repositoryName": r.name, "imageDigest": img.Digest,
		"imageSizeInBytes": img.Size, "imagePushedAt": epoch(img.PushedAt),
		"imageManifestMediaType": img.MediaType,
	}
	if len(img.Tags) > 0 {
		tags := slices.Clone(img.Tags)
		slices.Sort(tags)
		d["imageTags"] = tags
	}
	return d
}

func (s *Server) describeImages(r *repo, in *request) (any, *apiError) {
	var imgs []*Image
	if len(in.ImageIDs) > 0 {
		if len(in.ImageIDs) > 100 {
			return nil, errf("InvalidParameterException", "imageIds: at most 100")
		}
		for _, id := range in.ImageIDs {
			img, code := r.find(id)
			if code != "" {
				return nil, errf("ImageNotFoundException", "The image with imageId {imageDigest:'%s', imageTag:'%s'} does not exist within the repository with name '%s'", id.ImageDigest, id.ImageTag, r.name)
			}
			imgs = append(imgs, img)
		}
	} else {
		for _, img := range r.sortedImages() {
			if in.Filter != nil && (in.Filter.TagStatus == "TAGGED") != (len(img.Tags) > 0) && in.Filter.TagStatus != "ANY" {
				continue
			}
			imgs = append(imgs, img)
		}
	}
	from, to, next, err := page(in, len(imgs))
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, img := range imgs[from:to] {
		out = append(out, detail(r, img))
	}
	return map[string]any{"imageDetails": out, "nextToken": nullable(next)}, nil
}

func (s *Server) listImages(r *repo, in *request) (any, *apiError) {
	var ids []imageID
	for _, img := range r.sortedImages() {
		if len(img.Tags) == 0 {
			ids = append(ids, imageID{ImageDigest: img.Digest})
		}
		tags := slices.Clone(img.Tags)
		slices.Sort(tags)
		for _, t := range tags {
			ids = append(ids, imageID{ImageDigest: img.Digest, ImageTag: t})
		}
	}
	from, to, next, err := page(in, len(ids))
	if err != nil {
		return nil, err
	}
	return map[string]any{"imageIds": append([]imageID{}, ids[from:to]...), "nextToken": nullable(next)}, nil
}

func failure(id imageID, code, reason string) map[string]any {
	return map[string]any{"imageId": id, "failureCode": code, "failureReason": reason}
}

func (s *Server) batchGetImage(r *repo, in *request) (any, *apiError) {
	if len(in.ImageIDs) < 1 || len(in.ImageIDs) > 100 {
		return nil, errf("InvalidParameterException", "imageIds: want 1 to 100, got %d", len(in.ImageIDs))
	}
	images, failures := []map[string]any{}, []map[string]any{}
	for _, id := range in.ImageIDs {
		img, code := r.find(id)
		if code != "" {
			failures = append(failures, failure(id, code, "Requested image not found"))
			continue
		}
		if len(in.AcceptedMediaTypes) > 0 && !slices.Contains(in.AcceptedMediaTypes, img.MediaType) {
			failures = append(failures, failure(id, "UnsupportedImageType", "manifest media type "+img.MediaType+" is not accepted"))
			continue
		}
		images = append(images, map[string]any{
			"registryId": Account, "repositoryName": r.name,
			"imageId":                imageID{ImageDigest: img.Digest, ImageTag: id.ImageTag},
			"imageManifest":          string(img.Manifest),
			"imageManifestMediaType": img.MediaType,
		})
	}
	return map[string]any{"images": images, "failures": failures}, nil
}

// immutable says whether tag may not move in r.
func (r *repo) immutable(tag string) bool {
	excluded := false
	for _, f := range r.exclusions {
		if ok, _ := path.Match(f, tag); ok {
			excluded = true
		}
	}
	switch r.mutability {
	case Immutable:
		return true
	case ImmutableWithExclusion:
		return !excluded
	case MutableWithExclusion:
		return excluded
	}
	return false
}

func (r *repo) moveTag(tag, digest string) {
	if old, ok := r.tags[tag]; ok {
		if img := r.images[old]; img != nil {
			img.Tags = slices.DeleteFunc(img.Tags, func(t string) bool { return t == tag })
		}
	}
	r.tags[tag] = digest
	img := r.images[digest]
	img.Tags = append(img.Tags, tag)
}

func (s *Server) putImage(r *repo, in *request) (any, *apiError) {
	manifest := []byte(in.ImageManifest)
	var m struct {
		MediaType string `json:"mediaType"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, errf("InvalidParameterException", "imageManifest: not JSON: %v", err)
	}
	mt := in.MediaType
	if mt == "" {
		mt = m.MediaType
	}
	if mt == "" {
		return nil, errf("InvalidParameterException", "the manifest has no mediaType: set imageManifestMediaType")
	}
	if m.MediaType != "" && m.MediaType != mt {
		return nil, errf("InvalidParameterException", "imageManifestMediaType %s does not match the manifest's %s", mt, m.MediaType)
	}
	d := digestOf(manifest)
	if in.ImageDigest != "" && in.ImageDigest != d {
		return nil, errf("ImageDigestDoesNotMatchException", "digest %s does not match the manifest's %s", in.ImageDigest, d)
	}
	if in.ImageTag != "" {
		if cur, ok := r.tags[in.ImageTag]; ok {
			if cur == d {
				return nil, errf("ImageAlreadyExistsException", "Image with digest '%s' and tag '%s' already exists in the repository with name '%s' in registry with id '%s'", d, in.ImageTag, r.name, Account)
			}
			if r.immutable(in.ImageTag) {
				return nil, errf("ImageTagAlreadyExistsException", "The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the tag is immutable.", in.ImageTag, r.name)
			}
		}
	}
	for _, ch := range childrenOf(manifest) {
		if r.images[ch] == nil {
			return nil, errf("ReferencedImagesNotFoundException", "manifest %s of the index is not in the repository", ch)
		}
	}
	img := r.images[d]
	if img == nil {
		img = &Image{Digest: d, Manifest: manifest, MediaType: mt, PushedAt: s.now(), Size: int64(len(manifest)) * 1000, Children: childrenOf(manifest)}
		r.images[d] = img
	}
	if in.ImageTag != "" {
		r.moveTag(in.ImageTag, d)
	}
	return map[string]any{"image": map[string]any{
		"registryId": Account, "repositoryName": r.name, "imageId": imageID{ImageDigest: d, ImageTag: in.ImageTag},
		"imageManifest": string(manifest), "imageManifestMediaType": mt,
	}}, nil
}

func (s *Server) batchDeleteImage(r *repo, in *request) (any, *apiError) {
	if len(in.ImageIDs) < 1 || len(in.ImageIDs) > 100 {
		return nil, errf("InvalidParameterException", "imageIds: want 1 to 100, got %d", len(in.ImageIDs))
	}
	deleted, failures := []imageID{}, []map[string]any{}
	for _, id := range in.ImageIDs {
		img, code := r.find(id)
		if code != "" {
			failures = append(failures, failure(id, code, "Requested image not found"))
			continue
		}
		if code := s.failIDs[img.Digest]; code != "" {
			failures = append(failures, failure(id, code, "injected failure"))
			continue
		}
		if id.ImageDigest == "" && len(img.Tags) > 1 {
			// A tag among others: only the tag goes.
			img.Tags = slices.DeleteFunc(img.Tags, func(t string) bool { return t == id.ImageTag })
			delete(r.tags, id.ImageTag)
			deleted = append(deleted, imageID{ImageDigest: img.Digest, ImageTag: id.ImageTag})
			continue
		}
		if parent := r.referencedBy(img.Digest); parent != "" {
			failures = append(failures, failure(id, "ImageReferencedByManifestList", "image is referenced by the manifest list "+parent))
			continue
		}
		for _, t := range img.Tags {
			delete(r.tags, t)
			deleted = append(deleted, imageID{ImageDigest: img.Digest, ImageTag: t})
		}
		if len(img.Tags) == 0 {
			deleted = append(deleted, imageID{ImageDigest: img.Digest})
		}
		delete(r.images, img.Digest)
	}
	return map[string]any{"imageIds": deleted, "failures": failures}, nil
}

func (r *repo) referencedBy(digest string) string {
	for _, img := range r.sortedImages() {
		if slices.Contains(img.Children, digest) {
			return img.Digest
		}
	}
	return ""
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// childrenOf lists the manifests an index references.
func childrenOf(manifest []byte) []string {
	var idx struct {
		Manifests []struct {
			Digest string `json:"digest"`
		} `json:"manifests"`
	}
	if json.Unmarshal(manifest, &idx) != nil {
		return nil
	}
	var out []string
	for _, m := range idx.Manifests {
		out = append(out, m.Digest)
	}
	return out
}

// epoch is a timestamp as awsJson1.1 sends it: seconds since 1970.
func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Manifest is a distinct single-image manifest for build n, of the given
// media type (Docker v2 or OCI); with omitMediaType the OCI manifest has no
// mediaType field, as OCI allows.
func Manifest(n int, mediaType string, omitMediaType bool) []byte {
	cfg := fmt.Sprintf("sha256:%064x", n)
	layer := fmt.Sprintf("sha256:%064x", n+1<<32)
	cfgType, layerType := "application/vnd.docker.container.image.v1+json", "application/vnd.docker.image.rootfs.diff.tar.gzip"
	if strings.Contains(mediaType, "oci") {
		cfgType, layerType = "application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+gzip"
	}
	mt := fmt.Sprintf(`"mediaType":%q,`, mediaType)
	if omitMediaType {
		mt = ""
	}
	return []byte(fmt.Sprintf(`{"schemaVersion":2,%s"config":{"mediaType":%q,"size":100,"digest":%q},"layers":[{"mediaType":%q,"size":1000,"digest":%q}]}`,
		mt, cfgType, cfg, layerType, layer))
}

// Index is an OCI image index of the given manifests (digests), one per
// platform.
func Index(children ...string) []byte {
	var ms []string
	arch := []string{"amd64", "arm64", "arm", "s390x"}
	for i, d := range children {
		ms = append(ms, fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":300,"digest":%q,"platform":{"architecture":%q,"os":"linux"}}`, d, arch[i%len(arch)]))
	}
	return []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[` + strings.Join(ms, ",") + `]}`)
}

// DigestOf is the digest ECR gives manifest.
func DigestOf(manifest []byte) string { return digestOf(manifest) }

// FailDelete makes BatchDeleteImage report digest as a per-id failure with
// code (until Close).
func (s *Server) FailDelete(digest, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failIDs == nil {
		s.failIDs = map[string]string{}
	}
	s.failIDs[digest] = code
}

// Service seeds repo the way registrytest.Service seeds a Distribution
// registry: builds 1..n tagged with their number and git-<sha7>, build 2
// also feature-x, 3 prod, 4 an OCI index of two manifests, n staging;
// build b pushed b hours after at. It returns each tag's digest.
func (s *Server) Service(repoName string, n int, at time.Time) map[string]string {
	docker, oci := "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json"
	out := map[string]string{}
	for b := 1; b <= n; b++ {
		when := at.Add(time.Duration(b) * time.Hour)
		m, mt := Manifest(b, docker, false), docker
		if b == 4 {
			c1 := s.Push(repoName, "", Manifest(10000+b, oci, false), oci, when)
			c2 := s.Push(repoName, "", Manifest(20000+b, oci, false), oci, when)
			m, mt = Index(c1, c2), "application/vnd.oci.image.index.v1+json"
		}
		tags := []string{fmt.Sprint(b), fmt.Sprintf("git-%07x", 0xabc0000+b)}
		switch b {
		case 2:
			tags = append(tags, "feature-x")
		case 3:
			tags = append(tags, "prod")
		}
		if b == n {
			tags = append(tags, "staging")
		}
		for _, t := range tags {
			out[t] = s.Push(repoName, t, m, mt, when)
		}
	}
	return out
}
