// Command ec2-inventory is an Ansible dynamic inventory built from EC2
// instances and their tags. See docs/ec2-inventory.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() {
	ctx, stop := cmdutil.SignalContext()
	err := newApp().RunContext(ctx, os.Args)
	stop()
	os.Exit(cmdutil.Report(os.Stderr, "ec2-inventory", err))
}
