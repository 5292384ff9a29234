// Command dockwright-plugin-host runs dockwright plugins (secrets-resolve,
// inventory-list, notify, emit) for the binaries that must start fast: they
// execute it only when their configuration names plugins, so the gRPC and
// go-plugin code stays out of their own start-up. It also holds the AWS SSM
// resolver of env-config-resolver (secrets-resolve with "builtin":
// "awsssm"), which keeps the AWS SDK out of that binary, and the Amazon ECR
// calls of image-tagger and registry-pruner (mode ecr, a session of JSON
// lines), for the same reason. It reads one JSON
// request on stdin and writes one JSON answer on stdout:
//
//	echo '{"spec": {"name": "dotenv", "config": {"path": "s.env"}}, "refs": ["ref+dotenv://DB"]}' |
//	  dockwright-plugin-host secrets-resolve
//
// Exit codes: 0 answered; 1 the plugin failed, crashed or timed out; 2 bad
// request, plugin not found, checksum mismatch.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/ecrapi"
	"github.com/dockwright/dockwright/internal/envconfig"
	"github.com/dockwright/dockwright/internal/envconfig/awsssm"
	"github.com/dockwright/dockwright/internal/notify"
	"github.com/dockwright/dockwright/internal/pluginexec"
	"github.com/dockwright/dockwright/internal/pluginhost"
	"github.com/dockwright/dockwright/internal/version"
)

func main() {
	ctx, stop := cmdutil.SignalContext()
	err := run(ctx, os.Args[1:])
	stop()
	os.Exit(cmdutil.Report(os.Stderr, "dockwright-plugin-host", err))
}

// help is what --help prints.
const help = `dockwright-plugin-host - run dockwright plugins for the binaries that must start fast

USAGE:
   dockwright-plugin-host MODE < request.json

MODES:
   secrets-resolve  {"spec": {"name", "sha256", "config", "timeout"}, "refs": [...]} -> {"values": {...}}
                    or {"builtin": "awsssm", "refs": ["ref+awsssm://..."]} (AWS SSM Parameter Store)
   inventory-list   {"spec": {...}} -> {"hosts": [...]}
   notify           {"spec": {...}, "event": {...}} -> {"sent": true}
   emit             {"notifiers_file": "notify.yml", "event": {...}}: every notifier of the file
   ecr              Amazon ECR API calls for image-tagger and registry-pruner: JSON lines
                    {"id", "op", "region", "input"} in, {"id", "output"|"error", "attempts"} out

Plugins are found in $DOCKWRIGHT_PLUGIN_DIR, then ~/.local/share/dockwright/plugins,
then /usr/local/lib/dockwright/plugins (docs/plugins.md). Diagnostics go to stderr
($DOCKWRIGHT_LOG_LEVEL). Exit codes: 0 answered; 1 the plugin failed, crashed or
timed out; 2 bad request, plugin not found, checksum mismatch.
`

func run(ctx context.Context, args []string) error {
	if len(args) == 1 {
		switch args[0] {
		case "--help", "-h", "help":
			_, err := fmt.Fprint(os.Stdout, help)
			return err
		case "--version", "-v":
			_, err := fmt.Fprintf(os.Stdout, "dockwright-plugin-host version %s\n", version.String())
			return err
		}
	}
	if len(args) == 1 && args[0] == pluginexec.ModeECR {
		log, err := cmdutil.NewLogger(os.Stderr, os.Getenv("DOCKWRIGHT_LOG_LEVEL"))
		if err != nil {
			log = cmdutil.DiscardLogger()
		}
		attempts, _ := strconv.Atoi(os.Getenv("DOCKWRIGHT_RETRIES"))
		timeout, _ := time.ParseDuration(os.Getenv("DOCKWRIGHT_TIMEOUT"))
		return (&ecrapi.Server{Attempts: attempts, Timeout: timeout, Log: log}).Serve(ctx, os.Stdin, os.Stdout)
	}
	if len(args) != 1 || !slices.Contains(pluginexec.Modes, args[0]) {
		return cmdutil.Usagef("usage: dockwright-plugin-host %s < request.json (see --help)", strings.Join(pluginexec.Modes, "|"))
	}
	var req pluginexec.Request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return cmdutil.Usagef("request: want JSON on stdin: %v", err)
	}
	if args[0] == pluginexec.ModeEmit {
		return emit(ctx, req)
	}
	log, err := cmdutil.NewLogger(os.Stderr, os.Getenv("DOCKWRIGHT_LOG_LEVEL"))
	if err != nil {
		log = cmdutil.DiscardLogger()
	}
	var answer pluginexec.Response
	if args[0] == pluginexec.ModeSecretsResolve && req.Builtin != "" {
		answer, err = builtin(ctx, req, log)
	} else {
		answer, err = viaPlugin(ctx, args[0], req, log)
	}
	if err != nil {
		return err
	}
	if err := json.NewEncoder(os.Stdout).Encode(answer); err != nil {
		return fmt.Errorf("writing the answer: %w", err)
	}
	return nil
}

