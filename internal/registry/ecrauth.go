package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// ecrRefreshBefore is how long before an ECR token's expiry (12 hours
// after it was issued) a new one is fetched.
const ecrRefreshBefore = 30 * time.Minute

// ecrKeychain authenticates to ECR registries in process, with the AWS
// credentials of the default chain (GetAuthorizationToken): no `docker
// login`, no credential helper. It comes after the Docker keychain, so a
// credHelpers / credsStore entry (ecr-login) in ~/.docker/config.json
// wins where there is one.
type ecrKeychain struct{ c *Client }

// Resolve implements authn.Keychain.
func (k *ecrKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), target)
}

// ResolveContext implements authn.ContextKeychain.
func (k *ecrKeychain) ResolveContext(ctx context.Context, target authn.Resource) (authn.Authenticator, error) {
	reg, err := name.NewRegistry(target.RegistryStr(), name.WeakValidation)
	if err != nil {
		return authn.Anonymous, nil
	}
	s := k.c.ecr(reg)
	if s == nil {
		return authn.Anonymous, nil
	}
	return s.auth, nil
}

// ecrAuth is an ECR registry's token, fetched on first use and again
// before it expires.
type ecrAuth struct {
	s       *ecrStore
	mu      sync.Mutex
	cfg     *authn.AuthConfig
	expires time.Time
	now     func() time.Time
}

// Authorization implements authn.Authenticator.
func (a *ecrAuth) Authorization() (*authn.AuthConfig, error) {
	return a.AuthorizationContext(context.Background())
}

// AuthorizationContext implements authn.ContextAuthenticator.
func (a *ecrAuth) AuthorizationContext(ctx context.Context) (*authn.AuthConfig, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cfg != nil && a.now().Before(a.expires.Add(-ecrRefreshBefore)) {
		return a.cfg, nil
	}
	var in struct {
		RegistryIDs []string `json:"registryIds,omitempty"`
	}
	if a.s.registryID != "" {
		in.RegistryIDs = []string{a.s.registryID}
	}
	var out struct {
		AuthorizationData []struct {
			AuthorizationToken string     `json:"authorizationToken"`
			ExpiresAt          *time.Time `json:"expiresAt"`
		} `json:"authorizationData"`
	}
	if err := a.s.call(ctx, "GetAuthorizationToken", in, &out); err != nil {
		return nil, fmt.Errorf("ECR authorization token: %w", err)
	}
	if len(out.AuthorizationData) == 0 {
		return nil, fmt.Errorf("ECR authorization token: the answer holds none")
	}
	d := out.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(d.AuthorizationToken)
	user, pass, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok {
		return nil, fmt.Errorf("ECR authorization token: not base64 USER:PASSWORD")
	}
	a.cfg = &authn.AuthConfig{Username: user, Password: pass}
	a.expires = time.Time{}
	if d.ExpiresAt != nil {
		a.expires = *d.ExpiresAt
	}
	if a.expires.IsZero() {
		a.expires = a.now().Add(12 * time.Hour)
	}
	return a.cfg, nil
}
