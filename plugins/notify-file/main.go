// Command dockwright-plugin-notify-file is a notifier plugin shipped with
// dockwright: it appends each event as one JSON line to the file named by
// the `path` setting (created 0644 when missing) — an audit log of
// deploys, promotions and prunes on the Jenkins box, or a file to tail.
// Each event is one write(2) on a file opened O_APPEND, so concurrent
// writers (parallel Jenkins jobs) never interleave lines.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/dockwright/dockwright/plugins/sdk"
)

type file struct{}

func (file) Notify(_ context.Context, e sdk.Event, config map[string]string) error {
	path := config["path"]
	if path == "" {
		return errors.New("notify-file: no `path` setting")
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("notify-file: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("notify-file: %w", err)
	}
	return f.Close()
}

func main() { sdk.ServeNotifier(file{}) }
