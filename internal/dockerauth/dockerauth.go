// Package dockerauth hands the Docker Engine the credentials a push needs,
// resolved the way go-containerregistry resolves them for dockwright's
// registry client (~/.docker/config.json, $DOCKER_CONFIG, credential
// helpers). Only image-tagger links it.
package dockerauth

import (
	"context"
	"fmt"

	dockerregistry "github.com/docker/docker/api/types/registry"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// Engine returns a function giving the Docker Engine's X-Registry-Auth
// value for a registry host from kc, the keychain the registry Client uses
// (docker config and credential helpers, then ECR tokens); "" when
// anonymous.
func Engine(kc authn.Keychain) func(ctx context.Context, host string) (string, error) {
	return func(ctx context.Context, host string) (string, error) { return engine(ctx, kc, host) }
}

func engine(ctx context.Context, kc authn.Keychain, host string) (string, error) {
	reg, err := name.NewRegistry(host)
	if err != nil {
		return "", fmt.Errorf("registry %q: %w", host, err)
	}
	a, err := authn.Resolve(ctx, kc, reg)
	if err != nil {
		return "", err
	}
	if a == authn.Anonymous {
		return "", nil
	}
	cfg, err := authn.Authorization(ctx, a)
	if err != nil {
		return "", err
	}
	return dockerregistry.EncodeAuthConfig(dockerregistry.AuthConfig{
		Username: cfg.Username, Password: cfg.Password, Auth: cfg.Auth,
		IdentityToken: cfg.IdentityToken, RegistryToken: cfg.RegistryToken, ServerAddress: host,
	})
}
