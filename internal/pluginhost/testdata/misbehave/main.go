// A secrets plugin that misbehaves on request, for pluginhost's tests:
// ref+misbehave://hang never answers, ref+misbehave://crash exits mid-call.
package main

import (
	"context"
	"os"

	"github.com/dockwright/dockwright/plugins/sdk"
)

type misbehave struct{}

func (misbehave) Resolve(ctx context.Context, refs []string, _ map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range refs {
		switch r {
		case "ref+misbehave://hang":
			<-make(chan struct{})
		case "ref+misbehave://crash":
			os.Exit(3)
		default:
			out[r] = "fine"
		}
	}
	return out, nil
}

func main() { sdk.ServeSecretSource(misbehave{}) }
