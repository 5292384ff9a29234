package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/catalog"
	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/envconfig"
)

func endpointCommand() *cli.Command {
	return &cli.Command{
		Name:      "endpoint",
		Usage:     "the URL(s) of a service in an environment, same-AZ first with --az, only one AZ's with --only-az; --all for every service",
		ArgsUsage: "[SERVICE]",
		Description: `Endpoints come in the catalog's order: a service's own endpoints as listed,
else the environment's template once per AZ in the order of its azs. --az
ZONE puts ZONE's first (and falls back to the others, saying so on stderr
with --format text); --only-az ZONE prints only ZONE's and exits 3 when a
service has none there. --all prints one SERVICE_URL=... line per service
of the environment: the first endpoint of each, so without --az the
catalog's first (the first AZ of the template), with --az or --only-az
ZONE's.`,
		Flags: []cli.Flag{
			catalogFlag(),
			&cli.StringFlag{Name: "env", Usage: "environment `NAME` (required)"},
			&cli.StringFlag{Name: "az", Usage: "availability `ZONE` to prefer (its endpoints first, the others after)"},
			&cli.StringFlag{Name: "only-az", Usage: "only the endpoints in availability `ZONE`; exit 3 when a service has none there"},
			&cli.BoolFlag{Name: "all", Usage: "every service of the environment"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f", "output", "o"}, Usage: "`FORMAT`: json, text (one URL per line) or env (SERVICE_URL=...; default with --all)"},
		},
		Action: endpointAction,
	}
}

func endpointAction(cliContext *cli.Context) error {
	all := cliContext.Bool("all")
	if all && cliContext.NArg() > 0 || !all && cliContext.NArg() != 1 {
		return cmdutil.Usagef("endpoint: give one SERVICE or --all")
	}
	env := cliContext.String("env")
	if env == "" {
		return cmdutil.Usagef("endpoint: missing --env NAME")
	}
	format := cliContext.String("format")
	if format == "" {
		format = "text"
		if all {
			format = "env"
		}
		if !cmdutil.IsTerminal(cliContext.App.Writer) && !all {
			format = "json"
		}
	}
	if format != "json" && format != "text" && format != "env" {
		return cmdutil.Usagef("invalid value %q for flag --format: want json, text or env", format)
	}
	c, err := loadCatalog(cliContext)
	if err != nil {
		return err
	}
	names := cliContext.Args().Slice()
	if all {
		for _, s := range c.Services {
			if len(s.Environments) == 0 || slices.Contains(s.Environments, env) {
				names = append(names, s.Name)
			}
		}
	}
	az, only := cliContext.String("az"), cliContext.String("only-az")
	if az != "" && only != "" && az != only {
		return cmdutil.Usagef("endpoint: --az %s and --only-az %s disagree (--only-az alone is enough)", az, only)
	}
	if only != "" {
		az = only
	}
	lookups := []catalog.Lookup{}
	var missing []string // services with no endpoint in --only-az
	for _, n := range names {
		l, err := c.Endpoints(n, env, az)
		if err != nil {
			return cmdutil.Usage(err)
		}
		if only != "" {
			if l = l.InAZ(only); len(l.Endpoints) == 0 {
				missing = append(missing, n)
				continue
			}
		}
		lookups = append(lookups, l)
	}
	if err := printEndpoints(cliContext, format, all, lookups); err != nil {
		return err
	}
	if len(missing) > 0 {
		return cmdutil.Failures(fmt.Errorf("no endpoint in %s of %s in %s", only, strings.Join(missing, ", "), env))
	}
	return nil
}

func printEndpoints(cliContext *cli.Context, format string, all bool, lookups []catalog.Lookup) error {
	if len(lookups) == 0 && !all {
		return nil
	}
	w := cliContext.App.Writer
	switch format {
	case "json":
		if all {
			return cmdutil.WriteJSON(w, lookups)
		}
		return cmdutil.WriteJSON(w, lookups[0])
	case "env":
		for _, l := range lookups {
			fmt.Fprintf(w, "%s=%s\n", envconfig.EnvName("", l.Service)+"_URL", l.Endpoints[0].URL)
		}
	default:
		for _, l := range lookups {
			for _, e := range l.Endpoints {
				fmt.Fprintln(w, e.URL)
			}
		}
		if !all && cliContext.String("az") != "" && !lookups[0].SameAZ {
			fmt.Fprintf(cliContext.App.ErrWriter, "env-config-resolver: no endpoint of %s in %s; falling back\n", lookups[0].Service, cliContext.String("az"))
		}
	}
	return nil
}

func portCommand() *cli.Command {
	return &cli.Command{
		Name:      "port",
		Usage:     "the host port of a service",
		ArgsUsage: "SERVICE",
		Flags:     []cli.Flag{catalogFlag()},
		Action: func(cliContext *cli.Context) error {
			if err := cmdutil.Args(cliContext, "SERVICE"); err != nil {
				return err
			}
			c, err := loadCatalog(cliContext)
			if err != nil {
				return err
			}
			s, ok := c.Service(cliContext.Args().First())
			if !ok {
				return cmdutil.Usagef("service %q is not in %s (known: %s)", cliContext.Args().First(), c.Path, strings.Join(c.Names(), ", "))
			}
			if s.HostPort == 0 {
				return cmdutil.Usagef("service %q has no host_port in %s", s.Name, c.Path)
			}
			fmt.Fprintln(cliContext.App.Writer, s.HostPort)
			return nil
		},
	}
}

func catalogCommand() *cli.Command {
	return &cli.Command{
		Name:  "catalog",
		Usage: "service catalog commands",
		Subcommands: []*cli.Command{{
			Name:  "check",
			Usage: "validate the catalog: unknown keys, duplicate host ports, ports outside port_range, unknown environments, malformed URLs (exit 2, every problem listed)",
			Flags: []cli.Flag{catalogFlag()},
			Action: func(cliContext *cli.Context) error {
				c, err := loadCatalog(cliContext)
				if err != nil {
					return err
				}
				fmt.Fprintf(cliContext.App.Writer, "ok: %s: %d services, %d environments\n", c.Path, len(c.Services), len(c.Environments))
				return nil
			},
		}, {
			Name:      "show",
			Usage:     "one service's deploy settings as JSON: image, ports, health path, environments; with --env its target group and endpoints there",
			ArgsUsage: "SERVICE",
			Description: `What the Ansible role reads instead of parsing services.yml itself, so the
catalog's defaults (image REGISTRY/NAME, container port 5000, /health)
are resolved in one place:

  env-config-resolver catalog show web --env prod --catalog services.yml`,
			Flags: []cli.Flag{catalogFlag(), &cli.StringFlag{Name: "env", Usage: "also the settings of environment `NAME`"}},
			Action: func(cliContext *cli.Context) error {
				if err := cmdutil.Args(cliContext, "SERVICE"); err != nil {
					return err
				}
				c, err := loadCatalog(cliContext)
				if err != nil {
					return err
				}
				info, err := c.Describe(cliContext.Args().First(), cliContext.String("env"))
				if err != nil {
					return cmdutil.Usage(err)
				}
				return cmdutil.WriteJSON(cliContext.App.Writer, info)
			},
		}},
	}
}

func display(v any) string {
	switch v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}
