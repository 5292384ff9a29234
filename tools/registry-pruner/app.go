package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/notifyflag"
	"github.com/dockwright/dockwright/internal/cmdutil/regflags"
	"github.com/dockwright/dockwright/internal/cmdutil/schemeflags"
	"github.com/dockwright/dockwright/internal/notify"
	"github.com/dockwright/dockwright/internal/registry"
	"github.com/dockwright/dockwright/internal/short"
	"github.com/dockwright/dockwright/plugins/sdk/contract"
)

const description = `Scope: the --repo repositories (repeatable; bare names are taken under
--registry), else every service of the catalog (--catalog,
$DOCKWRIGHT_CATALOG), else every repository of --registry (_catalog).

Policy: keep the newest --keep builds of each repository by build number
(never by push time, never lexically); with --keep-younger-than also the
builds created since; never delete an environment tag (dev, staging, prod,
latest) or a tag matching --protect. The tags image-tagger writes for a
build belong to it: its commit tag (git-<sha7>) and the extra tags matching
--build-tag are kept and deleted with the build whose digest they share.
Every other tag (one dockwright did not write) is left alone unless
--prune-other. The registry deletes by digest, and that removes every tag on
the digest: a build that shares its digest with a kept or protected tag
stays (the plan names the tags that held it, and stderr warns when a tag
dockwright did not write is what holds old builds), and a multi-arch index
is kept or deleted whole, children included.

The plan is printed first (a table, or with --output json one document at
the end); --dry-run stops there. Before deleting, each repository's tags are
listed and resolved again, so a tag moved during the run keeps what it now
points at. A failure or Ctrl-C leaves the registry consistent; run again to
finish. Space comes back only when the registry's garbage collector runs
(see docs/registry-pruner.md).

Amazon ECR (ACCOUNT.dkr.ecr.REGION.amazonaws.com, or --backend ecr) is
pruned through its API with the AWS credentials of the default chain: the
same plan, deletions by digest in BatchDeleteImage calls of at most 100
ids, space freed by ECR itself. --lifecycle-policy prints the closest ECR
lifecycle policy instead, and what it cannot do.

Exit codes: 0 done; 1 a repository could not be read or a deletion failed;
2 bad flags or catalog; 3 a policy refused to act (it would delete every
version: --allow-empty).`

func newApp() *cli.App {
	app := cmdutil.NewApp("registry-pruner", "delete old builds from a Docker registry, safely (plan, then apply)")
	app.UsageText = "registry-pruner [--repo REPO ...] [--keep N] [--dry-run] [flags]"
	app.Description = description
	app.Flags = append(app.Flags,
		&cli.StringSliceFlag{Name: "repo", Usage: "repository `REPO` to prune (repeatable): HOST[:PORT]/PATH, a catalog service, or a name under --registry"},
		&cli.IntFlag{Name: "keep", Usage: "newest builds to keep per repository", Value: 10, EnvVars: []string{"DOCKWRIGHT_KEEP"}},
		&cli.DurationFlag{Name: "keep-younger-than", Usage: "also keep builds created less than `DURATION` ago (e.g. 168h); costs two requests per candidate"},
		&cli.StringSliceFlag{Name: "protect", Usage: "never delete tags matching `GLOB` (repeatable; shell-style: release-*, v1.?)"},
		&cli.StringSliceFlag{Name: "build-tag", Usage: "tags matching `GLOB` belong to the build sharing their digest, like its git-<sha7> tag: what image-tagger push --extra wrote (repeatable)", EnvVars: []string{"DOCKWRIGHT_BUILD_TAGS"}},
		&cli.BoolFlag{Name: "prune-other", Usage: "also delete tags dockwright did not write (neither versions, build tags nor protected: feature-x...) when nothing kept shares their digest"},
		&cli.BoolFlag{Name: "allow-empty", Usage: "allow deleting every version of a repository"},
		&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print the plan and stop"},
		&cli.BoolFlag{Name: "lifecycle-policy", Usage: "print the Amazon ECR lifecycle policy closest to --keep and --protect (JSON, stdout) and what it does differently (stderr), and stop; contacts no registry"},
		notifyflag.Flag("the run's summary (prune.summary; not on --dry-run)"),
		&cli.StringFlag{Name: "delete-by", Value: "auto", Usage: "`MODE`: tag (remove only the planned tags; Distribution v3), digest (delete the manifests; 2.8), or auto (tag where the registry can, else digest)"},
		cmdutil.OutputFlag(),
	)
	app.Flags = append(app.Flags, regflags.Flags()...)
	app.Action = run
	return app
}

