// Command env-config-resolver resolves one environment's configuration
// from the bundle shipped in an image (defaults, environment overlay,
// environment-variable overrides, secret references), prints it or execs
// the app with it, and answers questions about the service catalog. See
// docs/env-config-resolver.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() {
	ctx, stop := cmdutil.SignalContext()
	app := newApp()
	err := app.RunContext(ctx, cmdutil.Intersperse(app, os.Args))
	stop()
	os.Exit(cmdutil.Report(os.Stderr, "env-config-resolver", err))
}
