package registry

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Errors returned by this package; callers use errors.Is.
var (
	// ErrNotFound means a repository, tag or manifest does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAuth means the registry refused the credentials (401/403).
	ErrAuth = errors.New("authentication failed")
	// ErrUnreachable means no HTTP answer came back (DNS, refused, timeout).
	ErrUnreachable = errors.New("registry unreachable")
	// ErrDeleteDisabled means the registry refuses DELETE (405): its
	// storage.delete.enabled setting is off.
	ErrDeleteDisabled = errors.New("registry refuses deletes (set storage.delete.enabled: true in its config)")
	// ErrInvalidReference means a repository or image reference is malformed.
	ErrInvalidReference = errors.New("invalid reference")
	// ErrNoBuild means the build asked for has no tag in the repository.
	ErrNoBuild = errors.New("no such build")
	// ErrUntagUnsupported means the registry cannot delete a tag alone
	// (Distribution 2.8): only whole manifests, by digest.
	ErrUntagUnsupported = errors.New("the registry cannot delete a tag alone (Distribution 2.8); use digest deletion")
	// ErrRefused means a policy refused to act (e.g. it would delete every
	// version of a repository without AllowEmpty).
	ErrRefused = errors.New("refused")
)

// classify wraps err from go-containerregistry with the sentinel it
// amounts to, keeping the original message.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch terr.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%w (check `docker login` / ~/.docker/config.json): %w", ErrAuth, err)
		case http.StatusMethodNotAllowed:
			return fmt.Errorf("%w: %w", ErrDeleteDisabled, err)
		}
		return err
	}
	var nerr net.Error
	var operr *net.OpError
	if errors.As(err, &operr) || errors.As(err, &nerr) || errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return err
}
