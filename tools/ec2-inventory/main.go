// Command ec2-inventory is an Ansible dynamic inventory built from EC2
// instances and their tags. See docs/ec2-inventory.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() { os.Exit(cmdutil.Main("ec2-inventory", newApp())) }
