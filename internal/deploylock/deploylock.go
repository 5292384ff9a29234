// Package deploylock is the control side's lock per service and
// environment: two Jenkins jobs (or two people) cannot roll the same
// service out to the same environment at once. The lock is an flock(2) on
// DIR/KEY.lock, so the kernel releases it when its holder dies, however it
// dies; beside it DIR/KEY.json names the holder (what, which build, by
// whom, since when, which process), so the one who waits can be told whom
// it waits for.
package deploylock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/dockwright/dockwright/internal/flock"
)

// Holder is who holds a lock, as DIR/KEY.json records it.
type Holder struct {
	Key    string    `json:"key"`
	Action string    `json:"action,omitempty"`
	Build  string    `json:"build,omitempty"`
	By     string    `json:"by,omitempty"`
	Since  time.Time `json:"since"`
	Host   string    `json:"host,omitempty"`
	// PID is the process holding the flock; Owner the process whose life
	// the lock follows (the ansible-playbook run that took it).
	PID   int `json:"pid"`
	Owner int `json:"owner,omitempty"`
}

func (h Holder) String() string {
	s := h.Action
	if s == "" {
		s = "a rollout"
	}
	if h.Build != "" {
		s += " of build " + h.Build
	}
	if h.By != "" {
		s += " by " + h.By
	}
	s += " since " + h.Since.UTC().Format(time.RFC3339)
	if h.Owner > 0 {
		s += fmt.Sprintf(" (pid %d", h.Owner)
		if h.Host != "" {
			s += " on " + h.Host
		}
		s += ")"
	}
	return s
}

// ErrHeld means another holder kept the lock for the whole wait.
var ErrHeld = errors.New("locked")

// HeldError names the holder that kept the lock.
type HeldError struct {
	Key    string
	Holder *Holder // nil when its record could not be read
	Waited time.Duration
}

func (e *HeldError) Error() string {
	who := "another rollout (its record is missing)"
	if e.Holder != nil {
		who = e.Holder.String()
	}
	return fmt.Sprintf("%s is locked by %s; waited %s", e.Key, who, e.Waited)
}

func (e *HeldError) Unwrap() error { return ErrHeld }

var keyRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CheckKey refuses a key that is not a plain file name (SERVICE.ENV).
func CheckKey(key string) error {
	if !keyRe.MatchString(key) {
		return fmt.Errorf("lock key %q: want letters, digits, '.', '_' or '-' (SERVICE.ENV)", key)
	}
	return nil
}

// DefaultDir is where locks live unless DOCKWRIGHT_LOCK_DIR says: the
// machine's temporary directory, shared by the jobs of one Jenkins agent.
func DefaultDir() string {
	if d := os.Getenv("DOCKWRIGHT_LOCK_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "dockwright-locks")
}

// Lock is a held lock.
type Lock struct {
	fl   *flock.Lock
	info string
}

// Acquire takes the lock for h.Key in dir, waiting up to wait (polling, so
// ctx cancels the wait), and records h as its holder. A *HeldError (ErrHeld)
// names the holder when the wait runs out.
func Acquire(ctx context.Context, dir string, h Holder, wait time.Duration) (*Lock, error) {
	if err := CheckKey(h.Key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}
	fl, err := flock.Acquire(ctx, filepath.Join(dir, h.Key+".lock"), wait)
	if errors.Is(err, flock.ErrTimeout) {
		held, _ := Read(dir, h.Key)
		return nil, &HeldError{Key: h.Key, Holder: held, Waited: wait}
	}
	if err != nil {
		return nil, err
	}
	l := &Lock{fl: fl, info: filepath.Join(dir, h.Key+".json")}
	if h.Since.IsZero() {
		h.Since = time.Now()
	}
	if h.PID == 0 {
		h.PID = os.Getpid()
	}
	b, _ := json.MarshalIndent(h, "", "  ")
	tmp := l.info + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		l.Release()
		return nil, fmt.Errorf("recording the holder: %w", err)
	}
	if err := os.Rename(tmp, l.info); err != nil {
		l.Release()
		return nil, fmt.Errorf("recording the holder: %w", err)
	}
	return l, nil
}

// Release removes the holder's record and releases the lock.
func (l *Lock) Release() {
	os.Remove(l.info)
	l.fl.Release()
}

// Read returns the recorded holder of key, or nil when the lock is free
// (no record, or a record its holder left behind without the flock).
func Read(dir, key string) (*Holder, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, key+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var h Holder
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, key+".json"), err)
	}
	if flock.Free(filepath.Join(dir, key+".lock")) {
		return nil, nil
	}
	return &h, nil
}

// List returns the holders of every held lock in dir.
func List(dir string) ([]Holder, error) {
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Holder
	for _, p := range m {
		key := filepath.Base(p[:len(p)-len(".json")])
		h, err := Read(dir, key)
		if err != nil {
			return nil, err
		}
		if h != nil {
			out = append(out, *h)
		}
	}
	return out, nil
}
