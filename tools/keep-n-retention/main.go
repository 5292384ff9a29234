// Command keep-n-retention keeps the newest N versions of each service's
// image on one host and removes the rest through the Docker Engine, never
// touching what a container uses. See docs/keep-n-retention.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() { os.Exit(cmdutil.Main("keep-n-retention", newApp())) }
