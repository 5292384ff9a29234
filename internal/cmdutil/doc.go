// Package cmdutil holds what every dockwright binary shares at its edge: the
// exit codes of docs/contracts.md, the signal-aware context, the slog logger on
// stderr, the --output flag with its not-a-terminal default, colour rules,
// and the urfave/cli application skeleton. It is the only package outside
// tools/ that imports urfave/cli, so a move to cli v3 stays mechanical.
package cmdutil
