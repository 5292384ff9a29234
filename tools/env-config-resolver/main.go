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

func main() { os.Exit(cmdutil.Main("env-config-resolver", newApp())) }