// pluginSpec is a request's or a notifiers file's plugin entry for the
// host; a timeout that is not a positive duration is bad input.
func pluginSpec(s pluginexec.Spec) (pluginhost.Spec, error) {
	spec, err := pluginhost.SpecFrom(s)
	if err != nil {
		return spec, cmdutil.Usage(err)
	}
	return spec, nil
}

// viaPlugin answers mode (notify, inventory-list, secrets-resolve) with
// the plugin the request names.
func viaPlugin(ctx context.Context, mode string, req pluginexec.Request, log *slog.Logger) (pluginexec.Response, error) {
	var answer pluginexec.Response
	if req.Spec == nil || req.Spec.Name == "" {
		return answer, cmdutil.Usagef("request: want {\"spec\": {\"name\": ...}, ...} on stdin")
	}
	spec, err := pluginSpec(*req.Spec)
	if err != nil {
		return answer, err
	}
	host := pluginhost.New(log)
	defer host.Close()
	switch mode {
	case pluginexec.ModeNotify:
		if req.Event == nil {
			return answer, cmdutil.Usagef("request: notify needs an \"event\"")
		}
		if err := host.Notifier(spec).Notify(ctx, *req.Event); err != nil {
			return answer, pluginCodes.Mark(err)
		}
		answer.Sent = true
	case pluginexec.ModeInventoryList:
		hosts, err := host.InventorySource(spec).ListHosts(ctx)
		if err != nil {
			return answer, pluginCodes.Mark(err)
		}
		answer.Hosts = hosts
	default:
		values, err := host.SecretSource(spec).Resolve(ctx, req.Refs)
		if err != nil {
			return answer, pluginCodes.Mark(err)
		}
		answer.Values = values
	}
	return answer, nil
}

// pluginCodes: a missing or mismatched plugin is bad input (2).
var pluginCodes = cmdutil.Codes{Usage: []error{pluginhost.ErrNotFound, pluginhost.ErrChecksum, pluginexec.ErrInvalidName}}

// emit tells every notifier of a notifiers file about an event (for the
// Ansible role: deploy.started, deploy.finished, deploy.failed).
func emit(ctx context.Context, req pluginexec.Request) error {
	if req.Event == nil || req.NotifiersFile == "" {
		return cmdutil.Usagef("emit needs \"notifiers_file\" and \"event\"")
	}
	n, err := notify.Load(req.NotifiersFile, nil)
	if err != nil {
		return cmdutil.Usage(err)
	}
	log, _ := cmdutil.NewLogger(os.Stderr, "warn")
	host := pluginhost.New(log)
	defer host.Close()
	if req.Event.Time.IsZero() {
		req.Event.Time = time.Now().UTC()
	}
	var errs []error
	for _, s := range n.Specs {
		spec, err := pluginSpec(s)
		if err != nil {
			return err
		}
		if err := host.Notifier(spec).Notify(ctx, *req.Event); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// builtin resolves references with a resolver built into the helper.
func builtin(ctx context.Context, req pluginexec.Request, log *slog.Logger) (pluginexec.Response, error) {
	var answer pluginexec.Response
	if req.Builtin != "awsssm" {
		return answer, cmdutil.Usagef("request: unknown builtin %q (known: awsssm)", req.Builtin)
	}
	refs := make([]envconfig.Ref, 0, len(req.Refs))
	for _, raw := range req.Refs {
		r, isRef, err := envconfig.ParseRef(raw)
		if err != nil || !isRef || r.Backend != "awsssm" {
			return answer, cmdutil.Usagef("request: %q is not a ref+awsssm:// reference", raw)
		}
		refs = append(refs, r)
	}
	values, err := (&awsssm.Resolver{Log: log}).Resolve(ctx, refs)
	if err != nil {
		return answer, err
	}
	answer.Values = values
	return answer, nil
}
