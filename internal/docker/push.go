package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"
	"golang.org/x/term"
)

// Reference is one reference image-tagger applied or pushed.
type Reference struct {
	Reference string `json:"reference"`
	// Digest and Pinned (REPOSITORY@DIGEST, what a deploy should use) are
	// set once pushed.
	Digest string `json:"digest,omitempty"`
	Pinned string `json:"pinned,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

// Tag points every ref at the local image source (an ID or a reference).
// A missing source is ErrNotFound.
func Tag(ctx context.Context, e Engine, source string, refs []string) ([]Reference, error) {
	out := make([]Reference, 0, len(refs))
	for _, r := range refs {
		if err := e.ImageTag(ctx, source, r); err != nil {
			return out, err
		}
		out = append(out, Reference{Reference: r})
	}
	return out, nil
}

// AuthFunc returns the X-Registry-Auth header value for a registry host
// ("" for anonymous).
type AuthFunc func(ctx context.Context, registryHost string) (string, error)

// Push pushes each reference through the Engine, in order (layers go up
// with the first; the others only add a manifest), streaming the Engine's
// progress to progress: bars on a terminal, plain lines otherwise. It
// fills in each reference's digest from the Engine's final message.
func Push(ctx context.Context, e Engine, refs []Reference, auth AuthFunc, progress io.Writer) error {
	fd, isTerm := terminal(progress)
	for i := range refs {
		r := &refs[i]
		host := registryHost(r.Reference)
		a, err := auth(ctx, host)
		if err != nil {
			return fmt.Errorf("credentials for %s: %w", host, err)
		}
		rc, err := e.ImagePush(ctx, r.Reference, image.PushOptions{RegistryAuth: a})
		if err != nil {
			return err
		}
		err = jsonmessage.DisplayJSONMessagesStream(rc, progress, fd, isTerm, func(m jsonmessage.JSONMessage) {
			var aux struct {
				Tag    string
				Digest string
				Size   int64
			}
			if m.Aux != nil && json.Unmarshal(*m.Aux, &aux) == nil && aux.Digest != "" {
				r.Digest, r.Size = aux.Digest, aux.Size
			}
		})
		rc.Close()
		if err != nil {
			return classify(fmt.Sprintf("pushing %q", r.Reference), pushError(err))
		}
		if r.Digest == "" {
			return fmt.Errorf("pushing %q: the Engine reported no digest", r.Reference)
		}
		r.Pinned = repository(r.Reference) + "@" + r.Digest
	}
	return nil
}

// pushError turns the stream's error (the registry's refusal travels as
// text) into ErrAuth when it is about credentials.
func pushError(err error) error {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"unauthorized", "authentication required", "denied", "no basic auth credentials"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w (check `docker login` / ~/.docker/config.json): %w", ErrAuth, err)
		}
	}
	return err
}

func terminal(w io.Writer) (uintptr, bool) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return f.Fd(), true
	}
	return 0, false
}

// registryHost is the registry part of a reference ("docker.io" when none).
func registryHost(ref string) string {
	first, _, ok := strings.Cut(ref, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}

// repository drops the tag: "reg:5000/web:142" -> "reg:5000/web".
func repository(ref string) string {
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[:i]
	}
	return ref
}
