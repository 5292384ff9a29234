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
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "info":
		l = slog.LevelInfo
	case "", "warn", "warning":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		return nil, Usagef("invalid value %q for flag --log-level: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// DiscardLogger returns a logger that drops everything; packages use it when
// their caller passes none.
func DiscardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
