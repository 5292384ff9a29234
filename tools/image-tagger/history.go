package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
)

func historyCommand() *cli.Command {
	return registryCommand(&cli.Command{
		Name:      "history",
		Usage:     "list the recorded promotions and rollbacks of a service, newest first (by time, then build)",
		ArgsUsage: "SERVICE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "env", Usage: "only environment `ENV` (default: every environment)"},
		},
		Action: history,
	})
}

func history(cliContext *cli.Context) error {
	if err := cmdutil.Args(cliContext, "SERVICE"); err != nil {
		return err
	}
	s, err := regflags.New(cliContext)
	if err != nil {
		return err
	}
	env := cliContext.String("env")
	if env != "" && !s.Scheme.IsEnv(env) {
		return cmdutil.Usagef("invalid value %q for flag --env: known environments are %s (--envs)", env, strings.Join(s.Scheme.Envs(), ", "))
	}
	format, err := cmdutil.OutputFormat(cliContext)
	if err != nil {
		return err
	}
	repo, err := s.Repository(cliContext.Args().First())
	if err != nil {
		return err
	}
	h, err := s.Client.History(cliContext.Context, repo, s.Scheme, env)
	if err != nil {
		return regflags.ExitCode(err)
	}
	w := cliContext.App.Writer
	if format == cmdutil.FormatJSON {
		type entry struct {
			Env      string    `json:"env"`
			Build    uint64    `json:"build"`
			At       time.Time `json:"at"`
			Rollback bool      `json:"rollback"`
			Record   string    `json:"record"`
		}
		out := struct {
			Repository string  `json:"repository"`
			Promotions []entry `json:"promotions"`
		}{Repository: repo.Name(), Promotions: []entry{}}
		for _, p := range h {
			out.Promotions = append(out.Promotions, entry{p.Env, p.Build, p.At, p.Rollback, p.Tag})
		}
		return cmdutil.WriteJSON(w, out)
	}
	t := cmdutil.NewTable(w, "WHEN (UTC)", "ENV", "BUILD", "WHAT")
	for _, p := range h {
		what := "promotion"
		if p.Rollback {
			what = "rollback"
		}
		t.Row(p.At.Format("2006-01-02 15:04:05.000"), p.Env, fmt.Sprint(p.Build), what)
	}
	return t.Flush()
}
