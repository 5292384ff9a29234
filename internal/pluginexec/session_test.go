package pluginexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A helper that dies is reported with what it said on stderr, to this
// call and the next.
func TestSessionReportsAHelperThatExits(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho 'dockwright-plugin-host: no AWS region: set AWS_REGION' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, Helper), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	s := &Session{}
	for i := range 2 {
		_, err := s.Call(context.Background(), ECRRequest{Op: "DescribeImages"})
		if err == nil || !strings.Contains(err.Error(), "dockwright-plugin-host ecr: no AWS region: set AWS_REGION") {
			t.Fatalf("call %d: %v, want the helper's own message", i+1, err)
		}
	}
}
