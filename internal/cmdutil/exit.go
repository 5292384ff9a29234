package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Exit codes shared by every dockwright binary (docs/contracts.md).
const (
	// ExitOK means success.
	ExitOK = 0
	// ExitError means an operational error: network, API, Docker, files.
	ExitError = 1
	// ExitUsage means bad usage or invalid input: flags, config, catalog.
	ExitUsage = 2
	// ExitFailures means the job ran and found failures.
	ExitFailures = 3
)

// exitError carries the exit code an error should end the process with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// WithCode wraps err so that ExitCode reports code for it. A nil err stays nil.
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// Usage marks err as bad usage or invalid input (exit 2).
func Usage(err error) error { return WithCode(ExitUsage, err) }

// Usagef formats a bad-usage error (exit 2).
func Usagef(format string, args ...any) error { return Usage(fmt.Errorf(format, args...)) }

// Failures marks err as "the job ran and found failures" (exit 3).
func Failures(err error) error { return WithCode(ExitFailures, err) }

// errStatus is the error of Status: the whole story is the code.
var errStatus = errors.New("exit status")

// Status is an exit code with nothing to say: the status of a program the
// binary ran (env-config-resolver exec passes its app's status on), which
// already said what it had to on its own stderr. Report prints nothing
// for it; 0 is nil.
func Status(code int) error {
	if code == ExitOK {
		return nil
	}
	return WithCode(code, errStatus)
}

// ExitCode maps an error to the process exit code: nil is 0, an error marked
// with WithCode (anywhere in its chain) is that code, anything else is 1.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitError
}

// Report writes err to w as "prog: message" and returns its exit code. A
// cancelled context (SIGINT, SIGTERM) is reported as "interrupted".
func Report(w io.Writer, prog string, err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errStatus) {
		return ExitCode(err)
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(w, "%s: interrupted: %v\n", prog, err)
		return ExitCode(err)
	}
	fmt.Fprintf(w, "%s: %v\n", prog, err)
	return ExitCode(err)
}

// Codes maps a domain's sentinel errors to exit codes: an error that
// wraps one of Usage is bad input (2), one of Failures is "the job found
// failures" (3), anything else keeps the code it has (1 unless marked).
// Each binary declares its table once, beside the domain it calls:
//
//	var registryCodes = cmdutil.Codes{Usage: []error{registry.ErrNotFound}, Failures: []error{registry.ErrRefused}}
//	return registryCodes.Mark(err)
type Codes struct {
	Usage    []error
	Failures []error
}

// Mark wraps err with the code its sentinel maps to; nil stays nil.
func (c Codes) Mark(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range c.Usage {
		if errors.Is(err, s) {
			return Usage(err)
		}
	}
	for _, s := range c.Failures {
		if errors.Is(err, s) {
			return Failures(err)
		}
	}
	return err
}
