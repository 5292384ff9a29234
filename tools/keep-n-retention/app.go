package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/notifyflag"
	"github.com/dockwright/dockwright/internal/cmdutil/schemeflags"
	"github.com/dockwright/dockwright/internal/docker"
	"github.com/dockwright/dockwright/internal/notify"
	"github.com/dockwright/dockwright/internal/retention"
	"github.com/dockwright/dockwright/internal/short"
	"github.com/dockwright/dockwright/plugins/sdk/contract"
)

const description = `Run on a host by the Ansible deploy role after each deploy, or from cron.

Scope: the --service names (repositories whose last path element is the
name: */web), the --repo patterns, or by default every repository with at
least one build-number tag.

Policy: per repository, the versions running containers use are kept and
count toward --keep, then the newest others by build number (never by
creation time); an image any container uses is never removed (with
--prune-stopped-containers, the stopped containers of versions being removed
go first); an image is one unit whatever its tags, and one with an
environment tag (latest, prod...) or a tag outside the scope stays;
--min-age keeps images pulled in the last DURATION. Removing every version
of a repository needs --allow-empty.

The plan is printed (table, or JSON with 'changed' for Ansible), then
applied unless --dry-run, under the host lock the deploy role also takes
(flock on --lock-file). One image list and one container list per run.

Exit codes: 0 done; 1 Engine unreachable, lock timeout, a removal failed
(the others went on); 2 bad flags; 3 a repository's plan was refused.`

func newApp() *cli.App {
	app := cmdutil.NewApp("keep-n-retention", "keep the newest N versions of each service image on this host, remove the rest")
	app.UsageText = "keep-n-retention [--service NAME ...] [--keep N] [--dry-run] [flags]"
	app.Description = description
	app.Flags = append(app.Flags,
		&cli.StringSliceFlag{Name: "service", Usage: "manage repositories named `NAME` (*/NAME; repeatable)"},
		&cli.StringSliceFlag{Name: "repo", Usage: "manage repositories matching `GLOB` (registry:5000/team/*; repeatable)"},
		&cli.IntFlag{Name: "keep", Usage: "versions to keep per repository, running ones included", Value: 3, EnvVars: []string{"DOCKWRIGHT_RETENTION_KEEP"}},
		&cli.DurationFlag{Name: "min-age", Usage: "keep images pulled or tagged here less than `DURATION` ago (a deploy in progress); one inspect per candidate"},
		&cli.BoolFlag{Name: "prune-stopped-containers", Usage: "remove the stopped containers of versions being removed (otherwise those versions stay)"},
		&cli.BoolFlag{Name: "dangling", Usage: "also remove untagged images of managed repositories that no container uses"},
		&cli.BoolFlag{Name: "allow-empty", Usage: "allow removing every version of a repository"},
		&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print the plan and stop"},
		&cli.StringFlag{Name: "lock-file", Usage: "host lock `PATH` shared with the deploy role (flock)", Value: retention.DefaultLockFile, EnvVars: []string{"DOCKWRIGHT_LOCK_FILE"}},
		&cli.DurationFlag{Name: "lock-timeout", Usage: "how long to wait for the host lock", Value: 5 * time.Minute, EnvVars: []string{"DOCKWRIGHT_LOCK_TIMEOUT"}},
		&cli.IntFlag{Name: "concurrency", Usage: "removals in flight", Value: 4},
		notifyflag.Flag("the run's summary when something was removed or failed (retention.summary)"),
		cmdutil.OutputFlag(),
	)
	app.Flags = append(app.Flags, schemeflags.Flags()...)
	app.Action = run
	return app
}

type report struct {
	Changed        bool                 `json:"changed"`
	DryRun         bool                 `json:"dry_run"`
	Host           string               `json:"engine"`
	Policy         retention.Policy     `json:"policy"`
	Repositories   []retention.RepoPlan `json:"repositories"`
	Removals       []retention.Removal  `json:"removals"`
	Removed        int                  `json:"removed"`
	Failed         int                  `json:"failed"`
	BytesReclaimed int64                `json:"bytes_reclaimed"`
	// BytesReclaimable is what the plan reclaims if every removal goes
	// (on --dry-run: what it would reclaim).
	BytesReclaimable int64             `json:"bytes_reclaimable"`
	EngineCalls      docker.CallCounts `json:"engine_calls"`
}

