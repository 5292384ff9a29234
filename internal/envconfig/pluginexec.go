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
	return helperResolver(map[string]any{
		"spec": map[string]any{"name": spec.Name, "sha256": spec.SHA256, "config": spec.Config, "timeout": spec.Timeout},
	}, func(err error) error { return fmt.Errorf("%w: %v", ErrPlugin, err) })
}

// SSMResolver resolves ref+awsssm://PATH[?region=R] (AWS SSM Parameter
// Store, decrypted, 10 names per GetParameters call, per region) through
// the dockwright-plugin-host helper, which links the AWS SDK so that this
// binary does not (internal/envconfig/awsssm). Credentials, region and
// endpoint come from the environment as for any AWS SDK program.
func SSMResolver() Resolver {
	return helperResolver(map[string]any{"builtin": "awsssm"}, func(err error) error { return err })
}

// helperResolver sends one batch of references with req to the helper's
// secrets-resolve mode.
func helperResolver(req map[string]any, wrap func(error) error) Resolver {
	return RefResolver(func(ctx context.Context, refs []string) (map[string]string, error) {
		body := map[string]any{"refs": refs}
		for k, v := range req {
			body[k] = v
		}
		var out struct {
			Values map[string]string `json:"values"`
		}
		if err := pluginexec.Call(ctx, "secrets-resolve", body, &out); err != nil {
			if errors.Is(err, pluginexec.ErrUsage) {
				return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.TrimPrefix(err.Error(), pluginexec.ErrUsage.Error()+": "))
			}
			return nil, wrap(err)
		}
		return out.Values, nil
	})
}
