package envconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// PluginHostName is the helper that runs plugins for this binary, so that
// the gRPC and go-plugin code is loaded only on runs that use plugins.
const PluginHostName = "dockwright-plugin-host"

// ErrPlugin means a secrets plugin could not answer.
var ErrPlugin = errors.New("secrets plugin failed")

// FindPluginHost looks for the helper beside the running executable, then
// on $PATH.
func FindPluginHost() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), PluginHostName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath(PluginHostName)
	if err != nil {
		return "", fmt.Errorf("%w: %s not found beside this binary or on $PATH (it runs plugins; install it with the other dockwright binaries)", ErrPlugin, PluginHostName)
	}
	return p, nil
}

// PluginResolver resolves ref+NAME://... through the secrets plugin NAME,
// by running the plugin host helper once per batch.
func PluginResolver(spec PluginSpec) Resolver {
	return RefResolver(func(ctx context.Context, refs []string) (map[string]string, error) {
		helper, err := FindPluginHost()
		if err != nil {
			return nil, err
		}
		req, _ := json.Marshal(map[string]any{
			"spec": map[string]any{"name": spec.Name, "sha256": spec.SHA256, "config": spec.Config, "timeout": spec.Timeout},
			"refs": refs,
		})
		cmd := exec.CommandContext(ctx, helper, "secrets-resolve")
		cmd.Stdin = bytes.NewReader(req)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stderr.String()), PluginHostName+": "))
			var ee *exec.ExitError
			if errors.As(err, &ee) && ee.ExitCode() == 2 {
				return nil, fmt.Errorf("%w: %s", ErrInvalid, msg)
			}
			return nil, fmt.Errorf("%w: %s", ErrPlugin, msg)
		}
		var out struct {
			Values map[string]string `json:"values"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			return nil, fmt.Errorf("%w: %s answered %q: %v", ErrPlugin, PluginHostName, stdout.String(), err)
		}
		return out.Values, nil
	})
}
