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
	if err := cmdutil.Args(cliContext, "SERVICE"); err != nil {
		return err
	}
	s, err := regflags.New(cliContext)
	if err != nil {
		return err
	}
	format, err := cmdutil.OutputFormat(cliContext)
	if err != nil {
		return err
	}
	repo, err := s.Repository(cliContext.Args().First())
	if err != nil {
		return err
	}
	v, err := s.Client.ListVersions(cliContext.Context, repo, s.Scheme)
	if err != nil {
		return regflags.ExitCode(err)
	}
	w := cliContext.App.Writer
	if format == cmdutil.FormatJSON {
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
