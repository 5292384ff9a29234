package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
)

func tagsCommand() *cli.Command {
	c := &cli.Command{
		Name:  "tags",
		Usage: "print the tags a build gets: build number, git-<short sha>, extras (one per line, or JSON)",
		Description: `Defaults come from Jenkins: BUILD_NUMBER and GIT_COMMIT. With --service the
output is full references (REPOSITORY:TAG), the repository coming from the
catalog or --registry. No registry is contacted.

  for ref in $(image-tagger tags --service web --registry reg:5000); do docker tag web:build "$ref"; done`,
		Flags: append(tagSetFlags(),
			&cli.StringFlag{Name: "service", Usage: "print REPOSITORY:TAG for `SERVICE`"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "lines (default, for shell loops) or json", Value: "lines"},
		),
		Action: tags,
	}
	c.Flags = append(c.Flags, regflags.ResolveFlags()...)
	return c
}
func tags(cliContext *cli.Context) error {
	if cliContext.NArg() > 0 {
		return cmdutil.Usagef("tags: unexpected argument %q (it takes flags only)", cliContext.Args().First())
	}
	format := cliContext.String("output")
	if format != "lines" && format != "json" {
		return cmdutil.Usagef("invalid value %q for flag --output: want lines or json", format)
	}
	s, err := regflags.NewResolver(cliContext)
	if err != nil {
		return err
	}
	list, err := tagSet(cliContext, s)
	if err != nil {
		return err
	}
	out := struct {
		Repository string   `json:"repository,omitempty"`
		Tags       []string `json:"tags"`
		References []string `json:"references,omitempty"`
	}{Tags: list}
	lines := list
	if svc := cliContext.String("service"); svc != "" {
		repo, err := s.Repository(svc)
		if err != nil {
			return err
		}
		out.Repository = repo.Name()
		out.References = references(repo, list)
		lines = out.References
	}
	if format == "json" {
		return cmdutil.WriteJSON(cliContext.App.Writer, out)
	}
	for _, l := range lines {
		fmt.Fprintln(cliContext.App.Writer, l)
	}
	return nil
}
