package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/ansiblelist"
	"github.com/dockwright/dockwright/internal/catalog"
	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/health"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "one round over every target, for Jenkins after a deploy: exit 3 when some fail; --junit writes JUnit XML",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "catalog", Usage: "service catalog `FILE`", Value: "services.yml", EnvVars: []string{catalog.Env}},
			&cli.StringFlag{Name: "env", Usage: "environment `NAME` (required)"},
			&cli.StringFlag{Name: "inventory", Usage: "also check each host: run `CMD` --list (ec2-inventory) and take the hosts of service_<name>:&env_<env>"},
			&cli.StringSliceFlag{Name: "service", Usage: "only these services (repeatable)"},
			&cli.DurationFlag{Name: "timeout", Usage: "time limit per request", Value: 2 * time.Second},
			&cli.IntFlag{Name: "concurrency", Usage: "requests in flight", Value: 50},
			&cli.IntFlag{Name: "retries", Usage: "retries before a target counts as failing (a pass on a retry is flaky)", Value: 1},
			&cli.StringFlag{Name: "junit", Usage: "write JUnit XML to `FILE` (one test case per target)"},
			cmdutil.OutputFlag(),
		},
		Action: check,
	}
}

func check(cliContext *cli.Context) error {
	if cliContext.NArg() > 0 {
		return cmdutil.Usagef("check: unexpected argument %q", cliContext.Args().First())
	}
	env := cliContext.String("env")
	if env == "" {
		return cmdutil.Usagef("check: missing --env NAME")
	}
	if cliContext.Duration("timeout") <= 0 || cliContext.Int("concurrency") < 1 || cliContext.Int("retries") < 0 {
		return cmdutil.Usagef("check: --timeout, --concurrency and --retries must be positive")
	}
	format, err := cmdutil.OutputFormat(cliContext)
	if err != nil {
		return err
	}
	targets, err := loadTargets(cliContext, env)
	if err != nil {
		return err
	}
	if only := cliContext.StringSlice("service"); len(only) > 0 {
		kept := targets[:0]
		for _, t := range targets {
			for _, s := range only {
				if t.Service == s {
					kept = append(kept, t)
				}
			}
		}
		targets = kept
	}
	if len(targets) == 0 {
		return cmdutil.Usagef("check: no target in %q (no service runs there with an endpoint or host)", env)
	}
	checker := health.NewChecker(cliContext.Duration("timeout"), cliContext.Int("concurrency"), cliContext.Int("retries"))
	results := checker.Round(cliContext.Context, targets)
	if path := cliContext.String("junit"); path != "" {
		var buf bytes.Buffer
		if err := health.WriteJUnit(&buf, env, targets, results); err != nil {
			return err
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing JUnit XML: %w", err)
		}
	}
	failing := 0
	rows := make([]row, len(targets))
	for i, t := range targets {
		r := results[i]
		st := health.Healthy
		switch {
		case !r.OK:
			st, failing = health.Failed, failing+1
		case r.Attempts > 1:
			st = health.Flaky
		}
		rows[i] = row{Target: t, State: st, Result: r}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rank(rows[i].State) < rank(rows[j].State) })
	w := cliContext.App.Writer
	if format == cmdutil.FormatJSON {
		if err := cmdutil.WriteJSON(w, struct {
			Env     string `json:"env"`
			Total   int    `json:"total"`
			Failing int    `json:"failing"`
			Targets []row  `json:"targets"`
		}{env, len(rows), failing, rows}); err != nil {
			return err
		}
	} else {
		t := cmdutil.NewTable(w, "STATE", "SERVICE", "KIND", "AZ", "URL", "TIME", "ERROR")
		for _, r := range rows {
			t.Row(r.State, r.Service, r.Kind, r.AZ, r.URL, r.Result.Duration.Round(time.Millisecond).String(), r.Result.Error)
		}
		t.Flush()
	}
	if failing > 0 {
		return cmdutil.Failures(fmt.Errorf("%d of %d targets failing in %s", failing, len(rows), env))
	}
	return nil
}

type row struct {
	health.Target
	State  string        `json:"state"`
	Result health.Result `json:"result"`
}

func rank(state string) int {
	switch state {
	case health.Failed:
		return 0
	case health.Flaky:
		return 1
	}
	return 2
}

// inventoryHosts runs CMD --list and reads Ansible's inventory JSON.
func inventoryHosts(ctx context.Context, cmd string) ([]health.InventoryHost, error) {
	var stderr bytes.Buffer
	c := exec.CommandContext(ctx, cmd, "--list")
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		return nil, fmt.Errorf("inventory %s --list: %w: %s", cmd, err, strings.TrimSpace(stderr.String()))
	}
	inv, err := ansiblelist.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("inventory %s --list: not Ansible inventory JSON: %w", cmd, err)
	}
	var hosts []health.InventoryHost
	for name, gs := range inv.GroupsOf() {
		h := health.InventoryHost{Name: name, Address: name, Groups: gs}
		if hv := inv.Hostvars[name]; hv != nil {
			if a, ok := hv["ansible_host"].(string); ok && a != "" {
				h.Address = a
			}
			if p, ok := hv["placement"].(map[string]any); ok {
				h.AZ, _ = p["availability_zone"].(string)
			}
		}
		hosts = append(hosts, h)
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	if len(hosts) == 0 {
		return nil, errors.New("inventory " + cmd + " --list: no hosts")
	}
	return hosts, nil
}

// loadTargets reads the catalog and, with --inventory, the hosts, and lists
// what to check in env.
func loadTargets(cliContext *cli.Context, env string) ([]health.Target, error) {
	c, err := catalog.Load(cliContext.String("catalog"))
	if err != nil {
		return nil, cmdutil.Usage(err)
	}
	var hosts []health.InventoryHost
	if inv := cliContext.String("inventory"); inv != "" {
		if hosts, err = inventoryHosts(cliContext.Context, inv); err != nil {
			return nil, err
		}
	}
	targets, err := health.Targets(c, env, hosts)
	if err != nil {
		return nil, cmdutil.Usage(err)
	}
	return targets, nil
}
