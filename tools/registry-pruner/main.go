// Command registry-pruner deletes old builds from a private Docker
// registry: it keeps the newest N builds of each repository, never deletes
// a manifest that a kept or protected tag references, plans first and
// applies only without --dry-run. See docs/registry-pruner.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() { os.Exit(cmdutil.Main("registry-pruner", newApp())) }
