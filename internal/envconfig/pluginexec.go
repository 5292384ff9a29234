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
	return helperResolver(pluginexec.Request{Spec: &spec}, func(err error) error { return fmt.Errorf("%w: %v", ErrPlugin, err) })
}

// SSMResolver resolves ref+awsssm://PATH[?region=R] (AWS SSM Parameter
// Store, decrypted, 10 names per GetParameters call, per region) through
// the dockwright-plugin-host helper, which links the AWS SDK so that this
// binary does not (internal/envconfig/awsssm). Credentials, region and
// endpoint come from the environment as for any AWS SDK program.
func SSMResolver() Resolver {
	return helperResolver(pluginexec.Request{Builtin: "awsssm"}, func(err error) error { return err })
}

// helperResolver sends one batch of references with req (its plugin or
// builtin) to the helper's secrets-resolve mode.
func helperResolver(req pluginexec.Request, wrap func(error) error) Resolver {
	return RefResolver(func(ctx context.Context, refs []string) (map[string]string, error) {
		req := req
		req.Refs = refs
		out, err := pluginexec.Call(ctx, pluginexec.ModeSecretsResolve, req)
		if err != nil {
			if errors.Is(err, pluginexec.ErrUsage) {
				return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.TrimPrefix(err.Error(), pluginexec.ErrUsage.Error()+": "))
			}
			return nil, wrap(err)
		}
		return out.Values, nil
	})
}
