package docker

import (
	"context"
	"errors"
	"fmt"
	cerrdefs "github.com/containerd/errdefs"
	"io"
	"sync/atomic"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// Errors returned by this package; callers use errors.Is.
var (
	// ErrUnreachable means the Engine did not answer (daemon down, wrong
	// DOCKER_HOST, no permission on the socket).
	ErrUnreachable = errors.New("cannot reach the Docker Engine")
	// ErrNotFound means an image or container does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the Engine refused because something uses the
	// object (an image in use by a container).
	ErrConflict = errors.New("in use")
	// ErrAuth means the registry refused the credentials during a push.
	ErrAuth = errors.New("authentication failed")
)

// Engine is the part of the Engine API dockwright calls. *client.Client
// implements it; Counted wraps one to count calls.
type Engine interface {
	ImageList(ctx context.Context, options image.ListOptions) ([]image.Summary, error)
	ContainerList(ctx context.Context, options container.ListOptions) ([]container.Summary, error)
	ImageInspect(ctx context.Context, imageID string, opts ...client.ImageInspectOption) (image.InspectResponse, error)
	ImageRemove(ctx context.Context, imageID string, options image.RemoveOptions) ([]image.DeleteResponse, error)
	ContainerRemove(ctx context.Context, containerID string, options container.RemoveOptions) error
	ImageTag(ctx context.Context, source, target string) error
	ImagePush(ctx context.Context, ref string, options image.PushOptions) (io.ReadCloser, error)
}

// Connect returns an Engine client configured from the environment as the
// docker CLI is, after one ping that negotiates the API version (so no
// later call pings again) and proves the daemon answers.
func Connect(ctx context.Context) (*Counted, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("configuring the Docker client (DOCKER_HOST, DOCKER_CERT_PATH): %w", err)
	}
	c := &Counted{Engine: cli}
	c.Calls.Ping.Add(1)
	ping, err := cli.Ping(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %w (is dockerd running? is DOCKER_HOST right?)", ErrUnreachable, cli.DaemonHost(), err)
	}
	cli.NegotiateAPIVersionPing(ping) // a no-op when DOCKER_API_VERSION pins it
	c.Host = cli.DaemonHost()
	return c, nil
}

// Calls counts Engine API calls by kind.
type Calls struct {
	Ping, ImageList, ContainerList, ImageInspect, ImageRemove, ContainerRemove, ImageTag, ImagePush atomic.Int64
}

// CallCounts is a snapshot of Calls.
type CallCounts struct {
	Ping            int64 `json:"ping"`
	ImageList       int64 `json:"image_list"`
	ContainerList   int64 `json:"container_list"`
	ImageInspect    int64 `json:"image_inspect"`
	ImageRemove     int64 `json:"image_remove"`
	ContainerRemove int64 `json:"container_remove"`
	ImageTag        int64 `json:"image_tag"`
	ImagePush       int64 `json:"image_push"`
}

// Counted is an Engine that counts its calls.
type Counted struct {
	Engine
	Host  string
	Calls Calls
}

// Counts returns the calls made so far.
func (c *Counted) Counts() CallCounts {
	return CallCounts{
		Ping: c.Calls.Ping.Load(), ImageList: c.Calls.ImageList.Load(), ContainerList: c.Calls.ContainerList.Load(),
		ImageInspect: c.Calls.ImageInspect.Load(), ImageRemove: c.Calls.ImageRemove.Load(),
		ContainerRemove: c.Calls.ContainerRemove.Load(), ImageTag: c.Calls.ImageTag.Load(), ImagePush: c.Calls.ImagePush.Load(),
	}
}

// ImageList lists images.
func (c *Counted) ImageList(ctx context.Context, o image.ListOptions) ([]image.Summary, error) {
	c.Calls.ImageList.Add(1)
	l, err := c.Engine.ImageList(ctx, o)
	return l, classify("listing images", err)
}

// ContainerList lists containers.
func (c *Counted) ContainerList(ctx context.Context, o container.ListOptions) ([]container.Summary, error) {
	c.Calls.ContainerList.Add(1)
	l, err := c.Engine.ContainerList(ctx, o)
	return l, classify("listing containers", err)
}

// ImageInspect inspects one image.
func (c *Counted) ImageInspect(ctx context.Context, id string, opts ...client.ImageInspectOption) (image.InspectResponse, error) {
	c.Calls.ImageInspect.Add(1)
	r, err := c.Engine.ImageInspect(ctx, id, opts...)
	return r, classify(fmt.Sprintf("inspecting image %q", id), err)
}

// ImageRemove removes an image reference.
func (c *Counted) ImageRemove(ctx context.Context, id string, o image.RemoveOptions) ([]image.DeleteResponse, error) {
	c.Calls.ImageRemove.Add(1)
	r, err := c.Engine.ImageRemove(ctx, id, o)
	return r, classify(fmt.Sprintf("removing image %q", id), err)
}

// ContainerRemove removes a container.
func (c *Counted) ContainerRemove(ctx context.Context, id string, o container.RemoveOptions) error {
	c.Calls.ContainerRemove.Add(1)
	return classify(fmt.Sprintf("removing container %q", id), c.Engine.ContainerRemove(ctx, id, o))
}

// ImageTag tags an image.
func (c *Counted) ImageTag(ctx context.Context, src, dst string) error {
	c.Calls.ImageTag.Add(1)
	return classify(fmt.Sprintf("tagging %q as %q", src, dst), c.Engine.ImageTag(ctx, src, dst))
}

// ImagePush starts a push.
func (c *Counted) ImagePush(ctx context.Context, ref string, o image.PushOptions) (io.ReadCloser, error) {
	c.Calls.ImagePush.Add(1)
	r, err := c.Engine.ImagePush(ctx, ref, o)
	return r, classify(fmt.Sprintf("pushing %q", ref), err)
}

// classify wraps Engine errors with this package's sentinels.
func classify(doing string, err error) error {
	switch {
	case err == nil:
		return nil
	case client.IsErrConnectionFailed(err):
		return fmt.Errorf("%s: %w: %w", doing, ErrUnreachable, err)
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("%s: %w: %w", doing, ErrNotFound, err)
	case cerrdefs.IsConflict(err):
		return fmt.Errorf("%s: %w: %w", doing, ErrConflict, err)
	case cerrdefs.IsUnauthorized(err), cerrdefs.IsPermissionDenied(err):
		return fmt.Errorf("%s: %w: %w", doing, ErrAuth, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
