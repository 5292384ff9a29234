package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
)

func currentCommand() *cli.Command {
	return registryCommand(&cli.Command{
		Name:      "current",
		Usage:     "show which build an environment tag points at (by digest); exit 3 when it is not promoted",
		ArgsUsage: "SERVICE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "env", Usage: "environment `ENV`"},
			&cli.BoolFlag{Name: "all-envs", Usage: "every environment tag (never exits 3)"},
		},
		Action: current,
	})
}

func current(cliContext *cli.Context) error {
	if err := cmdutil.Args(cliContext, "SERVICE"); err != nil {
		return err
	}
	env, all := cliContext.String("env"), cliContext.Bool("all-envs")
	if (env == "") == !all {
		return cmdutil.Usagef("current: give exactly one of --env ENV or --all-envs")
	}
	r, err := startService(cliContext, []string{"SERVICE"}, env)
	if err != nil {
		return err
	}
	s, format, repo := r.Setup, r.format, r.repo
	envs := s.Scheme.Envs()
	if !all {
		envs = []string{env}
	}
	ptrs, err := s.Client.Current(cliContext.Context, repo, s.Scheme, envs)
	if err != nil {
		return regflags.Codes.Mark(err)
	}
	w := cliContext.App.Writer
	if format == cmdutil.FormatJSON {
		type out struct {
			Repository string `json:"repository"`
			Envs       any    `json:"envs"`
		}
		if err := cmdutil.WriteJSON(w, out{repo.Name(), ptrs}); err != nil {
			return err
		}
	} else {
		t := cmdutil.NewTable(w, "ENV", "BUILD", "DIGEST")
		for _, p := range ptrs {
			switch {
			case !p.Promoted:
				t.Row(p.Env, "", "not promoted")
			case p.Build == 0:
				t.Row(p.Env, "", p.Digest+" (no version tag has this digest)")
			default:
				t.Row(p.Env, fmt.Sprint(p.Build), p.Digest)
			}
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if !all && !ptrs[0].Promoted {
		return cmdutil.Failures(fmt.Errorf("%s: %s is not promoted (no %q tag)", repo.Name(), env, env))
	}
	return nil
}
