package cmdutil

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

// SignalContext returns a context cancelled on SIGINT or SIGTERM, so every
// network call under it stops when Jenkins aborts a build or a user presses
// Ctrl-C. Call stop to release the signal handlers.
func SignalContext() (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(context.Background(), stopSignals...)
}

// stopSignals end a run: Ctrl-C, and Jenkins aborting a build.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// Main runs app on os.Args (flags may follow arguments), reports its
// error on stderr as name and returns the exit code for os.Exit. Commands
// get a context cancelled on SIGINT or SIGTERM; the handlers are installed
// only once a command is about to run, so `--help` and `--version` do not
// pay for them (a signal-watching thread: ~0.3 ms of a 2.5 ms start).
// Help is printed by fastHelp, which gives the templates' text without
// parsing them (env-config-resolver's start-up target needs it; see
// docs/benchmarks.md).
func Main(name string, app *cli.App) int {
	cli.HelpPrinter = fastHelp
	stop := func() {}
	before := app.Before
	app.Before = func(cliContext *cli.Context) error {
		ctx, cancel := signal.NotifyContext(cliContext.Context, stopSignals...)
		cliContext.Context, stop = ctx, cancel
		if before != nil {
			return before(cliContext)
		}
		return nil
	}
	err := app.RunContext(context.Background(), Intersperse(app, os.Args))
	stop()
	return Report(os.Stderr, name, err)
}
