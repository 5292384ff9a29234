// Command dockwright-plugin-secrets-dotenv is a secrets plugin shipped with
// dockwright: it resolves ref+dotenv://KEY from a KEY=VALUE file (the
// `path` setting), the simplest secret store there is, and the example
// docs/plugins.md walks through.
//
//	go build -o dockwright-plugin-secrets-dotenv ./plugins/secrets-dotenv
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/dockwright/dockwright/plugins/sdk"
)

type dotenv struct{}

// Resolve reads the file on every call (secrets rotate) and answers the
// keys it has.
func (dotenv) Resolve(_ context.Context, refs []string, config map[string]string) (map[string]string, error) {
	path := config["path"]
	if path == "" {
		return nil, errors.New("secrets-dotenv: no `path` setting")
	}
	values, err := read(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range refs {
		key := strings.TrimPrefix(r, "ref+dotenv://")
		if v, ok := values[key]; ok {
			out[r] = v
		}
	}
	return out, nil
}

func read(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secrets-dotenv: %w", err)
	}
	defer f.Close()
	values := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			return nil, fmt.Errorf("secrets-dotenv: %s:%d: want KEY=VALUE", path, n)
		}
		values[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return values, sc.Err()
}

func main() { sdk.ServeSecretSource(dotenv{}) }