func run(cliContext *cli.Context) error {
	if cliContext.NArg() > 0 {
		return cmdutil.Usagef("unexpected argument %q (repositories are given with --repo)", cliContext.Args().First())
	}
	policy := registry.Policy{
		Keep:            cliContext.Int("keep"),
		KeepYoungerThan: cliContext.Duration("keep-younger-than"),
		Protect:         cliContext.StringSlice("protect"),
		BuildTags:       cliContext.StringSlice("build-tag"),
		PruneOther:      cliContext.Bool("prune-other"),
		AllowEmpty:      cliContext.Bool("allow-empty"),
		Now:             time.Now(),
	}
	if err := policy.Validate(); err != nil {
		return cmdutil.Usagef("invalid policy: %v", err)
	}
	if cliContext.Bool("lifecycle-policy") {
		return printLifecyclePolicy(cliContext, policy)
	}
	mode, err := registry.ParseDeleteMode(cliContext.String("delete-by"))
	if err != nil {
		return cmdutil.Usagef("invalid value for flag --delete-by: %v", err)
	}
	format, err := cmdutil.OutputFormat(cliContext)
	if err != nil {
		return err
	}
	s, err := regflags.New(cliContext, func(o *registry.Options) { o.DeleteBy = mode })
	if err != nil {
		return err
	}
	notifiers, err := notifyflag.Load(cliContext)
	if err != nil {
		return err
	}
	log, _ := cmdutil.Logger(cliContext)
	ctx := cliContext.Context
	repos, err := scope(cliContext, s)
	if err != nil {
		return err
	}
	log.Info("planning", "repositories", len(repos), "keep", policy.Keep)
	plans := s.Client.PlanAll(ctx, repos, s.Scheme, policy)
	warnHeld(log, plans, policy.Keep)
	dryRun := cliContext.Bool("dry-run")
	w, stderr := cliContext.App.Writer, cliContext.App.ErrWriter
	if format == cmdutil.FormatTable {
		printPlan(w, plans)
	}
	if !dryRun && ctx.Err() == nil {
		bar := cmdutil.NewProgress(stderr, "deleting", registry.Planned(plans))
		s.Client.ApplyAll(ctx, repos, plans, func() { bar.Add(1) })
		bar.Done()
	}
	sum := registry.Summarize(plans)
	counts := s.Client.Counts()
	if !dryRun {
		details, _ := json.Marshal(struct {
			Summary  registry.Summary `json:"summary"`
			Requests registry.Counts  `json:"requests"`
		}{sum, counts})
		notifiers.Emit(ctx, notify.Event{Kind: contract.EventPruneSummary, Source: "registry-pruner", Service: eventService(s, repos), Details: details,
			Summary: fmt.Sprintf("%d repositories: %d manifests deleted, %d failed", sum.Repositories, sum.Deleted, sum.DeleteFailed)})
	}
	if format == cmdutil.FormatJSON {
		if err := cmdutil.WriteJSON(w, report{DryRun: dryRun, Policy: policy, Repositories: plans, Summary: sum, Requests: counts}); err != nil {
			return err
		}
	} else {
		printSummary(w, dryRun, sum, counts)
	}
	gcAdvice := false // ECR frees space itself; a registry needs its garbage collector
	for _, r := range repos {
		gcAdvice = gcAdvice || !s.Client.UsesECR(r.Registry)
	}
	if !dryRun && gcAdvice && sum.ByTag > 0 {
		fmt.Fprintln(stderr, "registry-pruner: tags removed; the untagged manifests and their space go when the registry's garbage collector runs "+
			"with the registry stopped or read-only: `"+gcV3+"` (Distribution v3). See docs/registry-pruner.md.")
	}
	if !dryRun && gcAdvice && sum.ByDigest > 0 {
		fmt.Fprintln(stderr, "registry-pruner: manifests deleted; space is reclaimed when the registry's garbage collector runs "+
			"with the registry stopped or read-only: `"+gc28+"` (Distribution 2.8 as Debian packages it; "+
			"`"+gc28Image+"` in the registry:2 image), never with --delete-untagged on 2.8: it breaks tagged multi-arch images. See docs/registry-pruner.md.")
	}
	return regflags.Codes.Mark(registry.Outcome(ctx, plans, sum))
}

