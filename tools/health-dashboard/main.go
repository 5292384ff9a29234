// Command health-dashboard checks every health URL the service catalog
// names: `serve` keeps a dashboard of what fails, `check` is one round for
// Jenkins. See docs/health-dashboard.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() { os.Exit(cmdutil.Main("health-dashboard", newApp())) }
