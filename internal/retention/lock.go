package retention

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
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
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w %s after %s: a deploy (or another cleanup) holds it; nothing was removed", ErrLockTimeout, path, timeout)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
