package cmdutil

import (
	"io"
	"log/slog"
	"strings"
)

// NewLogger returns a text slog.Logger writing to w (stderr) at the named
// level: debug, info, warn (the default) or error. The default is quiet on
// purpose: Ansible shows anything on an inventory script's stderr as an error.
func NewLogger(w io.Writer, level string) (*slog.Logger, error) {
	l, err := ParseLogLevel(level)
	if err != nil {
		return nil, err
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// ParseLogLevel reads a --log-level value; anything else is a usage error
// naming the flag and its environment variable.
func ParseLogLevel(level string) (slog.Level, error) {
	switch strings.ToLower(level) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "", "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, Usagef("invalid value %q for flag --log-level (or $DOCKWRIGHT_LOG_LEVEL): want debug, info, warn or error", level)
}

// DiscardLogger returns a logger that drops everything; packages use it when
// their caller passes none.
func DiscardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
