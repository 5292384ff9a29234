package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
)

func versionsCommand() *cli.Command {
	return registryCommand(&cli.Command{
		Name:      "versions",
		Usage:     "list the builds of a service, newest first, with digest and the environment tags on each",
		ArgsUsage: "SERVICE",
		Action:    versions,
	})
}

func versions(cliContext *cli.Context) error {
	r, err := startService(cliContext, []string{"SERVICE"}, "")
	if err != nil {
		return err
	}
	v, err := r.Client.ListVersions(cliContext.Context, r.repo, r.Scheme)
	if err != nil {
		return regflags.Codes.Mark(err)
	}
	w := cliContext.App.Writer
	if r.format == cmdutil.FormatJSON {
		return cmdutil.WriteJSON(w, v)
	}
	t := cmdutil.NewTable(w, "BUILD", "TAG", "DIGEST", "ENVS")
	for _, x := range v.Versions {
		t.Row(fmt.Sprint(x.Build), x.Tag, x.Digest, strings.Join(x.Envs, ","))
	}
	for _, e := range v.Envs {
		if e.Promoted && e.Build == 0 {
			t.Row("-", e.Env, e.Digest, "(no version tag has this digest)")
		}
	}
	return t.Flush()
}