// The garbage-collection commands the run advises, as docs/registry-pruner.md
// gives them (a test holds the two together).
const (
	gcV3      = "registry garbage-collect --delete-untagged CONFIG"
	gc28      = "docker-registry garbage-collect CONFIG"
	gc28Image = "registry garbage-collect CONFIG"
)

// eventService is the prune.summary event's service: the service (or
// repository) when the run pruned one, empty for a run over several. A
// registry holds every environment's builds, so the event has no env.
func eventService(s *regflags.Setup, repos []name.Repository) string {
	if len(repos) != 1 {
		return ""
	}
	if s.Catalog != nil {
		for _, svc := range s.Catalog.Services {
			if r, err := s.Repository(svc.Name); err == nil && r.Name() == repos[0].Name() {
				return svc.Name
			}
		}
	}
	return repos[0].RepositoryStr()
}

// warnHeld says, per repository, which tags dockwright did not write keep
// builds past the policy: left alone, they keep the registry growing.
func warnHeld(log *slog.Logger, plans []registry.RepoPlan, keep int) {
	for _, p := range plans {
		held := p.HeldByOther()
		for _, tag := range slices.Sorted(maps.Keys(held)) {
			builds := make([]string, len(held[tag]))
			for i, b := range held[tag] {
				builds[i] = fmt.Sprint(b)
			}
			log.Warn(fmt.Sprintf("%s: tag %s, which dockwright did not write, keeps build %s past --keep %d "+
				"(--prune-other deletes such tags; --protect keeps them without this warning; --build-tag makes image-tagger's --extra tags go with their build)",
				p.Repository, tag, strings.Join(builds, ", "), keep))
		}
	}
}

type report struct {
	DryRun       bool                `json:"dry_run"`
	Policy       registry.Policy     `json:"policy"`
	Repositories []registry.RepoPlan `json:"repositories"`
	Summary      registry.Summary    `json:"summary"`
	Requests     registry.Counts     `json:"requests"`
}

// scope resolves which repositories to prune: flags → registry.Scope →
// repositories.
func scope(cliContext *cli.Context, s *regflags.Setup) ([]name.Repository, error) {
	sc := registry.Scope{Repos: cliContext.StringSlice("repo")}
	resolve := s.Repository
	switch {
	case len(sc.Repos) > 0:
		resolve = func(arg string) (name.Repository, error) {
			r, err := s.Repository(arg)
			if err != nil {
				return r, fmt.Errorf("flag --repo: %w", err)
			}
			return r, nil
		}
	case s.Catalog != nil:
		for _, svc := range s.Catalog.Services {
			sc.Services = append(sc.Services, svc.Name)
		}
	case s.Registry != "":
		var opts []name.Option
		if cliContext.Bool("insecure") {
			opts = append(opts, name.Insecure)
		}
		reg, err := name.NewRegistry(s.Registry, opts...)
		if err != nil {
			return nil, cmdutil.Usagef("invalid value %q for flag --registry: %v", s.Registry, err)
		}
		sc.Registry = reg
	default:
		return nil, cmdutil.Usagef("nothing to prune: give --repo, --catalog (or $DOCKWRIGHT_CATALOG), or --registry for every repository")
	}
	return s.Client.Repositories(cliContext.Context, sc, resolve)
}

