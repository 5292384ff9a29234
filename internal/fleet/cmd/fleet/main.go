// Command fleet builds and removes a fleet of hosts on this machine
// (internal/fleet): network namespaces with their own Docker Engine and
// sshd, reached over SSH as a deploy user. make demo uses it; so can you,
// to try a playbook change on real SSH hosts (docs/fleet.md).
//
//	fleet up -name demo -dir .demo/fleet -host registry:ssh -host agent:engine -host web1:ssh,engine ...
//	fleet status -dir .demo/fleet            # hosts, addresses, engines (-json for the state)
//	fleet exec -dir .demo/fleet web1 -- docker ps
//	fleet down -name demo -dir .demo/fleet
//
// Exit codes: 0 done; 1 a step failed; 2 bad arguments; 3 this machine
// cannot host a fleet (the reason is printed).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/dockwright/dockwright/internal/fleet"
)

type hostFlags []fleet.HostSpec

func (h *hostFlags) String() string { return fmt.Sprint(*h) }
func (h *hostFlags) Set(v string) error {
	name, kinds, _ := strings.Cut(v, ":")
	hs := fleet.HostSpec{Name: name}
	for _, k := range strings.Split(kinds, ",") {
		switch k {
		case "ssh":
			hs.SSH = true
		case "engine":
			hs.Engine = true
		case "":
		default:
			return fmt.Errorf("host %q: unknown %q (want NAME:ssh,engine)", v, k)
		}
	}
	*h = append(*h, hs)
	return nil
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("fleet "+os.Args[1], flag.ExitOnError)
	name := fs.String("name", "demo", "fleet `NAME` (1-6 lower-case letters and digits)")
	dir := fs.String("dir", ".demo/fleet", "state `DIR`")
	subnet := fs.String("subnet", "", "first three octets of the fleet's /24 (default derived from the name)")
	user := fs.String("user", "deploy", "deploy `USER` on the SSH hosts")
	asJSON := fs.Bool("json", false, "status: print the state file")
	verbose := fs.Bool("v", false, "log each step on stderr")
	var hosts hostFlags
	fs.Var(&hosts, "host", "`NAME:ssh,engine` (repeatable, in address order)")
	fs.Parse(os.Args[2:])
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	var err error
	switch os.Args[1] {
	case "up":
		var f *fleet.Fleet
		f, err = fleet.Up(ctx, fleet.Spec{Name: *name, Dir: *dir, Subnet: *subnet, User: *user, Hosts: hosts, Log: log})
		if err == nil {
			printHosts(f)
		}
	case "down":
		err = fleet.Down(ctx, *name, *dir, log)
	case "status":
		var f *fleet.Fleet
		if f, err = fleet.Load(*dir); err == nil {
			if *asJSON {
				raw, _ := json.MarshalIndent(f, "", "  ")
				fmt.Println(string(raw))
			} else {
				printHosts(f)
			}
		}
	case "exec":
		args := fs.Args()
		if len(args) > 0 && args[0] == "--" {
			args = args[1:]
		}
		if len(args) < 2 {
			usage()
		}
		err = execIn(ctx, *dir, args[0], args[1:])
	case "available":
		if err = fleet.Available(); err == nil {
			fmt.Println("this machine can host a fleet")
		}
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		switch {
		case errors.Is(err, fleet.ErrUnavailable):
			os.Exit(3)
		case errors.Is(err, fleet.ErrSpec):
			os.Exit(2)
		}
		var ee interface{ ExitCode() int }
		if errors.As(err, &ee) && ee.ExitCode() > 0 {
			os.Exit(ee.ExitCode())
		}
		os.Exit(1)
	}
}

func printHosts(f *fleet.Fleet) {
	w := tabwriter.NewWriter(os.Stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintf(w, "fleet %s: %s.0/24, the machine at %s; deploy user %s, key %s, known_hosts %s\n", f.Name, f.Subnet, f.Gateway, f.User, f.KeyFile, f.KnownHosts)
	fmt.Fprintln(w, "HOST\tADDRESS\tSSH\tENGINE (DOCKER_HOST)")
	for _, h := range f.Hosts {
		ssh, eng := "-", "-"
		if h.SSH {
			ssh = "yes"
		}
		if h.Engine {
			eng = "unix://" + h.EngineSocket
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", h.Name, h.Addr, ssh, eng)
	}
	w.Flush()
}

func execIn(ctx context.Context, dir, host string, argv []string) error {
	f, err := fleet.Load(dir)
	if err != nil {
		return err
	}
	h := f.Host(host)
	if h == nil {
		return fmt.Errorf("%w: no host %q in %s", fleet.ErrSpec, host, dir)
	}
	cmd := h.Command(ctx, argv...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd.Run()
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: fleet up|down|status|exec|available [flags]
  fleet up -name NAME -dir DIR -host NAME:ssh,engine ...   build the fleet (after removing a previous one)
  fleet down -name NAME -dir DIR                            remove everything it made
  fleet status -dir DIR [-json]                             its hosts
  fleet exec -dir DIR HOST -- CMD...                        run CMD as root on HOST
  fleet available                                           exit 3 with the reason when this machine cannot`)
	os.Exit(2)
}
