package registrytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Ref parses host/repo:tag (or @digest) for a test.
func Ref(t testing.TB, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Image is a small random single-layer image (no Docker involved).
func Image(t testing.TB) v1.Image {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// Index is a small random multi-arch index of n images.
func Index(t testing.TB, n int) v1.ImageIndex {
	t.Helper()
	idx, err := random.Index(256, 1, int64(n))
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// Push writes img (a v1.Image or v1.ImageIndex) to host/repo under every
// tag, and returns its digest.
func Push(t testing.TB, host, repo string, img remote.Taggable, tags ...string) string {
	t.Helper()
	for i, tag := range tags {
		ref := Ref(t, host+"/"+repo+":"+tag)
		auth := remote.WithAuthFromKeychain(authn.DefaultKeychain)
		var err error
		switch x := img.(type) {
		case v1.ImageIndex:
			if i == 0 {
				err = remote.WriteIndex(ref, x, auth)
			} else {
				err = remote.Put(ref, x, auth)
			}
		case v1.Image:
			if i == 0 {
				err = remote.Write(ref, x, auth)
			} else {
				err = remote.Put(ref, x, auth)
			}
		default:
			err = remote.Put(ref, x, auth)
		}
		if err != nil {
			t.Fatalf("pushing %s: %v", ref, err)
		}
	}
	d, err := img.(interface{ Digest() (v1.Hash, error) }).Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// Tags is the registry's own tag list of repo (raw API, every page),
// sorted; a repository it does not know has none.
func Tags(t testing.TB, host, repo string) []string {
	t.Helper()
	var all []string
	next := "/v2/" + repo + "/tags/list?n=1000"
	for next != "" {
		resp, err := http.Get("http://" + host + next)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusNotFound {
			resp.Body.Close()
			return nil
		}
		var body struct {
			Tags []string `json:"tags"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("tag list of %s: %d %v", repo, resp.StatusCode, err)
		}
		all = append(all, body.Tags...)
		next = ""
		if l := resp.Header.Get("Link"); l != "" {
			next = strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(l, ";", 2)[0], "<"), ">")
		}
	}
	slices.Sort(all)
	return all
}

// ManifestExists asks the registry (raw API, every manifest type) whether
// repo has a manifest with digest d.
func ManifestExists(t testing.TB, host, repo, d string) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodHead, fmt.Sprintf("http://%s/v2/%s/manifests/%s", host, repo, d), nil)
	req.Header.Set("Accept", strings.Join([]string{
		"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
		"application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
	}, ", "))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Service seeds repo with builds 1..n, each its own image, shaped to catch
// mistakes: prod shares build 3's digest, "feature-x" shares build 2's,
// build 4 is a two-platform index, staging points at build n. It returns
// each tag's digest.
func Service(t testing.TB, host, repo string, n int) map[string]string {
	t.Helper()
	digests := map[string]string{}
	for b := 1; b <= n; b++ {
		tag := fmt.Sprint(b)
		var tags []string
		var img remote.Taggable = Image(t)
		switch b {
		case 2:
			tags = []string{"feature-x"}
		case 3:
			tags = []string{"prod"}
		case 4:
			img = Index(t, 2)
		}
		if b == n {
			tags = append(tags, "staging")
		}
		digests[tag] = Push(t, host, repo, img, append([]string{tag}, tags...)...)
		for _, x := range tags {
			digests[x] = digests[tag]
		}
	}
	return digests
}

// Pull reads ref completely, as a deploy would: the manifest, every child
// of an index, every layer and config blob. It returns the first error.
func Pull(host, ref string) error {
	r, err := name.ParseReference(host+"/"+ref, name.Insecure)
	if err != nil {
		return err
	}
	d, err := remote.Get(r)
	if err != nil {
		return err
	}
	if d.MediaType.IsIndex() {
		idx, err := d.ImageIndex()
		if err != nil {
			return err
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return err
		}
		for _, ch := range m.Manifests {
			if err := Pull(host, r.Context().RepositoryStr()+"@"+ch.Digest.String()); err != nil {
				return fmt.Errorf("child %s: %w", ch.Digest, err)
			}
		}
		return nil
	}
	img, err := d.Image()
	if err != nil {
		return err
	}
	if _, err := img.RawConfigFile(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("layer: %w", err)
		}
	}
	return nil
}
