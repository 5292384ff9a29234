package main

import (
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
)

const description = `In Jenkins: 'tags' computes a build's tag set, 'tag' applies it to the image
docker build made and 'push' also pushes it through the Docker Engine
(DOCKER_HOST honoured) and prints the digests. Then 'promote' moves an
environment tag inside the registry, and 'versions', 'current' and
'history' read it.

Versions are Jenkins build numbers, ordered numerically; environment tags
(dev, staging, prod, latest) are moving pointers. Promotion retags inside the
registry: the build's manifest is fetched once and put under the environment
tag, so no layer moves, and an immutable record tag ENV.BUILD.TIME
(prod.142.20261126T073105.482913006Z) keeps the history.

SERVICE is a repository (registry.example.com:5000/web), a service of the
catalog (--catalog, $DOCKWRIGHT_CATALOG), or a name under --registry.
Credentials come from ~/.docker/config.json ($DOCKER_CONFIG) and its
credential helpers; they are never printed.

Amazon ECR (ACCOUNT.dkr.ecr.REGION.amazonaws.com, or --backend ecr) is
spoken to through its API with the AWS credentials of the default chain,
which also authenticate pushes: no docker login. See docs/image-tagger.md.

Exit codes: 0 done; 1 registry, Docker Engine, network or auth failure; 2
bad flags, arguments, catalog, a build or local image that does not exist;
3 'current' found the environment not promoted, or ECR refused to move an
immutable tag.`

func newApp() *cli.App {
	app := cmdutil.NewApp("image-tagger", "list, promote and compute image tags (build numbers and environment pointers)")
	app.Description = description
	cmdutil.AddCommands(app,
		versionsCommand(),
		currentCommand(),
		promoteCommand(),
		historyCommand(),
		tagsCommand(),
		tagCommand(),
		pushCommand(),
	)
	return app
}

// registryCommand returns a command with the shared registry flags, the
// output flag, and flags allowed after the arguments.
func registryCommand(c *cli.Command) *cli.Command {
	return registryCommandWith(c, cmdutil.OutputFlag())
}

// registryCommandWith is registryCommand with the command's own --output
// (cmdutil.PinnedOutputFlag for promote).
func registryCommandWith(c *cli.Command, output cli.Flag) *cli.Command {
	c.Flags = append(append(c.Flags, regflags.Flags()...), output)
	return c
}

// serviceRun is what versions, current, history and promote start from:
// the registry set up, the output format, SERVICE's repository.
type serviceRun struct {
	*regflags.Setup
	format cmdutil.Format
	repo   name.Repository
}

// startService checks the arguments (SERVICE first), sets up the registry,
// checks env against the version scheme when given, reads --output (also
// allowing formats) and resolves SERVICE's repository.
func startService(cliContext *cli.Context, args []string, env string, formats ...cmdutil.Format) (*serviceRun, error) {
	if err := cmdutil.Args(cliContext, args...); err != nil {
		return nil, err
	}
	s, err := regflags.New(cliContext)
	if err != nil {
		return nil, err
	}
	if env != "" {
		if err := s.Scheme.CheckEnv(env); err != nil {
			return nil, cmdutil.Usagef("invalid value %q for flag --env: %v (--envs)", env, err)
		}
	}
	format, err := cmdutil.OutputFormat(cliContext, formats...)
	if err != nil {
		return nil, err
	}
	repo, err := s.Repository(cliContext.Args().First())
	if err != nil {
		return nil, err
	}
	return &serviceRun{Setup: s, format: format, repo: repo}, nil
}
