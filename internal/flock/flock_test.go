package flock

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestAcquire(t *testing.T) {
	tests := []struct {
		name    string
		held    bool
		ctxDone bool
		want    error
	}{
		{name: "free"},
		{name: "held for the whole wait", held: true, want: ErrTimeout},
		{name: "the wait cancelled", held: true, ctxDone: true, want: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.lock")
			if tt.held {
				other, err := Acquire(context.Background(), path, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer other.Release()
			}
			ctx, cancel := context.WithCancel(context.Background())
			if tt.ctxDone {
				cancel()
			}
			defer cancel()
			wait := 150 * time.Millisecond
			if tt.ctxDone {
				wait = time.Minute
			}
			l, err := Acquire(ctx, path, wait)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Acquire: %v, want %v", err, tt.want)
			}
			if err != nil {
				if Free(path) {
					t.Error("Free while the other holder has it")
				}
				return
			}
			if Free(path) {
				t.Error("Free while held")
			}
			l.Release()
			if !Free(path) {
				t.Error("not Free after Release")
			}
		})
	}
}
