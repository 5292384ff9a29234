package deploylock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestAcquire(t *testing.T) {
	tests := []struct {
		name     string
		held     bool // another holder has the key
		key      string
		wantErr  string
		wantHeld bool
	}{
		{name: "free", key: "web.prod"},
		{name: "held names the holder", key: "web.prod", held: true, wantHeld: true,
			wantErr: "web.prod is locked by deploy of build 7 by jenkins since 2026-12-03T10:00:00Z (pid 42 on ci1); waited 200ms"},
		{name: "another key is not held", key: "web.staging", held: true},
		{name: "a key that is not a file name", key: "../web", wantErr: `lock key "../web"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.held {
				l, err := Acquire(context.Background(), dir, Holder{Key: "web.prod", Action: "deploy", Build: "7", By: "jenkins",
					Since: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), Owner: 42, Host: "ci1"}, time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Release()
			}
			l, err := Acquire(context.Background(), dir, Holder{Key: tt.key, Action: "deploy", Build: "8"}, 200*time.Millisecond)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrHeld) != tt.wantHeld {
					t.Errorf("errors.Is(err, ErrHeld) = %v, want %v", !tt.wantHeld, tt.wantHeld)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			h, err := Read(dir, tt.key)
			if err != nil || h == nil || h.Build != "8" || h.PID != os.Getpid() {
				t.Errorf("Read = %+v, %v; want build 8 held by this process", h, err)
			}
			l.Release()
			if h, _ := Read(dir, tt.key); h != nil {
				t.Errorf("after Release the lock is still held by %+v", h)
			}
		})
	}
}

// A holder that dies without releasing leaves no lock: the kernel drops
// the flock, and its leftover record is not taken for a holder.
func TestDeadHolderLeavesNoLock(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("flock", "-o", dir+"/web.prod.lock", "sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dir+"/web.prod.json", []byte(`{"key":"web.prod","build":"7","pid":1}`), 0o644)
	time.Sleep(300 * time.Millisecond)
	if h, _ := Read(dir, "web.prod"); h == nil {
		t.Fatal("a held flock reads as free")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if h, _ := Read(dir, "web.prod"); h != nil {
		t.Errorf("after its holder died the lock reads as held by %+v", h)
	}
	l, err := Acquire(context.Background(), dir, Holder{Key: "web.prod"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
}

func TestWatchEndsWithTheOwner(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { Watch(context.Background(), cmd.Process.Pid, 20*time.Millisecond); close(done) }()
	select {
	case <-done:
		t.Fatal("Watch returned while its owner runs")
	case <-time.After(200 * time.Millisecond):
	}
	cmd.Process.Kill()
	cmd.Wait()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return once its owner died")
	}
}

func TestOwnerIsTheParentOutsideAnsible(t *testing.T) {
	if got, want := Owner(os.Getpid()), os.Getppid(); got != want {
		t.Errorf("Owner = %d, want the parent %d", got, want)
	}
}
