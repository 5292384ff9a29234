package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dockwright/dockwright/plugins/sdk"
	"github.com/dockwright/dockwright/plugins/sdk/sdktest"
)

type cmdb struct{}

func (cmdb) ListHosts(_ context.Context, cfg map[string]string) ([]sdk.Host, error) {
	if cfg["fail"] != "" {
		return nil, errors.New("cmdb unreachable")
	}
	return []sdk.Host{{Name: "db1", Address: "10.1.0.5", AZ: "dc1", Tags: map[string]string{"Service": "db", "Env": cfg["env"]},
		Vars: map[string]any{"ansible_user": "deploy", "rack": 4.0, "disks": []any{"sda", "sdb"}}}}, nil
}

type vault struct{}

func (vault) Resolve(_ context.Context, refs []string, _ map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range refs {
		if strings.HasSuffix(r, "/db") {
			out[r] = "s3cret"
		}
	}
	return out, nil
}

type recorder struct{ got []sdk.Event }

func (r *recorder) Notify(_ context.Context, e sdk.Event, _ map[string]string) error {
	r.got = append(r.got, e)
	return nil
}

func TestRoundTrips(t *testing.T) {
	ctx := context.Background()
	inv := sdktest.InventorySource(t, cmdb{})
	hosts, err := inv.ListHosts(ctx, map[string]string{"env": "prod"})
	if err != nil || len(hosts) != 1 {
		t.Fatalf("ListHosts = %v, %v", hosts, err)
	}
	h := hosts[0]
	if h.Address != "10.1.0.5" || h.Tags["Env"] != "prod" || h.Vars["ansible_user"] != "deploy" || h.Vars["rack"] != 4.0 || len(h.Vars["disks"].([]any)) != 2 {
		t.Errorf("host = %+v", h)
	}
	if _, err := inv.ListHosts(ctx, map[string]string{"fail": "1"}); err == nil || !strings.Contains(err.Error(), "cmdb unreachable") {
		t.Errorf("plugin error lost: %v", err)
	}

	sec := sdktest.SecretSource(t, vault{})
	v, err := sec.Resolve(ctx, []string{"ref+vault://secret/db", "ref+vault://secret/none"}, nil)
	if err != nil || v["ref+vault://secret/db"] != "s3cret" || len(v) != 1 {
		t.Errorf("Resolve = %v, %v", v, err)
	}

	rec := &recorder{}
	n := sdktest.Notifier(t, rec)
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	details, _ := json.Marshal(map[string]int{"deleted": 3})
	if err := n.Notify(ctx, sdk.Event{Kind: sdk.EventPruneSummary, Source: "registry-pruner", Time: at, Summary: "3 deleted", Details: details}, nil); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 1 || !rec.got[0].Time.Equal(at) || string(rec.got[0].Details) != `{"deleted":3}` || rec.got[0].Kind != "prune.summary" {
		t.Errorf("event = %+v", rec.got)
	}
}
