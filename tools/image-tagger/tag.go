package main

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
	"github.com/dockwright/dockwright/internal/docker"
	"github.com/dockwright/dockwright/internal/dockerauth"
	"github.com/dockwright/dockwright/internal/imagetag"
)

// tagSetFlags are a build's tag set, as tags, tag and push read it.
func tagSetFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "build-number", Usage: "build number `N`", EnvVars: []string{"BUILD_NUMBER"}},
		&cli.StringFlag{Name: "git-commit", Usage: "commit `SHA` (tagged as git-<first 7>)", EnvVars: []string{"GIT_COMMIT"}},
		&cli.StringSliceFlag{Name: "extra", Usage: "extra `TAG` (repeatable); must be a valid Docker tag, not a version or environment"},
	}
}

// tagSet reads tagSetFlags into the build's tags (bad input is exit 2,
// naming the command).
func tagSet(cliContext *cli.Context, s *regflags.Setup) ([]string, error) {
	if cliContext.String("build-number") == "" {
		return nil, cmdutil.Usagef("%s: no build number: give --build-number N or set BUILD_NUMBER", cliContext.Command.Name)
	}
	tags, err := s.Scheme.Tags(imagetag.BuildInfo{
		BuildNumber: cliContext.String("build-number"),
		GitCommit:   cliContext.String("git-commit"),
		Extra:       cliContext.StringSlice("extra"),
	})
	if err != nil {
		return nil, cmdutil.Usage(fmt.Errorf("%s: %w", cliContext.Command.Name, err))
	}
	return tags, nil
}

// references are repo's references for tags: REPOSITORY:TAG.
func references(repo name.Repository, tags []string) []string {
	refs := make([]string, 0, len(tags))
	for _, t := range tags {
		refs = append(refs, repo.Tag(t).Name())
	}
	return refs
}

// buildFlags are the flags of tag and push: the service, the build, and
// the command's --output.
func buildFlags(output cli.Flag) []cli.Flag {
	flags := append([]cli.Flag{&cli.StringFlag{Name: "service", Usage: "service `NAME` (or repository) the image is for (required)"}}, tagSetFlags()...)
	return append(append(flags, output), regflags.ResolveFlags()...)
}

func tagCommand() *cli.Command {
	c := &cli.Command{
		Name:      "tag",
		Usage:     "apply a build's tag set (build number, git-<sha>, extras) to a local image in the Docker Engine",
		ArgsUsage: "IMAGE",
		Description: `IMAGE is a local image ID or reference (what docker build produced). The
references are SERVICE's repository with each tag of the build's set; with
--push they are pushed too (see 'image-tagger push --help').`,
		Flags:  append(buildFlags(cmdutil.OutputFlag()), &cli.BoolFlag{Name: "push", Usage: "push the references after tagging"}),
		Action: func(cliContext *cli.Context) error { return tagAndPush(cliContext, cliContext.Bool("push")) },
	}
	return c
}

func pushCommand() *cli.Command {
	return &cli.Command{
		Name:      "push",
		Usage:     "tag a local image with the build's tag set and push it through the Docker Engine; prints the digests",
		ArgsUsage: "IMAGE",
		Description: `Credentials come from ~/.docker/config.json ($DOCKER_CONFIG) and its
credential helpers, as for docker push. The Engine's progress goes to
stderr (bars on a terminal, plain lines in Jenkins); stdout gets the pushed
references with their digest, so the next step deploys REPOSITORY@DIGEST:

  image-tagger push web:candidate --service web -o pinned     # REPOSITORY@DIGEST, one line
  image-tagger push web:candidate --service web -o json | jq -r '.references[0].pinned'`,
		Flags:  buildFlags(cmdutil.PinnedOutputFlag()),
		Action: func(cliContext *cli.Context) error { return tagAndPush(cliContext, true, cmdutil.FormatPinned) },
	}
}

// tagAndPush tags IMAGE with the build's references and pushes them when
// push; also are the output formats the command accepts beyond json and
// table.
func tagAndPush(cliContext *cli.Context, push bool, also ...cmdutil.Format) error {
	if err := cmdutil.Args(cliContext, "IMAGE"); err != nil {
		return err
	}
	svc := cliContext.String("service")
	if svc == "" {
		return cmdutil.Usagef("%s: missing --service NAME", cliContext.Command.Name)
	}
	format, err := cmdutil.OutputFormat(cliContext, also...)
	if err != nil {
		return err
	}
	s, err := regflags.NewResolver(cliContext)
	if err != nil {
		return err
	}
	tags, err := tagSet(cliContext, s)
	if err != nil {
		return err
	}
	repo, err := s.Repository(svc)
	if err != nil {
		return err
	}
	refs := references(repo, tags)
	ctx := cliContext.Context
	eng, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	source := cliContext.Args().First()
	out, err := docker.Tag(ctx, eng, source, refs)
	if err != nil {
		return engineCodes.Mark(err)
	}
	if push {
		if err := docker.Push(ctx, eng, out, dockerauth.Engine(s.Client.Keychain()), cliContext.App.ErrWriter); err != nil {
			return engineCodes.Mark(err)
		}
	}
	w := cliContext.App.Writer
	if format == cmdutil.FormatPinned {
		// Every reference of the build has the one digest the push made.
		_, err := fmt.Fprintln(w, out[0].Pinned)
		return err
	}
	if format == cmdutil.FormatJSON {
		return cmdutil.WriteJSON(w, struct {
			Image      string             `json:"image"`
			Pushed     bool               `json:"pushed"`
			References []docker.Reference `json:"references"`
		}{source, push, out})
	}
	t := cmdutil.NewTable(w, "REFERENCE", "DIGEST")
	for _, r := range out {
		t.Row(r.Reference, r.Digest)
	}
	return t.Flush()
}

// engineCodes are the Engine's exit codes: a missing local image is bad
// input (2).
var engineCodes = cmdutil.Codes{Usage: []error{docker.ErrNotFound}}
