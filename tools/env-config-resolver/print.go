package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/envconfig"
)

func printCommand() *cli.Command {
	return &cli.Command{
		Name:      "print",
		Usage:     "print the resolved configuration, or one key",
		ArgsUsage: "[KEY]",
		Flags: append(bundleFlags(),
			&cli.StringFlag{Name: "format", Aliases: []string{"f", "output", "o"}, Usage: "`FORMAT`: json, yaml, dotenv or export (default: json when stdout is not a terminal, else yaml)"},
			&cli.StringFlag{Name: "prefix", Usage: "`PREFIX` of dotenv/export names (db.host is PREFIXDB_HOST)"},
			&cli.BoolFlag{Name: "show-secrets", Usage: "print secret values instead of " + envconfig.Redacted},
		),
		Action: printAction,
	}
}

func printAction(cliContext *cli.Context) error {
	if cliContext.NArg() > 1 {
		return cmdutil.Usagef("print: unexpected argument %q (usage: env-config-resolver print [KEY])", cliContext.Args().Get(1))
	}
	format := cliContext.String("format")
	switch format {
	case "":
		format = envconfig.FormatJSON
		if cmdutil.IsTerminal(cliContext.App.Writer) {
			format = envconfig.FormatYAML
		}
	case envconfig.FormatJSON, envconfig.FormatYAML, envconfig.FormatDotenv, envconfig.FormatExport:
	default:
		return cmdutil.Usagef("invalid value %q for flag --format: want json, yaml, dotenv or export", format)
	}
	_, c, err := load(cliContext, envconfig.Options{})
	if err != nil {
		return err
	}
	warnUnknown(cliContext, c)
	key := cliContext.Args().First()
	v, err := c.View(key, cliContext.Bool("show-secrets"))
	if err != nil {
		return cmdutil.Usage(err)
	}
	prefix := cliContext.String("prefix")
	if key != "" {
		prefix += envconfig.EnvName("", key) + "_"
	}
	return envconfig.Print(cliContext.App.Writer, v, format, prefix)
}

func warnUnknown(cliContext *cli.Context, c *envconfig.Config) {
	for _, u := range c.Unknown {
		fmt.Fprintf(cliContext.App.ErrWriter, "env-config-resolver: warning: unknown key %s (not in default.yml or the schema; check fails on it)\n", u)
	}
	if len(c.Invalid) > 0 {
		var msgs []string
		for _, e := range c.Invalid {
			msgs = append(msgs, e.Error())
		}
		fmt.Fprintf(cliContext.App.ErrWriter, "env-config-resolver: warning: schema: %s\n", strings.Join(msgs, "; "))
	}
}
