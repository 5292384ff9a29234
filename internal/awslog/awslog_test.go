package awslog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/smithy-go/logging"
)

func TestLoggerIsDebugOnly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		level slog.Level
		want  string
	}{
		{"hidden at info", slog.LevelInfo, ""},
		{"shown at debug", slog.LevelDebug, `level=DEBUG msg="failed to discard body: closed" aws_sdk=WARN`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tc.level, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}}))
			Logger(log).Logf(logging.Warn, "failed to discard body: %s", "closed")
			if got := strings.TrimSpace(buf.String()); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	Logger(nil).Logf(logging.Warn, "dropped") // must not panic
}
