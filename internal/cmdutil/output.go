package cmdutil

import (
	"io"
	"os"

	"golang.org/x/term"
)

// Format is how a command prints data on stdout.
type Format string

// Output formats.
const (
	FormatJSON  Format = "json"
	FormatTable Format = "table"
)

// ParseFormat validates the value of --output. An empty value picks the
// default for w: JSON when w is not a terminal (piping, Ansible, Jenkins),
// a table when a person is looking.
func ParseFormat(value string, w io.Writer) (Format, error) {
	switch Format(value) {
	case FormatJSON, FormatTable:
		return Format(value), nil
	case "":
		if IsTerminal(w) {
			return FormatTable, nil
		}
		return FormatJSON, nil
	}
	return "", Usagef("invalid value %q for flag --output: want json or table", value)
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
