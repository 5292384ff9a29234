// A secrets plugin whose handshake is wrong, for pluginhost's tests. Its
// file name picks how: ...-otherversion speaks the next protocol version,
// ...-nocookie expects another magic cookie (as a plugin of another
// program would), so it refuses to run for dockwright's host.
package main

import (
	"context"
	"os"
	"strings"

	"github.com/hashicorp/go-plugin"

	"github.com/dockwright/dockwright/plugins/sdk"
)

type fine struct{}

func (fine) Resolve(_ context.Context, refs []string, _ map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range refs {
		out[r] = "fine"
	}
	return out, nil
}

func main() {
	hs := sdk.Handshake
	switch {
	case strings.HasSuffix(os.Args[0], "-otherversion"):
		hs.ProtocolVersion = sdk.ProtocolVersion + 1
	case strings.HasSuffix(os.Args[0], "-nocookie"):
		hs.MagicCookieKey, hs.MagicCookieValue = "OTHER_PROGRAM_PLUGIN", "not-dockwright"
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: hs,
		Plugins:         map[string]plugin.Plugin{sdk.KindSecrets: &sdk.SecretsPlugin{Impl: fine{}}},
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
