package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockwright/dockwright/plugins/sdk"
	"github.com/dockwright/dockwright/plugins/sdk/sdktest"
)

// Through the real gRPC plumbing: what the receiver gets, and which
// answers are retried.
func TestNotify(t *testing.T) {
	e := sdk.Event{Kind: "promotion", Source: "image-tagger", Service: "web", Env: "prod", Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
		Summary: "web build 42 promoted to prod", Details: json.RawMessage(`{"build":42}`)}
	for _, tc := range []struct {
		name     string
		answers  []int // status per attempt; the last repeats
		retries  string
		wantErr  string
		attempts int32
	}{
		{"delivered", []int{204}, "", "", 1},
		{"5xx retried", []int{503, 502, 200}, "", "", 3},
		{"429 retried", []int{429, 200}, "", "", 2},
		{"4xx not retried", []int{404}, "", "answered 404", 1},
		{"gives up after retries", []int{500}, "1", "answered 500", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			var got sdk.Event
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				if r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
				}
				json.NewDecoder(r.Body).Decode(&got)
				w.WriteHeader(tc.answers[min(i, len(tc.answers)-1)])
			}))
			defer srv.Close()
			err := sdktest.Notifier(t, webhook{}).Notify(context.Background(), e, map[string]string{"url": srv.URL, "retries": tc.retries})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
			if n.Load() != tc.attempts {
				t.Errorf("%d attempts, want %d", n.Load(), tc.attempts)
			}
			if got.Kind != e.Kind || got.Summary != e.Summary || string(got.Details) != `{"build":42}` || !got.Time.Equal(e.Time) {
				t.Errorf("received %+v", got)
			}
		})
	}
	if err := sdktest.Notifier(t, webhook{}).Notify(context.Background(), e, nil); err == nil || !strings.Contains(err.Error(), "no `url` setting") {
		t.Errorf("without a url: %v", err)
	}
}
