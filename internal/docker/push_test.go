package docker

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dockwright/dockwright/internal/dockertest"
	rt "github.com/dockwright/dockwright/internal/registrytest"
)

func anonymous(context.Context, string) (string, error) { return "", nil }

// The digest Push reports is the one the registry serves, for every tag.
func TestPushReportsRegistryDigest(t *testing.T) {
	e := dockertest.New(t)
	reg := rt.Start(t, rt.V3)
	src := e.Image("p1", e.Repo("src")+":1")
	ctx := context.Background()
	eng, err := Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	repo := reg.Host + "/" + e.Prefix + "/web"
	refs, err := Tag(ctx, eng, src, []string{repo + ":12", repo + ":git-1234567"})
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	if err := Push(ctx, eng, refs, anonymous, &progress); err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	for _, r := range refs {
		ref, err := name.ParseReference(r.Reference, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		d, err := remote.Head(ref)
		if err != nil {
			t.Fatal(err)
		}
		if d.Digest.String() != r.Digest || r.Pinned != repo+"@"+r.Digest {
			t.Errorf("%s: reported %s (%s), registry has %s", r.Reference, r.Digest, r.Pinned, d.Digest)
		}
	}
	if progress.Len() == 0 {
		t.Error("no progress written")
	}
	if c := eng.Counts(); c.ImageTag != 2 || c.ImagePush != 2 {
		t.Errorf("engine calls %+v", c)
	}
}

func TestTagMissingImage(t *testing.T) {
	e := dockertest.New(t)
	eng, err := Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Tag(context.Background(), eng, e.Repo("missing")+":1", []string{"example.com/x:1"})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error = %v, want ErrNotFound", err)
	}
}

func TestConnectUnreachable(t *testing.T) {
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
	_, err := Connect(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("error = %v, want ErrUnreachable", err)
	}
}
