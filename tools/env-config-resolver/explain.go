package main

import (
	"fmt"
	"maps"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/envconfig"
)

func explainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "say which layer set a key: file:line:column, environment variable or secret reference",
		ArgsUsage: "KEY",
		Flags:     append(bundleFlags(), cmdutil.OutputFlag()),
		Action:    explainAction,
	}
}

func explainAction(cliContext *cli.Context) error {
	if err := cmdutil.Args(cliContext, "KEY"); err != nil {
		return err
	}
	format, err := cmdutil.OutputFormat(cliContext)
	if err != nil {
		return err
	}
	_, c, err := load(cliContext, envconfig.Options{})
	if err != nil {
		return err
	}
	e, err := c.Explain(cliContext.Args().First())
	if err != nil {
		return cmdutil.Usage(err)
	}
	w := cliContext.App.Writer
	if format == cmdutil.FormatJSON {
		return cmdutil.WriteJSON(w, e)
	}
	fmt.Fprintf(w, "%s in %s = %v\n  set by %s: %s\n", e.Key, e.Env, display(e.Value), e.Origin.Layer, e.Origin)
	for _, k := range slices.Sorted(maps.Keys(e.Under)) {
		fmt.Fprintf(w, "  %s: %s\n", k, e.Under[k])
	}
	return nil
}
