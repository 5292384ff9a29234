package cmdutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain error is operational", errors.New("boom"), ExitError},
		{"usage", Usagef("bad flag %q", "x"), ExitUsage},
		{"failures", Failures(errors.New("2 checks failed")), ExitFailures},
		{"wrapped usage keeps code", fmt.Errorf("loading: %w", Usagef("bad")), ExitUsage},
		{"cancelled is operational", context.Canceled, ExitError},
		{"a child's status", Status(42), 42},
		{"a child's zero status is success", Status(0), ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestReport(t *testing.T) {
	var buf bytes.Buffer
	if code := Report(&buf, "tool", Usagef("invalid value %q for flag --x", "y")); code != ExitUsage {
		t.Fatalf("code = %d", code)
	}
	if got, want := buf.String(), "tool: invalid value \"y\" for flag --x\n"; got != want {
		t.Errorf("Report wrote %q, want %q", got, want)
	}
}

// A child's status is reported by its code alone: nothing on stderr.
func TestReportStatusSaysNothing(t *testing.T) {
	var buf bytes.Buffer
	if code := Report(&buf, "tool", Status(137)); code != 137 {
		t.Fatalf("code = %d", code)
	}
	if buf.Len() != 0 {
		t.Errorf("Report wrote %q for a child's status", buf.String())
	}
}

func TestParseFormat(t *testing.T) {
	var notTerminal bytes.Buffer
	tests := []struct {
		value   string
		want    Format
		wantErr bool
	}{
		{"", FormatJSON, false}, // a buffer is not a terminal
		{"json", FormatJSON, false},
		{"table", FormatTable, false},
		{"yaml", "", true},
	}
	for _, tt := range tests {
		t.Run("value="+tt.value, func(t *testing.T) {
			got, err := ParseFormat(tt.value, &notTerminal)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && ExitCode(err) != ExitUsage {
				t.Errorf("exit code %d, want 2", ExitCode(err))
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUseColorHonoursNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	if UseColor(&bytes.Buffer{}) {
		t.Error("UseColor true with NO_COLOR set")
	}
}

func TestNewLoggerLevels(t *testing.T) {
	for _, lvl := range []string{"", "debug", "info", "warn", "error"} {
		if _, err := NewLogger(&bytes.Buffer{}, lvl); err != nil {
			t.Errorf("level %q: %v", lvl, err)
		}
	}
	if _, err := NewLogger(&bytes.Buffer{}, "loud"); ExitCode(err) != ExitUsage {
		t.Errorf("bad level: err %v, want usage error", err)
	}
}

// Every app NewApp makes refuses a log level it does not know, from the
// flag or the environment, before its command runs (exit 2 naming both).
func TestLogLevelRefusedBeforeTheCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		ok   bool
	}{
		{"flag", []string{"x", "--log-level", "loud", "run"}, "", false},
		{"environment", []string{"x", "run"}, "loud", false},
		{"flag after the command", []string{"x", "run", "--log-level", "loud"}, "", false},
		{"known level", []string{"x", "--log-level", "DEBUG", "run"}, "", true},
		{"default", []string{"x", "run"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DOCKWRIGHT_LOG_LEVEL", tt.env)
			ran := false
			app := NewApp("x", "test")
			app.Writer, app.ErrWriter = io.Discard, io.Discard
			AddCommands(app, &cli.Command{Name: "run", Action: func(*cli.Context) error { ran = true; return nil }})
			err := app.Run(Intersperse(app, tt.args))
			if tt.ok {
				if err != nil || !ran {
					t.Fatalf("err = %v, ran = %v", err, ran)
				}
				return
			}
			if ExitCode(err) != ExitUsage || ran {
				t.Fatalf("err = %v (exit %d), ran = %v; want exit 2 before the command", err, ExitCode(err), ran)
			}
			if !strings.Contains(err.Error(), `invalid value "loud" for flag --log-level (or $DOCKWRIGHT_LOG_LEVEL)`) {
				t.Errorf("error %q does not name the flag and the variable", err)
			}
		})
	}
}

func TestCodesMark(t *testing.T) {
	errBad, errRefused, errOther := errors.New("bad"), errors.New("refused"), errors.New("network")
	codes := Codes{Usage: []error{errBad}, Failures: []error{errRefused}}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil stays nil", nil, ExitOK},
		{"usage sentinel, wrapped", fmt.Errorf("flag --x: %w", errBad), ExitUsage},
		{"failures sentinel", errRefused, ExitFailures},
		{"anything else", errOther, ExitError},
		{"a code already marked is kept", WithCode(ExitFailures, errOther), ExitFailures},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codes.Mark(tt.err)
			if code := ExitCode(got); code != tt.want {
				t.Errorf("ExitCode(Mark(%v)) = %d, want %d", tt.err, code, tt.want)
			}
			if tt.err == nil && got != nil {
				t.Errorf("Mark(nil) = %v", got)
			}
		})
	}
}
