package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/notifyflag"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
	"github.com/dockwright/dockwright/internal/imagetag"
	"github.com/dockwright/dockwright/internal/notify"
	"github.com/dockwright/dockwright/internal/registry"
	"github.com/dockwright/dockwright/plugins/sdk/contract"
)

func promoteCommand() *cli.Command {
	return registryCommandWith(&cli.Command{
		Name:      "promote",
		Usage:     "point an environment tag at a build inside the registry (no layer moves) and record it",
		ArgsUsage: "SERVICE BUILD",
		Description: `SERVICE's repository comes from the catalog (its image:) or --registry.
With -o pinned the only output is REPOSITORY@DIGEST, what a deploy of the
environment pins:

  make deploy IMAGE=$(image-tagger promote web 142 --env prod -o pinned)`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "env", Usage: "environment `ENV` to promote to (required)"},
			notifyflag.Flag("about the promotion (promotion)"),
			&cli.BoolFlag{Name: "no-record", Usage: "do not write the promotion record ENV.BUILD.TIME (one request less; the promotion will not show in history)"},
			&cli.BoolFlag{Name: "rollback", Usage: "record a rollback (ENV.BUILD.rollback.TIME; history shows it as one): what rollback.yml runs once every host is back on BUILD"},
		},
		Action: promote,
	}, cmdutil.PinnedOutputFlag())
}

func promote(cliContext *cli.Context) error {
	if err := cmdutil.Args(cliContext, "SERVICE", "BUILD"); err != nil {
		return err
	}
	build, err := imagetag.BuildArg(cliContext.Args().Get(1))
	if err != nil {
		return cmdutil.Usagef("promote: BUILD: %v", err)
	}
	env := cliContext.String("env")
	if env == "" {
		return cmdutil.Usagef("promote: missing --env ENV")
	}
	r, err := startService(cliContext, []string{"SERVICE", "BUILD"}, env, cmdutil.FormatPinned)
	if err != nil {
		return err
	}
	s, format, repo := r.Setup, r.format, r.repo
	notifiers, err := notifyflag.Load(cliContext)
	if err != nil {
		return err
	}
	if cliContext.Bool("no-record") && cliContext.Bool("rollback") {
		return cmdutil.Usagef("promote: --no-record and --rollback: a rollback is a record; give one of them")
	}
	var p *registry.Promotion
	switch {
	case cliContext.Bool("no-record"):
		p, err = s.Client.PromoteUnrecorded(cliContext.Context, repo, s.Scheme, build, env)
	case cliContext.Bool("rollback"):
		p, err = s.Client.Rollback(cliContext.Context, repo, s.Scheme, build, env, time.Now())
	default:
		p, err = s.Client.Promote(cliContext.Context, repo, s.Scheme, build, env, time.Now())
	}
	if p == nil {
		return regflags.Codes.Mark(err)
	}
	details, _ := json.Marshal(p)
	summary := fmt.Sprintf("%s build %d promoted to %s", p.Repository, p.Build, env)
	if p.Rollback {
		summary = fmt.Sprintf("%s rolled back to build %d in %s", p.Repository, p.Build, env)
	}
	notifiers.Emit(cliContext.Context, notify.Event{Kind: contract.EventPromotion, Source: "image-tagger", Service: cliContext.Args().First(), Env: env,
		Details: details, Summary: summary})
	w := cliContext.App.Writer
	switch format {
	case cmdutil.FormatPinned:
		fmt.Fprintf(w, "%s@%s\n", p.Repository, p.Digest)
	case cmdutil.FormatJSON:
		if werr := cmdutil.WriteJSON(w, p); werr != nil {
			return werr
		}
	default:
		verb := "promoted %s build %d to %s (%s)\n"
		if p.Rollback {
			verb = "rolled %s back to build %d in %s (%s)\n"
		}
		fmt.Fprintf(w, verb, p.Repository, p.Build, p.Env, p.Digest)
		if p.Record != "" {
			fmt.Fprintf(w, "recorded as %s:%s\n", p.Repository, p.Record)
		}
	}
	return regflags.Codes.Mark(err)
}
