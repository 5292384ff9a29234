package main

import (
	"context"
	"strings"
	"testing"

	"github.com/dockwright/dockwright/plugins/sdk/sdktest"
)

// Through the real gRPC plumbing, as docs/plugins.md shows.
func TestResolve(t *testing.T) {
	s := sdktest.SecretSource(t, dotenv{})
	for _, tc := range []struct {
		name    string
		path    string
		refs    []string
		want    map[string]string
		wantErr string
	}{
		{"found and missing", "testdata/secrets.env", []string{"ref+dotenv://DB_PASSWORD", "ref+dotenv://API_KEY", "ref+dotenv://NOPE"},
			map[string]string{"ref+dotenv://DB_PASSWORD": "hunter2", "ref+dotenv://API_KEY": "k-123"}, ""},
		{"no path setting", "", []string{"ref+dotenv://DB_PASSWORD"}, nil, "no `path` setting"},
		{"missing file", "testdata/nope.env", []string{"ref+dotenv://DB_PASSWORD"}, nil, "nope.env"},
		{"malformed line", "testdata/broken.env", []string{"ref+dotenv://DB_PASSWORD"}, nil, "broken.env:1: want KEY=VALUE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := map[string]string{}
			if tc.path != "" {
				cfg["path"] = tc.path
			}
			got, err := s.Resolve(context.Background(), tc.refs, cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
