package pluginexec

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// ModeECR is the helper's Amazon ECR mode: a session of JSON lines, one
// ECRRequest per line in, one ECRResponse per line out, answered
// concurrently (internal/ecrapi).
const ModeECR = "ecr"

// ECRRequest is one ECR API call: Op (DescribeImages, PutImage, ...) with
// Input in ECR's own request JSON, in Region ("" : the SDK's default).
type ECRRequest struct {
	ID     int64           `json:"id"`
	Op     string          `json:"op"`
	Region string          `json:"region,omitempty"`
	Input  json.RawMessage `json:"input,omitempty"`
}

// ECRResponse answers the request with the same ID: Output (the SDK's
// output as JSON) or Error, and the HTTP attempts the call took.
type ECRResponse struct {
	ID       int64           `json:"id"`
	Output   json.RawMessage `json:"output,omitempty"`
	Error    *ECRError       `json:"error,omitempty"`
	Attempts int             `json:"attempts"`
}

// ECRError is a failed call: Code is the service's error code
// (RepositoryNotFoundException, ...), empty for a failure before an
// answer (Unreachable: no HTTP answer; Canceled: the context ended).
type ECRError struct {
	Code        string `json:"code,omitempty"`
	Message     string `json:"message"`
	Unreachable bool   `json:"unreachable,omitempty"`
	Canceled    bool   `json:"canceled,omitempty"`
}

func (e *ECRError) Error() string {
	if e.Code != "" {
		return e.Code + ": " + e.Message
	}
	return e.Message
}

// Session is a running `dockwright-plugin-host ecr` answering ECR
// requests; safe for concurrent use. It starts on the first Call and ends
// when this process does (the helper stops at the end of its stdin).
type Session struct {
	// Env is added to the helper's environment.
	Env []string

	once    sync.Once
	err     error
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	wmu     sync.Mutex
	mu      sync.Mutex
	next    int64
	waiting map[int64]chan ECRResponse
	stderr  strings.Builder
	done    chan struct{}
}

func (s *Session) start() error {
	helper, err := Find()
	if err != nil {
		return err
	}
	s.cmd = exec.Command(helper, ModeECR)
	s.cmd.Env = append(os.Environ(), s.Env...)
	s.cmd.Stderr = &lockedWriter{b: &s.stderr, mu: &s.mu}
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return err
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s %s: %w", Helper, ModeECR, err)
	}
	s.waiting = map[int64]chan ECRResponse{}
	s.done = make(chan struct{})
	go s.read(stdout)
	return nil
}

func (s *Session) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		var resp ECRResponse
		if json.Unmarshal(sc.Bytes(), &resp) != nil {
			continue
		}
		s.mu.Lock()
		ch := s.waiting[resp.ID]
		delete(s.waiting, resp.ID)
		s.mu.Unlock()
		if ch != nil {
			ch <- resp
		}
	}
	s.cmd.Wait()
	close(s.done)
}

// Call sends req (its ID is set here) and waits for the answer or ctx.
func (s *Session) Call(ctx context.Context, req ECRRequest) (ECRResponse, error) {
	s.once.Do(func() { s.err = s.start() })
	if s.err != nil {
		return ECRResponse{}, s.err
	}
	ch := make(chan ECRResponse, 1)
	s.mu.Lock()
	s.next++
	req.ID = s.next
	s.waiting[req.ID] = ch
	s.mu.Unlock()
	line, err := json.Marshal(req)
	if err != nil {
		return ECRResponse{}, err
	}
	s.wmu.Lock()
	_, err = s.stdin.Write(append(line, '\n'))
	s.wmu.Unlock()
	if err != nil {
		return ECRResponse{}, s.exited(err)
	}
	select {
	case resp := <-ch:
		return resp, nil
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.waiting, req.ID)
		s.mu.Unlock()
		return ECRResponse{}, ctx.Err()
	case <-s.done:
		return ECRResponse{}, s.exited(errors.New("it exited"))
	}
}

func (s *Session) exited(err error) error {
	s.mu.Lock()
	msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s.stderr.String()), Helper+": "))
	s.mu.Unlock()
	if msg == "" {
		msg = err.Error()
	}
	return fmt.Errorf("%s %s: %s", Helper, ModeECR, msg)
}

// maxStderr is how much of the helper's stderr is kept for the message
// of its exit; the rest (debug logs of a long run) is dropped.
const maxStderr = 64 << 10

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := maxStderr - w.b.Len(); room > 0 {
		w.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