func run(cliContext *cli.Context) error {
	if cliContext.NArg() > 0 {
		return cmdutil.Usagef("unexpected argument %q (services are given with --service)", cliContext.Args().First())
	}
	p := retention.Policy{
		Keep: cliContext.Int("keep"), MinAge: cliContext.Duration("min-age"), Now: time.Now(),
		PruneStoppedContainers: cliContext.Bool("prune-stopped-containers"), Dangling: cliContext.Bool("dangling"),
		AllowEmpty: cliContext.Bool("allow-empty"),
		Scope:      retention.Scope{Services: cliContext.StringSlice("service"), Repos: cliContext.StringSlice("repo")},
	}
	if err := p.Validate(); err != nil {
		return cmdutil.Usagef("invalid policy: %v", err)
	}
	if n := cliContext.Int("concurrency"); n < 1 {
		return cmdutil.Usagef("invalid value %d for flag --concurrency: want 1 or more", n)
	}
	if d := cliContext.Duration("lock-timeout"); d < 0 {
		return cmdutil.Usagef("invalid value %s for flag --lock-timeout", d)
	}
	scheme, err := schemeflags.Scheme(cliContext)
	if err != nil {
		return err
	}
	format, err := cmdutil.OutputFormat(cliContext)
	if err != nil {
		return err
	}
	notifiers, err := notifyflag.Load(cliContext)
	if err != nil {
		return err
	}
	ctx := cliContext.Context
	dryRun := cliContext.Bool("dry-run")
	if !dryRun {
		unlock, err := retention.Lock(ctx, cliContext.String("lock-file"), cliContext.Duration("lock-timeout"))
		if err != nil {
			return err
		}
		defer unlock()
	}
	eng, err := docker.Connect(ctx)
	if err != nil {
		return err
	}
	plan, err := retention.Run(ctx, eng, scheme, p)
	if err != nil {
		return err
	}
	w, stderr := cliContext.App.Writer, cliContext.App.ErrWriter
	if format == cmdutil.FormatTable {
		printPlan(w, plan)
	}
	var applyErr error
	if !dryRun && len(plan.Removals) > 0 {
		bar := cmdutil.NewProgress(stderr, "removing", len(plan.Removals))
		applyErr = retention.Apply(ctx, eng, &plan, cliContext.Int("concurrency"), func() { bar.Add(1) })
		bar.Done()
	}
	rep := report{DryRun: dryRun, Host: eng.Host, Policy: p, Repositories: plan.Repositories, Removals: plan.Removals, EngineCalls: eng.Counts()}
	sum := plan.Summarize()
	rep.Removed, rep.Failed, rep.BytesReclaimed, rep.BytesReclaimable = sum.Removed, sum.Failed, sum.BytesReclaimed, sum.BytesReclaimable
	rep.Changed = rep.Removed > 0
	if rep.Changed || rep.Failed > 0 {
		details, _ := json.Marshal(struct {
			Removed, Failed int
			Bytes           int64
		}{rep.Removed, rep.Failed, rep.BytesReclaimed})
		service := "" // the service, when the run managed one (a host serves every environment's builds alike)
		if svcs := p.Scope.Services; len(svcs) == 1 && len(p.Scope.Repos) == 0 {
			service = svcs[0]
		}
		notifiers.Emit(ctx, notify.Event{Kind: contract.EventRetentionSum, Source: "keep-n-retention", Service: service, Details: details,
			Summary: fmt.Sprintf("%s: removed %d images (%s), %d failed", eng.Host, rep.Removed, mb(rep.BytesReclaimed), rep.Failed)})
	}
	if format == cmdutil.FormatJSON {
		if err := cmdutil.WriteJSON(w, rep); err != nil {
			return err
		}
	} else {
		printSummary(w, rep)
	}
	return retentionCodes.Mark(retention.Outcome(plan, applyErr))
}

// retentionCodes: a refused repository is "the job found failures" (3).
var retentionCodes = cmdutil.Codes{Failures: []error{retention.ErrRefused}}

func printPlan(w io.Writer, plan retention.Plan) {
	for _, rp := range plan.Repositories {
		fmt.Fprintln(w, rp.Repository)
		if rp.Refused != "" {
			fmt.Fprintf(w, "  REFUSED: %s\n", rp.Refused)
		}
		t := cmdutil.NewTable(w, "  VERSION", "IMAGE", "CREATED", "SIZE", "ACTION", "REASON")
		for _, d := range rp.Images {
			v := ""
			if d.Build > 0 {
				v = fmt.Sprint(d.Build)
			}
			t.Row("  "+v, short.ID(d.ID), d.Created.Format("2006-01-02 15:04"), mb(d.Size), d.Action, d.Reason)
		}
		t.Flush()
		fmt.Fprintln(w)
	}
	for _, r := range plan.Removals {
		if r.Dangling {
			fmt.Fprintf(w, "dangling %s %s: remove\n", short.ID(r.ID), mb(r.Size))
		}
	}
}

func printSummary(w io.Writer, r report) {
	verb, n, bytes := "removed", r.Removed, r.BytesReclaimed
	if r.DryRun {
		verb, n, bytes = "would remove", len(r.Removals), r.BytesReclaimable
	}
	fmt.Fprintf(w, "%d repositories; %s %d images (%s at most)", len(r.Repositories), verb, n, mb(bytes))
	if r.Failed > 0 {
		fmt.Fprintf(w, "; %d failed", r.Failed)
	}
	c := r.EngineCalls
	fmt.Fprintf(w, "\nengine calls: ping %d, image list %d, container list %d, inspect %d, image remove %d, container remove %d\n",
		c.Ping, c.ImageList, c.ContainerList, c.ImageInspect, c.ImageRemove, c.ContainerRemove)
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
