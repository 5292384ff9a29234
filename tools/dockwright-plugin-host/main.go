// Command dockwright-plugin-host runs dockwright plugins (secrets-resolve,
// inventory-list, notify, emit) for the binaries that must start fast: they
// execute it only when their configuration names plugins, so the gRPC and
// go-plugin code stays out of their own start-up. It also holds the AWS SSM
// resolver of env-config-resolver (secrets-resolve with "builtin":
// "awsssm"), which keeps the AWS SDK out of that binary. It reads one JSON
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
	"time"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/envconfig"
	"github.com/dockwright/dockwright/internal/envconfig/awsssm"
	"github.com/dockwright/dockwright/internal/notify"
	"github.com/dockwright/dockwright/internal/pluginexec"
	"github.com/dockwright/dockwright/internal/pluginhost"
	"github.com/dockwright/dockwright/internal/version"
	"github.com/dockwright/dockwright/plugins/sdk"
)

// Request is what a binary sends.
type Request struct {
	Spec struct {
		Name    string            `json:"name"`
		SHA256  string            `json:"sha256"`
		Config  map[string]string `json:"config"`
		Timeout string            `json:"timeout"`
	} `json:"spec"`
	// Builtin (secrets-resolve) names a resolver built into the helper
	// instead of a plugin: "awsssm" (AWS SSM Parameter Store), so that
	// env-config-resolver does not link the AWS SDK.
	Builtin string     `json:"builtin"`
	Refs    []string   `json:"refs"`
	Event   *sdk.Event `json:"event"`
	// NotifiersFile (emit) names the notifiers to tell.
	NotifiersFile string `json:"notifiers_file"`
}

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
	if len(args) != 1 || (args[0] != "secrets-resolve" && args[0] != "inventory-list" && args[0] != "notify" && args[0] != "emit") {
		return cmdutil.Usagef("usage: dockwright-plugin-host secrets-resolve|inventory-list|notify|emit < request.json (see --help)")
	}
	var req Request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return cmdutil.Usagef("request: want JSON on stdin: %v", err)
	}
	if args[0] == "emit" {
		return emit(ctx, req)
	}
	log, err := cmdutil.NewLogger(os.Stderr, os.Getenv("DOCKWRIGHT_LOG_LEVEL"))
	if err != nil {
		log = cmdutil.DiscardLogger()
	}
	var answer map[string]any
	if args[0] == "secrets-resolve" && req.Builtin != "" {
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
// host; a timeout that does not parse is bad input.
func pluginSpec(name, sha256 string, config map[string]string, timeout string) (pluginhost.Spec, error) {
	spec := pluginhost.Spec{Name: name, SHA256: sha256, Config: config}
	if timeout != "" {
		d, err := time.ParseDuration(timeout)
		if err != nil {
			return spec, cmdutil.Usagef("plugin %s: timeout %q: %v", name, timeout, err)
		}
		spec.Timeout = d
	}
	return spec, nil
}

// viaPlugin answers mode (notify, inventory-list, secrets-resolve) with
// the plugin the request names.
func viaPlugin(ctx context.Context, mode string, req Request, log *slog.Logger) (map[string]any, error) {
	if req.Spec.Name == "" {
		return nil, cmdutil.Usagef("request: want {\"spec\": {\"name\": ...}, ...} on stdin")
	}
	spec, err := pluginSpec(req.Spec.Name, req.Spec.SHA256, req.Spec.Config, req.Spec.Timeout)
	if err != nil {
		return nil, err
	}
	host := pluginhost.New(log)
	defer host.Close()
	switch mode {
	case "notify":
		if req.Event == nil {
			return nil, cmdutil.Usagef("request: notify needs an \"event\"")
		}
		if err := host.Notifier(spec).Notify(ctx, *req.Event); err != nil {
			return nil, exitFor(err)
		}
		return map[string]any{"sent": true}, nil
	case "inventory-list":
		hosts, err := host.InventorySource(spec).ListHosts(ctx)
		if err != nil {
			return nil, exitFor(err)
		}
		return map[string]any{"hosts": hosts}, nil
	default:
		values, err := host.SecretSource(spec).Resolve(ctx, req.Refs)
		if err != nil {
			return nil, exitFor(err)
		}
		return map[string]any{"values": values}, nil
	}
}

// exitFor makes a missing or mismatched plugin bad input (2).
func exitFor(err error) error {
	if errors.Is(err, pluginhost.ErrNotFound) || errors.Is(err, pluginhost.ErrChecksum) || errors.Is(err, pluginexec.ErrInvalidName) {
		return cmdutil.Usage(err)
	}
	return err
}

// emit tells every notifier of a notifiers file about an event (for the
// Ansible role: deploy.started, deploy.finished, deploy.failed).
func emit(ctx context.Context, req Request) error {
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
		spec, err := pluginSpec(s.Name, s.SHA256, s.Config, s.Timeout)
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
func builtin(ctx context.Context, req Request, log *slog.Logger) (map[string]any, error) {
	if req.Builtin != "awsssm" {
		return nil, cmdutil.Usagef("request: unknown builtin %q (known: awsssm)", req.Builtin)
	}
	refs := make([]envconfig.Ref, 0, len(req.Refs))
	for _, raw := range req.Refs {
		r, isRef, err := envconfig.ParseRef(raw)
		if err != nil || !isRef || r.Backend != "awsssm" {
			return nil, cmdutil.Usagef("request: %q is not a ref+awsssm:// reference", raw)
		}
		refs = append(refs, r)
	}
	values, err := (&awsssm.Resolver{Log: log}).Resolve(ctx, refs)
	if err != nil {
		return nil, err
	}
	return map[string]any{"values": values}, nil
}
