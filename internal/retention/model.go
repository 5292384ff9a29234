package retention

import (
	"strings"
	"time"
)

// Image is one local image, as the Engine's image list reports it.
type Image struct {
	ID string `json:"id"`
	// Tags are "REPOSITORY:TAG" references.
	Tags []string `json:"tags,omitempty"`
	// Digests are "REPOSITORY@sha256:..." references (pulled by digest).
	Digests []string  `json:"digests,omitempty"`
	Created time.Time `json:"created"`
	Size    int64     `json:"size"`
	// Tagged is when the image was last pulled or tagged here (from an
	// inspect, only for removal candidates when --min-age is set).
	Tagged time.Time `json:"tagged,omitempty"`
}

// Container is one container, running or not.
type Container struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	ImageID string `json:"image_id"`
	Image   string `json:"image"`
	State   string `json:"state"`
}

// Running reports whether the container runs (or is paused or restarting:
// it would run again).
func (c Container) Running() bool {
	switch c.State {
	case "running", "paused", "restarting":
		return true
	}
	return false
}

// Stopped reports whether the container has stopped (exited or dead); a
// container only "created" is a deploy in progress and counts as in use.
func (c Container) Stopped() bool { return c.State == "exited" || c.State == "dead" }

// splitRef splits "host:5000/team/web:142" into repository and tag.
func splitRef(ref string) (repo, tag string, ok bool) {
	i := strings.LastIndexByte(ref, ':')
	if i < 0 || strings.Contains(ref[i+1:], "/") {
		return "", "", false
	}
	repo, tag = ref[:i], ref[i+1:]
	if repo == "<none>" || tag == "<none>" {
		return "", "", false
	}
	return repo, tag, true
}

// digestRepo is the repository of "REPOSITORY@sha256:...".
func digestRepo(ref string) string {
	if i := strings.IndexByte(ref, '@'); i > 0 {
		return ref[:i]
	}
	return ""
}

// lastElem is the last path element of a repository: "web" of
// "registry.internal:5000/team/web".
func lastElem(repo string) string {
	return repo[strings.LastIndexByte(repo, '/')+1:]
}
