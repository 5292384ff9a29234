// Command dockwright-lock is the control side's deploy lock per service
// and environment, taken by dockwright's playbooks (rollout.yml) so that
// two Jenkins jobs cannot roll the same service out to the same
// environment at once. See docs/dockwright-lock.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() { os.Exit(cmdutil.Main("dockwright-lock", newApp())) }
