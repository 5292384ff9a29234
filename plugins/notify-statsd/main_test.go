package main

import (
	"context"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockwright/dockwright/plugins/sdk"
	"github.com/dockwright/dockwright/plugins/sdk/sdktest"
)

func TestLines(t *testing.T) {
	prune := json.RawMessage(`{"summary":{"repositories":2,"manifests_deleted":7,"by":{"tag":7}},"requests":{"total":18},"note":"x"}`)
	for _, tc := range []struct {
		name    string
		e       sdk.Event
		prefix  string
		dogTags bool
		want    []string
	}{
		{"summary with numbers", sdk.Event{Kind: "prune.summary", Source: "registry-pruner", Details: prune}, "", false, []string{
			"dockwright.prune.summary:1|c",
			"dockwright.prune.summary.requests.total:18|g",
			"dockwright.prune.summary.summary.manifests_deleted:7|g",
			"dockwright.prune.summary.summary.repositories:2|g",
		}},
		{"service and env in the name", sdk.Event{Kind: "deploy.failed", Service: "web api", Env: "prod", Source: "ansible"}, "ci", false, []string{
			"ci.deploy.failed.prod.web_api:1|c",
		}},
		{"dogstatsd tags", sdk.Event{Kind: "promotion", Service: "web", Env: "prod", Source: "image-tagger", Details: json.RawMessage(`{"build":42}`)}, "", true, []string{
			"dockwright.promotion:1|c|#service:web,env:prod,source:image-tagger",
			"dockwright.promotion.build:42|g|#service:web,env:prod,source:image-tagger",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Lines(tc.e, tc.prefix, tc.dogTags)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	if _, err := Lines(sdk.Event{Kind: "x", Details: json.RawMessage(`{`)}, "", false); err == nil {
		t.Error("bad details accepted")
	}
}

// Through the real gRPC plumbing to a UDP listener.
func TestNotifyOverUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	n := sdktest.Notifier(t, statsd{})
	e := sdk.Event{Kind: "retention.summary", Source: "keep-n-retention", Time: time.Now(), Details: json.RawMessage(`{"Removed":2,"Failed":0,"Bytes":1024}`)}
	if err := n.Notify(context.Background(), e, map[string]string{"address": pc.LocalAddr().String()}); err != nil {
		t.Fatal(err)
	}
	var got []string
	buf := make([]byte, 1500)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for len(got) < 4 {
		k, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		got = append(got, string(buf[:k]))
	}
	want := []string{"dockwright.retention.summary:1|c", "dockwright.retention.summary.Bytes:1024|g",
		"dockwright.retention.summary.Failed:0|g", "dockwright.retention.summary.Removed:2|g"}
	if !slices.Equal(got, want) {
		t.Errorf("received %v, want %v", got, want)
	}
	if err := n.Notify(context.Background(), e, nil); err == nil || !strings.Contains(err.Error(), "no `address` setting") {
		t.Errorf("without an address: %v", err)
	}
}
