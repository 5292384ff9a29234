package cmdutil

import (
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"
)

// Format is how a command prints data on stdout.
type Format string

// Output formats.
const (
	FormatJSON  Format = "json"
	FormatTable Format = "table"
	// FormatPinned is one REPOSITORY@DIGEST line, what a deploy pins: for
	// the commands that put an image somewhere (image-tagger push, promote).
	FormatPinned Format = "pinned"
)

// ParseFormat validates the value of --output. An empty value picks the
// default for w: JSON when w is not a terminal (piping, Ansible, Jenkins),
// a table when a person is looking.
// A command can accept more formats (also).
func ParseFormat(value string, w io.Writer, also ...Format) (Format, error) {
	switch f := Format(value); {
	case f == FormatJSON, f == FormatTable, slices.Contains(also, f):
		return f, nil
	case value == "":
		if IsTerminal(w) {
			return FormatTable, nil
		}
		return FormatJSON, nil
	}
	want := "json or table"
	for _, f := range also {
		want = strings.Replace(want, " or ", ", ", 1) + " or " + string(f)
	}
	return "", Usagef("invalid value %q for flag --output: want %s", value, want)
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// UseColor reports whether output to w may be coloured: only on a terminal,
// and never when NO_COLOR is set to anything (https://no-color.org).
func UseColor(w io.Writer) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	return IsTerminal(w)
}
