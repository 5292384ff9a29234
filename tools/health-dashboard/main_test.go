package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockwright/dockwright/internal/clitest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"health-dashboard": main})
}

// TestScripts runs testdata/script/*.txtar with $SERVER: an HTTP server
// whose /up/... paths answer {"status":"ok"} and /down/... paths 503.
func TestScripts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/down") {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SERVER", srv.URL)
			return nil
		},
		Cmds: clitest.Cmds(),
	})
}
