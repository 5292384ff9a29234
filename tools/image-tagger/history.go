package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
	"github.com/dockwright/dockwright/internal/imagetag"
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
	env := cliContext.String("env")
	r, err := startService(cliContext, []string{"SERVICE"}, env)
	if err != nil {
		return err
	}
	repo := r.repo
	h, err := r.Client.History(cliContext.Context, repo, r.Scheme, env)
	if err != nil {
		return regflags.Codes.Mark(err)
	}
	w := cliContext.App.Writer
	if r.format == cmdutil.FormatJSON {
		return cmdutil.WriteJSON(w, struct {
			Repository string                     `json:"repository"`
			Promotions []imagetag.PromotionRecord `json:"promotions"`
		}{Repository: repo.Name(), Promotions: h})
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
