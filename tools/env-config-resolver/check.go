package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/envconfig"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "lint the bundle for CI: every environment resolves, validates, has no unknown keys or unresolved references",
		Description: `Exit 3 with every problem listed, not just the first. Secret references are
checked for syntax and backend; with --resolve-secrets also for presence
(their values are never printed).`,
		Flags: append(bundleFlags(),
			&cli.BoolFlag{Name: "all-envs", Usage: "check every environment of the bundle"},
			&cli.BoolFlag{Name: "resolve-secrets", Usage: "check that every secret reference resolves (values are not printed)"},
			&cli.BoolFlag{Name: "no-strict", Usage: "allow keys that default.yml and the schema do not have"},
		),
		Action: checkAction,
	}
}

func checkAction(cliContext *cli.Context) error {
	if cliContext.NArg() > 0 {
		return cmdutil.Usagef("check: unexpected argument %q", cliContext.Args().First())
	}
	b, err := envconfig.LoadBundle(cliContext.String("dir"))
	if err != nil {
		return configCodes.Mark(err)
	}
	var envs []string
	if cliContext.Bool("all-envs") {
		envs = b.Envs
	} else {
		env, _, err := b.PickEnv(cliContext.String("env"), os.Environ())
		if err != nil {
			return configCodes.Mark(err)
		}
		envs = []string{env}
	}
	rs, err := resolvers(cliContext, b.Dir, os.Environ())
	if err != nil {
		return configCodes.Mark(err)
	}
	var problems []string
	for _, env := range envs {
		o := envconfig.Options{Environ: os.Environ(), OverridePrefix: cliContext.String("override-prefix"), CheckSecrets: true, Resolvers: rs}
		if !cliContext.Bool("resolve-secrets") {
			o.CheckSecrets, o.SkipSecrets = false, true
		}
		c, err := b.Resolve(cliContext.Context, env, o)
		if err != nil {
			if !errors.Is(err, envconfig.ErrInvalid) && !errors.Is(err, envconfig.ErrUnresolved) {
				return err
			}
			problems = append(problems, fmt.Sprintf("%s: %v", env, err))
			if c == nil {
				continue
			}
		}
		if !cliContext.Bool("no-strict") {
			for _, u := range c.Unknown {
				problems = append(problems, fmt.Sprintf("%s: unknown key %s", env, u))
			}
		}
		for _, e := range c.Invalid {
			problems = append(problems, fmt.Sprintf("%s: schema: %v", env, e))
		}
	}
	w := cliContext.App.Writer
	if len(problems) == 0 {
		fmt.Fprintf(w, "ok: %s (%d environments)\n", strings.Join(envs, ", "), len(envs))
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(w, p)
	}
	return cmdutil.Failures(fmt.Errorf("check found %d problems in %s", len(problems), b.Dir))
}
