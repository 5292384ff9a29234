package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/envconfig"
)

func execCommand() *cli.Command {
	return &cli.Command{
		Name:      "exec",
		Usage:     "resolve, export the configuration as environment variables (and/or write a file), run the app",
		ArgsUsage: "-- CMD [ARGS...]",
		Description: `The container entrypoint: ENTRYPOINT ["env-config-resolver", "exec", "--"]
CMD ["/app/server"]. The app gets the current environment plus APP_ENV and
every key flattened: db.max_conns as DB_MAX_CONNS (--prefix adds a prefix;
lists and maps as JSON). --write FILE also writes the configuration (JSON,
or YAML for .yml/.yaml) with mode 0600. Signals (TERM, INT, HUP, QUIT, USR1,
USR2, WINCH) go to the app, its exit status comes back, and as PID 1 the
resolver reaps orphaned processes. Secrets reach the app, never the logs.

A configuration that does not resolve (a bad file, a bad override, a
secret that cannot be found) stops before the app starts: exit 2 with every
problem. Schema violations and unknown keys are warnings on stderr and the
app starts ('check' in CI is where they fail the build); --strict (or
DOCKWRIGHT_STRICT=true) refuses to start the app on them too (exit 2).`,
		Flags: append(bundleFlags(),
			&cli.StringFlag{Name: "prefix", Usage: "`PREFIX` of the exported names"},
			&cli.StringFlag{Name: "write", Usage: "also write the configuration to `FILE`"},
			&cli.BoolFlag{Name: "no-env", Usage: "do not export the configuration as environment variables"},
			&cli.BoolFlag{Name: "strict", Usage: "refuse to start the app (exit 2) when the configuration violates the schema or has unknown keys", EnvVars: []string{"DOCKWRIGHT_STRICT"}},
		),
		Action: execAction,
	}
}

func execAction(cliContext *cli.Context) error {
	argv := cliContext.Args().Slice()
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return cmdutil.Usagef("exec: no command (usage: env-config-resolver exec [flags] -- CMD [ARGS...])")
	}
	_, c, err := load(cliContext, envconfig.Options{})
	if err != nil {
		return err
	}
	if cliContext.Bool("strict") && (len(c.Unknown) > 0 || len(c.Invalid) > 0) {
		var problems []string
		for _, u := range c.Unknown {
			problems = append(problems, "unknown key "+u)
		}
		for _, e := range c.Invalid {
			problems = append(problems, "schema: "+e.Error())
		}
		return cmdutil.Usagef("exec --strict: the %s configuration has %d problems; the app was not started:\n  %s", c.Env, len(problems), strings.Join(problems, "\n  "))
	}
	warnUnknown(cliContext, c)
	if path := cliContext.String("write"); path != "" {
		if err := writeConfig(path, c.Values); err != nil {
			return err
		}
	}
	env := os.Environ()
	if !cliContext.Bool("no-env") {
		env = c.Environ(env, cliContext.String("prefix"))
	}
	status, err := envconfig.Exec(argv, env, os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		return cmdutil.WithCode(status, err)
	}
	// The app's status is the whole story: its own stderr said the rest.
	return cmdutil.Status(status)
}

func writeConfig(path string, values map[string]any) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("writing configuration: %w", err)
	}
	format := envconfig.FormatJSON
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".yml" || ext == ".yaml" {
		format = envconfig.FormatYAML
	}
	err = envconfig.Print(f, values, format, "")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
