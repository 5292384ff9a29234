// Package notifyflag is the --notify flag the binaries that emit events
// share: it names a notifiers file (internal/notify), read before any
// work so a bad file stops the run with exit code 2 and nothing changed.
package notifyflag

import (
	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/notify"
)

// Flag is --notify FILE ($DOCKWRIGHT_NOTIFY); what says which events.
func Flag(what string) *cli.StringFlag {
	return &cli.StringFlag{Name: "notify", Usage: "notifier plugins `FILE` (notifiers: [{name, sha256, config}]) told " + what, EnvVars: []string{notify.Env}}
}

// Load reads the file --notify names (none: no notifiers). A file that
// cannot be read or parsed is a usage error naming the flag.
func Load(cliContext *cli.Context) (*notify.Notifiers, error) {
	log, err := cmdutil.Logger(cliContext)
	if err != nil {
		return nil, err
	}
	n, err := notify.Load(cliContext.String("notify"), log)
	if err != nil {
		return nil, cmdutil.Usagef("invalid value for flag --notify: %v", err)
	}
	return n, nil
}
