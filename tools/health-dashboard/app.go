package main

import (
	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

const description = `Targets come from the service catalog for one environment: every
endpoint of every service (per AZ), and with --inventory every host of the
service in that environment at the catalog's host port, so one failing host
behind a healthy load balancer shows too. Conditions (status, max_time,
body_path/body_equals, body_contains) come from the catalog's health_check
blocks, per service or per environment.

Exit codes (check): 0 every target healthy; 3 some failing (all listed); 1
the check itself could not run (inventory failed); 2 bad flags or catalog.`

func newApp() *cli.App {
	app := cmdutil.NewApp("health-dashboard", "check the health URLs of the service catalog")
	app.Description = description
	cmdutil.AddCommands(app, checkCommand(), serveCommand())
	return app
}
