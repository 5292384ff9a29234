package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/catalog"
	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/notifyflag"
	"github.com/dockwright/dockwright/internal/health"
	"github.com/dockwright/dockwright/internal/notify"
	"github.com/dockwright/dockwright/plugins/sdk/contract"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "check continuously and serve the dashboard (failing first), /api/status, /metrics and /healthz",
		Description: `POST /api/deploys {"service": "web", "minutes": 10} marks a deploy in
progress: the service stays on the page, marked "deploying", and its state
changes are not notified (the Ansible role can call it before replacing
containers). Notifications of state changes go to --webhook as JSON;
metrics to --statsd (UDP) as PREFIX.ENV.SERVICE.KIND.TARGET.up (gauge) and
.response_time (ms timer).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "catalog", Usage: "service catalog `FILE`", Value: "services.yml", EnvVars: []string{catalog.Env}},
			&cli.StringFlag{Name: "env", Usage: "environment `NAME` (required)"},
			&cli.StringFlag{Name: "inventory", Usage: "also check each host: run `CMD` --list (ec2-inventory)"},
			&cli.StringFlag{Name: "listen", Usage: "`ADDR` to serve on", Value: "127.0.0.1:8080", EnvVars: []string{"DOCKWRIGHT_HEALTH_LISTEN"}},
			&cli.DurationFlag{Name: "interval", Usage: "time between rounds", Value: 10 * time.Second},
			&cli.DurationFlag{Name: "timeout", Usage: "time limit per request", Value: 2 * time.Second},
			&cli.IntFlag{Name: "concurrency", Usage: "requests in flight", Value: 50},
			&cli.IntFlag{Name: "retries", Usage: "retries within a round", Value: 1},
			&cli.IntFlag{Name: "down-after", Usage: "failed rounds in a row before a target is down (before: flaky)", Value: 2},
			&cli.StringFlag{Name: "webhook", Usage: "POST state changes as JSON to `URL`"},
			notifyflag.Flag("every state change (health.changed)"),
			&cli.StringFlag{Name: "statsd", Usage: "send metrics to StatsD at `HOST:PORT` (UDP)"},
			&cli.StringFlag{Name: "statsd-prefix", Usage: "metric name `PREFIX`", Value: "dockwright.health"},
		},
		Action: serve,
	}
}

func serve(cliContext *cli.Context) error {
	env := cliContext.String("env")
	if env == "" {
		return cmdutil.Usagef("serve: missing --env NAME")
	}
	if cliContext.Duration("interval") <= 0 || cliContext.Duration("timeout") <= 0 || cliContext.Int("concurrency") < 1 {
		return cmdutil.Usagef("serve: --interval, --timeout and --concurrency must be positive")
	}
	log, err := cmdutil.Logger(cliContext)
	if err != nil {
		return err
	}
	targets, err := loadTargets(cliContext, env)
	if err != nil {
		return err
	}
	interval := cliContext.Duration("interval")
	m := &health.Monitor{
		Checker:  health.NewChecker(cliContext.Duration("timeout"), cliContext.Int("concurrency"), cliContext.Int("retries")),
		Store:    health.NewStore(targets, cliContext.Int("down-after"), 2*interval+cliContext.Duration("timeout")),
		Targets:  targets,
		Interval: interval,
		Log:      log,
	}
	var notifiers multiNotifier
	if u := cliContext.String("webhook"); u != "" {
		notifiers = append(notifiers, health.Webhook{URL: u})
	}
	if n, err := notifyflag.Load(cliContext); err != nil {
		return err
	} else if len(n.Specs) > 0 {
		notifiers = append(notifiers, pluginNotifier{n})
	}
	if len(notifiers) > 0 {
		m.Notifier = notifiers
	}
	if a := cliContext.String("statsd"); a != "" {
		if m.StatsD, err = health.NewStatsD(a, cliContext.String("statsd-prefix")); err != nil {
			return cmdutil.Usage(err)
		}
	}
	d := &health.Dashboard{Monitor: m, Env: env, Refresh: min(interval, 10*time.Second)}
	go m.Run(cliContext.Context)
	fmt.Fprintf(cliContext.App.ErrWriter, "health-dashboard: %d targets in %s, every %s, on http://%s/\n", len(targets), env, interval, cliContext.String("listen"))
	return d.Serve(cliContext.Context, cliContext.String("listen"))
}

// multiNotifier tells every notifier; the first error is returned.
type multiNotifier []health.Notifier

func (m multiNotifier) Notify(ctx context.Context, e health.Event) error {
	var first error
	for _, n := range m {
		if err := n.Notify(ctx, e); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// pluginNotifier sends state changes to notifier plugins as health.changed.
type pluginNotifier struct{ n *notify.Notifiers }

func (p pluginNotifier) Notify(ctx context.Context, e health.Event) error {
	details, _ := json.Marshal(e)
	summary := fmt.Sprintf("%s %s: %s -> %s", e.Target.Service, e.Target.URL, e.From, e.To)
	if e.Error != "" {
		summary += " (" + e.Error + ")"
	}
	p.n.Emit(ctx, notify.Event{Kind: contract.EventHealthChanged, Source: "health-dashboard", Service: e.Target.Service, Env: e.Target.Env,
		Time: e.At, Details: details, Summary: summary})
	return nil
}
