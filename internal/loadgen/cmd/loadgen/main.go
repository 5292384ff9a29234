// Command loadgen sends a constant stream of requests to a URL while a
// command runs, then says how many failed (no answer, or a 5xx) and how
// long they took:
//
//	loadgen -url http://127.0.0.1:8800/ -rate 100 -label deploy -- make docker-deploy ...
//	deploy: 1234 requests, 0 failed, p50 1.2ms, p99 4.1ms, max 9.8ms
//
// It exits with the command's code. -stats FILE appends the figures as one
// JSON line ({"label", "requests", "failed", "errors", "p50_ns", ...}).
// Without a command it runs until interrupted.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/dockwright/dockwright/internal/loadgen"
)

func main() {
	url := flag.String("url", "", "`URL` every request GETs (required)")
	rate := flag.Int("rate", 50, "requests per second")
	timeout := flag.Duration("timeout", 5*time.Second, "one request's timeout")
	label := flag.String("label", "", "`NAME` of the phase, in the output")
	statsFile := flag.String("stats", "", "append the figures to `FILE` as a JSON line")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -url is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := loadgen.Start(ctx, loadgen.Config{URL: *url, Rate: *rate, Timeout: *timeout})
	code := 0
	if args := flag.Args(); len(args) > 0 {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
				code = 127
			} else {
				code = ee.ExitCode()
			}
		}
	} else {
		<-ctx.Done()
	}
	st := s.Stop()
	name := *label
	if name == "" {
		name = "loadgen"
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", name, st)
	if *statsFile != "" {
		line, _ := json.Marshal(struct {
			Label string `json:"label"`
			loadgen.Stats
		}{name, st})
		f, err := os.OpenFile(*statsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = fmt.Fprintf(f, "%s\n", line)
			f.Close()
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: -stats: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}
