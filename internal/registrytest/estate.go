package registrytest

import (
	"context"
	"fmt"
	"hash/crc32"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// Estate describes a registry full of builds, the shape Jenkins leaves:
// Repos repositories svc-00..., each with builds 1..Builds, env tags on
// recent builds (dev on the newest, staging on newest-2, prod on
// newest-5, latest on the newest), and one git-<sha> tag sharing each
// build's digest when GitTags.
type Estate struct {
	Repos, Builds int
	GitTags       bool
	// Prefix is the repository path prefix ("svc" gives svc-00, svc-01...).
	Prefix string
}

// RepoNames lists the estate's repositories.
func (e Estate) RepoNames() []string {
	out := make([]string, e.Repos)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%02d", e.prefix(), i)
	}
	return out
}

func (e Estate) prefix() string {
	if e.Prefix == "" {
		return "svc"
	}
	return e.Prefix
}

// TagCount is how many tags Seed creates.
func (e Estate) TagCount() int {
	n := e.Builds + 4
	if e.GitTags {
		n += e.Builds
	}
	return e.Repos * n
}

// Seed pushes the estate to host. Every build is its own manifest over one
// shared small layer, so seeding thousands of builds is quick; concurrency
// bounds the requests in flight.
func (e Estate) Seed(ctx context.Context, host string, concurrency int) error {
	layer, err := random.Layer(512, "application/vnd.docker.image.rootfs.diff.tar.gzip")
	if err != nil {
		return err
	}
	base, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(concurrency, 1))
	for _, repo := range e.RepoNames() {
		r, err := name.NewRepository(host+"/"+repo, name.Insecure)
		if err != nil {
			return err
		}
		// The shared layer and config-less base go up once per repository.
		first, err := buildImage(base, repo, 1)
		if err != nil {
			return err
		}
		if err := remote.Write(r.Tag("1"), first, remote.WithContext(ctx)); err != nil {
			return fmt.Errorf("seeding %s: %w", r, err)
		}
		for b := 1; b <= e.Builds; b++ {
			g.Go(func() error {
				img, err := buildImage(base, repo, b)
				if err != nil {
					return err
				}
				tags := e.Tags(repo, b)
				for _, t := range tags {
					if err := remote.Write(r.Tag(t), img, remote.WithContext(ctx)); err != nil {
						return fmt.Errorf("seeding %s:%s: %w", r, t, err)
					}
				}
				return nil
			})
		}
	}
	return g.Wait()
}

// Tags are the tags of build b of repo: its number, its git-<sha7> tag
// (with GitTags; derived from repo and b, so every build's differs), and
// the environment tags it carries.
func (e Estate) Tags(repo string, b int) []string {
	tags := []string{fmt.Sprint(b)}
	if e.GitTags {
		tags = append(tags, fmt.Sprintf("git-%07x", crc32.ChecksumIEEE([]byte(fmt.Sprintf("%s/%d", repo, b)))&0xfffffff))
	}
	switch e.Builds - b {
	case 0:
		tags = append(tags, "dev", "latest")
	case 2:
		tags = append(tags, "staging")
	case 5:
		tags = append(tags, "prod")
	}
	return tags
}

// buildImage makes build b of repo a distinct image (its config differs).
func buildImage(base v1.Image, repo string, b int) (v1.Image, error) {
	cf, err := base.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Config.Labels = map[string]string{"build": fmt.Sprint(b), "service": repo}
	return mutate.ConfigFile(base, cf)
}

// PushBig pushes one image with a single random layer of size bytes to
// host/repo as build "1".
func PushBig(ctx context.Context, host, repo string, size int64) error {
	img, err := random.Image(size, 1)
	if err != nil {
		return err
	}
	r, err := name.NewTag(host+"/"+repo+":1", name.Insecure)
	if err != nil {
		return err
	}
	return remote.Write(r, img, remote.WithContext(ctx))
}
