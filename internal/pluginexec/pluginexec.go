// Package pluginexec runs the dockwright-plugin-host helper on behalf of a
// binary that must not link gRPC: one JSON request on its stdin, one JSON
// answer on its stdout. Used for secrets (envconfig), inventory hosts
// (inventory) and notifications (notify).
package pluginexec

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

// Helper is the helper's file name.
const Helper = "dockwright-plugin-host"

// ErrUsage means the helper refused the request as bad input (its exit
// code 2: plugin not found, checksum mismatch, malformed request).
var ErrUsage = errors.New("plugin request refused")

// ErrInvalidName means a plugin name that could name a file outside the
// plugin directories (a path separator, "..") or no file at all.
var ErrInvalidName = errors.New("invalid plugin name")

// ValidName checks a plugin's name, which becomes the file name
// dockwright-plugin-KIND-NAME in a plugin directory: 1 to 64 letters,
// digits, '-', '_' and '.', starting with a letter or digit, without "..".
// Every reader of plugin names (ec2-inventory's config, a bundle's
// plugins.yml, a notifiers file, the helper's requests) checks it, so no
// name reaches a path outside the plugin directories.
func ValidName(name string) error {
	bad := name == "" || len(name) > 64 || strings.Contains(name, "..")
	for i := 0; i < len(name) && !bad; i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		bad = !alnum && (i == 0 || c != '-' && c != '_' && c != '.')
	}
	if bad {
		return fmt.Errorf("%w %q: want 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit, no path separator and no \"..\" (it names dockwright-plugin-KIND-NAME in a plugin directory)", ErrInvalidName, name)
	}
	return nil
}

// Find looks for the helper beside the running executable, then on $PATH.
func Find() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), Helper)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath(Helper)
	if err != nil {
		return "", fmt.Errorf("%s not found beside this binary or on $PATH (it runs plugins, resolves ref+awsssm:// and calls Amazon ECR; install it with the other dockwright binaries)", Helper)
	}
	return p, nil
}

// Call runs `dockwright-plugin-host MODE` with req on its stdin and
// decodes its answer. The helper's message becomes the error; exit code 2
// is ErrUsage.
func Call(ctx context.Context, mode string, req Request) (Response, error) {
	var resp Response
	helper, err := Find()
	if err != nil {
		return resp, err
	}
	in, err := json.Marshal(req)
	if err != nil {
		return resp, err
	}
	cmd := exec.CommandContext(ctx, helper, mode)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stderr.String()), Helper+": "))
		if msg == "" {
			msg = err.Error()
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 2 {
			return resp, fmt.Errorf("%w: %s", ErrUsage, msg)
		}
		return resp, errors.New(msg)
	}
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return resp, fmt.Errorf("%s answered %q: %v", Helper, stdout.String(), err)
	}
	return resp, nil
}
