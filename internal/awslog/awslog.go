// Package awslog sends the AWS SDK's own log lines (smithy-go logging) to
// a binary's slog logger at debug level. Left alone, the SDK writes them to
// stderr, and Ansible reads anything on an inventory's stderr as an error.
package awslog

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// Logger adapts log (nil: discard) for config.WithLogger.
func Logger(log *slog.Logger) logging.Logger {
	if log == nil {
		return logging.Nop{}
	}
	return sdkLogger{log}
}

type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	if !l.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	l.log.Debug(fmt.Sprintf(format, v...), "aws_sdk", string(c))
}
