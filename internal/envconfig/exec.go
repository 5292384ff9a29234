package envconfig

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// forwarded are the signals Exec passes to the child.
var forwarded = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}

// ErrNotFound is a command Exec cannot find (exit status 127, as a shell).
var ErrNotFound = errors.New("command not found")

// Exec runs argv as a child with env, the way a container entrypoint must:
// every signal in forwarded goes to the child, the child's exit status
// comes back (128+N when a signal N killed it), and as PID 1 it reaps the
// orphans that get reparented to it. It returns the status to exit with.
func Exec(argv, env []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if len(argv) == 0 {
		return 2, errors.New("exec: no command (usage: exec -- CMD [ARGS...])")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return 127, fmt.Errorf("%w: %q: %v", ErrNotFound, argv[0], err)
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, stdin, stdout, stderr
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 126, fmt.Errorf("starting %q: %w", argv[0], err)
	}
	child := cmd.Process.Pid
	done := make(chan syscall.WaitStatus, 1)
	go func() {
		// Wait for any child: ours, and as PID 1 the reparented orphans,
		// which are reaped and ignored.
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, 0, nil)
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil || pid == child {
				done <- ws
				return
			}
		}
	}()
	for {
		select {
		case s := <-sigs:
			syscall.Kill(child, s.(syscall.Signal))
		case ws := <-done:
			switch {
			case ws.Exited():
				return ws.ExitStatus(), nil
			case ws.Signaled():
				return 128 + int(ws.Signal()), nil
			}
			return 1, nil
		}
	}
}

// Environ is the environment a child gets: the current one, then APP_ENV,
// then the configuration flattened (prefix + upper-cased path, levels
// joined by "_"), later entries winning.
func (c *Config) Environ(base []string, prefix string) []string {
	out := append([]string(nil), base...)
	out = append(out, "APP_ENV="+c.Env)
	for _, kv := range Flatten(prefix, c.Values) {
		out = append(out, kv[0]+"="+kv[1])
	}
	return out
}
