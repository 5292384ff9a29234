package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/deploylock"
)

func newApp() *cli.App {
	app := cmdutil.NewApp("dockwright-lock", "the deploy lock per service and environment, on the control machine")
	app.Description = `dockwright's playbooks (deploy, promote, rollback, converge) take the lock
SERVICE.ENV before they touch a host and hold it for the whole run: a second
rollout of the same service to the same environment waits (--wait), then
fails naming who holds it, since when and for which build. The lock follows
the life of the ansible-playbook run that took it (or of the shell that ran
acquire): however that run ends, Ctrl-C and kill -9 included, the lock is
free within a second. Locks live in $DOCKWRIGHT_LOCK_DIR (default
$TMPDIR/dockwright-locks): one directory per machine the jobs run on.

Exit codes: 0 done; 1 the lock is held by another (after --wait) or could
not be taken; 2 bad usage.`
	dirFlag := &cli.StringFlag{Name: "dir", Usage: "where the locks live", Value: deploylock.DefaultDir(), EnvVars: []string{"DOCKWRIGHT_LOCK_DIR"}}
	ownerFlag := &cli.IntFlag{Name: "owner", Usage: "the process whose life the lock follows (default: the ansible-playbook run this runs under, else the parent process)"}
	holderFlags := []cli.Flag{dirFlag, ownerFlag,
		&cli.StringFlag{Name: "action", Usage: "what the holder does: deploy, promote, rollback, converge", Value: "deploy"},
		&cli.StringFlag{Name: "build", Usage: "the build it rolls out"},
		&cli.StringFlag{Name: "by", Usage: "who runs it (default: $BUILD_URL, else $USER, else the user running it)"},
		&cli.DurationFlag{Name: "wait", Usage: "how long to wait for a held lock before failing", Value: 10 * time.Minute},
	}
	cmdutil.AddCommands(app,
		&cli.Command{
			Name:      "acquire",
			Usage:     "take the lock SERVICE.ENV for the life of the calling run, waiting for it up to --wait",
			ArgsUsage: "SERVICE.ENV",
			Description: `Returns once the lock is held, by a process of its own that keeps it until
the owner (--owner) ends or release is run; prints the holder record (JSON)
on stdout.

  dockwright-lock acquire web.prod --action deploy --build 142 --wait 10m`,
			Flags:  holderFlags,
			Action: acquire,
		},
		&cli.Command{
			Name:      "release",
			Usage:     "release the lock SERVICE.ENV if the calling run holds it",
			ArgsUsage: "SERVICE.ENV",
			Description: `A lock held by another run is left alone (exit 1, naming it); a free lock
is nothing to do (exit 0).`,
			Flags:  []cli.Flag{dirFlag, ownerFlag},
			Action: release,
		},
		&cli.Command{
			Name:      "status",
			Usage:     "who holds which lock",
			ArgsUsage: "[SERVICE.ENV]",
			Flags:     []cli.Flag{dirFlag, cmdutil.OutputFlag()},
			Action:    status,
		},
		&cli.Command{
			Name:   "hold",
			Hidden: true,
			Usage:  "the holding process acquire starts (internal)",
			// acquire passes every flag on: the same set.
			Flags:  holderFlags,
			Action: hold,
		},
	)
	return app
}

func keyArg(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", cmdutil.Usagef("%s: want one argument, SERVICE.ENV (see dockwright-lock %s --help)", c.Command.Name, c.Command.Name)
	}
	key := c.Args().First()
	if err := deploylock.CheckKey(key); err != nil {
		return "", cmdutil.Usage(err)
	}
	return key, nil
}

func owner(c *cli.Context) int {
	if p := c.Int("owner"); p > 0 {
		return p
	}
	return deploylock.Owner(os.Getpid())
}

