package envconfig

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dockwright/dockwright/internal/pluginexec"
)

// ErrPlugin means a secrets plugin could not answer.
var ErrPlugin = errors.New("secrets plugin failed")

// PluginResolver resolves ref+NAME://... through the secrets plugin NAME,
// by running the dockwright-plugin-host helper once per batch (this
// binary links no gRPC).
func PluginResolver(spec PluginSpec) Resolver {
	return RefResolver(func(ctx context.Context, refs []string) (map[string]string, error) {
		req := map[string]any{
			"spec": map[string]any{"name": spec.Name, "sha256": spec.SHA256, "config": spec.Config, "timeout": spec.Timeout},
			"refs": refs,
		}
		var out struct {
			Values map[string]string `json:"values"`
		}
		if err := pluginexec.Call(ctx, "secrets-resolve", req, &out); err != nil {
			if errors.Is(err, pluginexec.ErrUsage) {
				return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.TrimPrefix(err.Error(), pluginexec.ErrUsage.Error()+": "))
			}
			return nil, fmt.Errorf("%w: %v", ErrPlugin, err)
		}
		return out.Values, nil
	})
}