func printPlan(w io.Writer, plans []registry.RepoPlan) {
	for _, p := range plans {
		switch {
		case p.Error != "":
			fmt.Fprintf(w, "%s: cannot plan: %s\n\n", p.Repository, p.Error)
			continue
		case p.Missing:
			fmt.Fprintf(w, "%s: not in the registry (nothing pushed yet)\n\n", p.Repository)
			continue
		}
		fmt.Fprintf(w, "%s\n", p.Repository)
		if p.Refused != "" {
			fmt.Fprintf(w, "  REFUSED: %s\n", p.Refused)
		}
		t := cmdutil.NewTable(w, "  TAG", "ACTION", "DIGEST", "REASON")
		for _, d := range p.Tags {
			t.Row("  "+d.Tag, d.Action, short.Digest(d.Digest), d.Reason)
		}
		t.Flush()
		fmt.Fprintln(w)
	}
}

func printSummary(w io.Writer, dryRun bool, s registry.Summary, c registry.Counts) {
	if dryRun {
		fmt.Fprintf(w, "dry run: %d repositories, %d tags kept, %d tags would go with %d manifests (+%d child manifests); nothing deleted\n",
			s.Repositories, s.TagsKept, s.TagsDeleted, s.Planned, s.Children)
	} else {
		fmt.Fprintf(w, "%d repositories: %d tags kept; %d manifests deleted (%d by tag, %d by digest), %d already gone, %d failed, %d skipped (a tag moved onto them), %d not attempted\n",
			s.Repositories, s.TagsKept, s.Deleted, s.ByTag, s.ByDigest, s.AlreadyGone, s.DeleteFailed, s.Skipped, s.NotAttempted)
	}
	if s.HeldByOther > 0 {
		fmt.Fprintf(w, "%d builds past --keep kept only because tags dockwright did not write share their digests (see the warnings on stderr)\n", s.HeldByOther)
	}
	if len(c.ECR) > 0 {
		var ops []string
		var calls int64
		for _, op := range slices.Sorted(maps.Keys(c.ECR)) {
			ops = append(ops, fmt.Sprintf("%s %d", op, c.ECR[op]))
			calls += c.ECR[op]
		}
		fmt.Fprintf(w, "requests: %d ECR API calls (%s; %d retries)\n", calls, strings.Join(ops, ", "), c.Retries)
		return
	}
	fmt.Fprintf(w, "requests: %d (GET %d, HEAD %d, PUT %d, DELETE %d; %d retries)\n", c.Total(), c.GET, c.HEAD, c.PUT, c.DELETE, c.Retries)
}

// printLifecyclePolicy prints the ECR lifecycle policy nearest the flags'
// policy, and its differences on stderr.
func printLifecyclePolicy(cliContext *cli.Context, policy registry.Policy) error {
	scheme, err := schemeflags.Scheme(cliContext)
	if err != nil {
		return err
	}
	lp, gaps := registry.ClosestLifecyclePolicy(policy, scheme)
	if err := cmdutil.WriteJSON(cliContext.App.Writer, lp); err != nil {
		return err
	}
	fmt.Fprintln(cliContext.App.ErrWriter, "registry-pruner: what this lifecycle policy does differently from registry-pruner --keep", policy.Keep, "(docs/registry-pruner.md, Amazon ECR):")
	for _, g := range gaps {
		fmt.Fprintln(cliContext.App.ErrWriter, "  - "+g)
	}
	return nil
}
