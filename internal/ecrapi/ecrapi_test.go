package ecrapi

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dockwright/dockwright/internal/pluginexec"
)

// The session's own refusals; the calls themselves are tested through
// the registry client against internal/ecrfake.
func TestServeRefuses(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  string // Serve's error
		wantMsg  string // the answer's error message
	}{
		{"not JSON", "DescribeImages\n", "want one JSON object per line", ""},
		{"an operation dockwright does not use", `{"id":7,"op":"DeleteRepository","region":"us-east-1"}` + "\n", "", `operation "DeleteRepository" is not one dockwright uses`},
		{"an input of the wrong shape", `{"id":8,"op":"DescribeImages","region":"us-east-1","input":{"repositoryName":5}}` + "\n", "", "DescribeImages input"},
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := (&Server{}).Serve(context.Background(), strings.NewReader(tt.in), &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Serve: %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var resp pluginexec.ECRResponse
			if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
				t.Fatalf("answer %q: %v", out.String(), err)
			}
			if resp.Error == nil || !strings.Contains(resp.Error.Message, tt.wantMsg) || resp.Attempts != 0 {
				t.Errorf("answer %+v, want an error containing %q and no attempt", resp, tt.wantMsg)
			}
		})
	}
}
