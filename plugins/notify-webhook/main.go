// Command dockwright-plugin-notify-webhook is a notifier plugin shipped
// with dockwright: it POSTs each event as JSON to the `url` setting,
// retrying 5xx and network errors (`retries`, default 3) with backoff.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dockwright/dockwright/plugins/sdk"
)

type webhook struct{}

func (webhook) Notify(ctx context.Context, e sdk.Event, config map[string]string) error {
	url := config["url"]
	if url == "" {
		return errors.New("notify-webhook: no `url` setting")
	}
	retries := 3
	if r, err := strconv.Atoi(config["retries"]); err == nil && r >= 0 {
		retries = r
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	wait := 200 * time.Millisecond
	var last error
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			last = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode < 300 {
			return nil
		}
		last = fmt.Errorf("%s answered %d", url, resp.StatusCode)
		if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			return last
		}
	}
	return fmt.Errorf("notify-webhook: %w", last)
}

func main() { sdk.ServeNotifier(webhook{}) }
