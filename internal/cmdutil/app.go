package cmdutil

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/version"
)

// NewApp returns the urfave/cli application skeleton every binary uses: the
// version, --log-level, --output, and flag errors mapped to exit code 2.
func NewApp(name, usage string) *cli.App {
	app := &cli.App{
		Name:            name,
		Usage:           usage,
		Version:         version.String(),
		HideHelpCommand: true,
		Writer:          os.Stdout,
		ErrWriter:       os.Stderr,
		Flags:           []cli.Flag{LogLevelFlag()},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return Usage(fmt.Errorf("%w (see %s --help)", err, name))
		},
	}
	// cli's default exit handler calls os.Exit itself; main decides instead.
	app.ExitErrHandler = func(*cli.Context, error) {}
	return app
}

// AddCommands adds subcommands whose flag errors, like the app's, are
// usage errors (exit 2) that print no help on stdout.
func AddCommands(app *cli.App, cmds ...*cli.Command) {
	for _, c := range cmds {
		c.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return Usage(fmt.Errorf("%s: %w (see %s %s --help)", c.Name, err, app.Name, c.Name))
		}
		app.Commands = append(app.Commands, c)
	}
}

// LogLevelFlag is --log-level (DOCKWRIGHT_LOG_LEVEL), the one definition
// every binary gets from NewApp. The flag checks its own value (from the
// command line or the environment) before any command runs, so no binary
// can accept a level it would then ignore.
func LogLevelFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    "log-level",
		Usage:   "diagnostics on stderr: debug, info, warn or error",
		Value:   "warn",
		EnvVars: []string{"DOCKWRIGHT_LOG_LEVEL"},
		Action: func(_ *cli.Context, level string) error {
			_, err := ParseLogLevel(level)
			return err
		},
	}
}

// OutputFlag is --output (DOCKWRIGHT_OUTPUT).
func OutputFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    "output",
		Aliases: []string{"o"},
		Usage:   "data format on stdout: json or table (default: json when stdout is not a terminal, else table)",
		EnvVars: []string{"DOCKWRIGHT_OUTPUT"},
	}
}

// PinnedOutputFlag is --output for a command that puts an image somewhere:
// json, table, or pinned (one REPOSITORY@DIGEST line for the next step).
func PinnedOutputFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    "output",
		Aliases: []string{"o"},
		Usage:   "data format on stdout: json, table, or pinned (REPOSITORY@DIGEST, one line) (default: json when stdout is not a terminal, else table)",
		EnvVars: []string{"DOCKWRIGHT_OUTPUT"},
	}
}

// Logger builds the stderr logger from --log-level.
func Logger(cliContext *cli.Context) (*slog.Logger, error) {
	return NewLogger(cliContext.App.ErrWriter, cliContext.String("log-level"))
}

// OutputFormat reads --output, defaulting by whether stdout is a terminal;
// also are the command's further formats.
func OutputFormat(cliContext *cli.Context, also ...Format) (Format, error) {
	return ParseFormat(cliContext.String("output"), cliContext.App.Writer, also...)
}