func by(c *cli.Context) string {
	if s := c.String("by"); s != "" {
		return s
	}
	if s := os.Getenv("BUILD_URL"); s != "" {
		return s
	}
	if s := os.Getenv("USER"); s != "" {
		return s
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// acquire starts the holder in a session of its own (Ctrl-C in the
// terminal reaches the run, and the holder sees its owner end) and waits
// for its first line on a pipe: "ok" or the reason it could not.
func acquire(c *cli.Context) error {
	key, err := keyArg(c)
	if err != nil {
		return err
	}
	if c.Duration("wait") < 0 {
		return cmdutil.Usagef("--wait %s: want a duration of 0 or more", c.Duration("wait"))
	}
	// The holder is this binary again, by the name it was run as (the
	// test harness runs it through a link of that name).
	self, err := exec.LookPath(os.Args[0])
	if err != nil {
		if self, err = os.Executable(); err != nil {
			return err
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "hold", "--dir", c.String("dir"), "--owner", strconv.Itoa(owner(c)),
		"--action", c.String("action"), "--build", c.String("build"), "--by", by(c), "--wait", c.Duration("wait").String(), key)
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the lock holder: %w", err)
	}
	w.Close()
	line, _ := bufio.NewReader(r).ReadString('\n')
	r.Close()
	line = strings.TrimSpace(line)
	if line != "ok" {
		cmd.Wait()
		if line == "" {
			line = "the lock holder ended without a word"
		}
		return errors.New(strings.TrimPrefix(line, "error: "))
	}
	cmd.Process.Release()
	h, err := deploylock.Read(c.String("dir"), key)
	if err != nil || h == nil {
		return fmt.Errorf("the lock holder said it holds %s, but it is free: %v", key, err)
	}
	fmt.Fprintf(c.App.ErrWriter, "dockwright-lock: %s locked for %s\n", key, h)
	return json.NewEncoder(c.App.Writer).Encode(h)
}

// hold takes the lock, says so on fd 3, and keeps it until its owner ends
// or it is told to stop (SIGTERM from release, SIGINT, SIGHUP).
func hold(c *cli.Context) error {
	key, err := keyArg(c)
	if err != nil {
		return err
	}
	ready := os.NewFile(3, "ready")
	say := func(s string) {
		if ready != nil {
			fmt.Fprintln(ready, s)
			ready.Close()
			ready = nil
		}
	}
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	host, _ := os.Hostname()
	l, err := deploylock.Acquire(ctx, c.String("dir"), deploylock.Holder{Key: key, Action: c.String("action"), Build: c.String("build"),
		By: c.String("by"), Host: host, Owner: c.Int("owner")}, c.Duration("wait"))
	if err != nil {
		say("error: " + err.Error())
		return err
	}
	defer l.Release()
	say("ok")
	deploylock.Watch(ctx, c.Int("owner"), 200*time.Millisecond)
	return nil
}

func release(c *cli.Context) error {
	key, err := keyArg(c)
	if err != nil {
		return err
	}
	dir := c.String("dir")
	h, err := deploylock.Read(dir, key)
	if err != nil {
		return err
	}
	if h == nil {
		return nil
	}
	if me := owner(c); h.Owner != me {
		return fmt.Errorf("%s is held by %s, not by this run (pid %d): left alone", key, h, me)
	}
	if err := syscall.Kill(h.PID, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stopping the lock holder (pid %d): %w", h.PID, err)
	}
	ctx, cancel := context.WithTimeout(c.Context, 10*time.Second)
	defer cancel()
	for {
		if h, _ := deploylock.Read(dir, key); h == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: the lock holder (pid %d) did not let go", key, h.PID)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func status(c *cli.Context) error {
	format, err := cmdutil.OutputFormat(c)
	if err != nil {
		return err
	}
	var holders []deploylock.Holder
	if c.NArg() > 0 {
		key, err := keyArg(c)
		if err != nil {
			return err
		}
		h, err := deploylock.Read(c.String("dir"), key)
		if err != nil {
			return err
		}
		if h != nil {
			holders = append(holders, *h)
		}
	} else if holders, err = deploylock.List(c.String("dir")); err != nil {
		return err
	}
	if holders == nil {
		holders = []deploylock.Holder{}
	}
	if format == cmdutil.FormatJSON {
		e := json.NewEncoder(c.App.Writer)
		e.SetIndent("", "  ")
		return e.Encode(map[string]any{"locks": holders})
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOCK\tACTION\tBUILD\tBY\tSINCE (UTC)\tOWNER")
	for _, h := range holders {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", h.Key, h.Action, h.Build, h.By, h.Since.UTC().Format("2006-01-02 15:04:05"), h.Owner)
	}
	return tw.Flush()
}
