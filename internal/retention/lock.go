package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dockwright/dockwright/internal/flock"
)

// DefaultLockFile is the host-wide lock keep-n-retention and the Ansible
// deploy role both take (flock(2), exclusive), so cleanup never races a
// deploy on the same host. The shell equivalent is
// `flock -w 300 /run/lock/dockwright.lock CMD`.
const DefaultLockFile = "/run/lock/dockwright.lock"

// ErrLockTimeout means another process held the lock for the whole wait.
var ErrLockTimeout = errors.New("timed out waiting for the host lock")

// Lock takes an exclusive flock on path, waiting up to timeout (polling,
// so that ctx cancels the wait). unlock releases it.
func Lock(ctx context.Context, path string, timeout time.Duration) (unlock func(), err error) {
	l, err := flock.Acquire(ctx, path, timeout)
	if errors.Is(err, flock.ErrTimeout) {
		return nil, fmt.Errorf("%w %s after %s: a deploy (or another cleanup) holds it; nothing was removed", ErrLockTimeout, path, timeout)
	}
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}
