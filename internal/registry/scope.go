package registry

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"
)

// Scope is which repositories a prune covers. The first non-empty of its
// fields decides: the named repositories, else the catalog's services,
// else every repository of Registry (its _catalog).
type Scope struct {
	// Repos are names as given on the command line (--repo).
	Repos []string
	// Services are the catalog's service names.
	Services []string
	// Registry is HOST[:PORT] whose every repository is pruned.
	Registry name.Registry
}

// Repositories resolves the scope, each repository once, in the order
// given. resolve turns a name (a --repo argument, a service, or
// REGISTRY/PATH from the registry's catalog) into a repository.
func (c *Client) Repositories(ctx context.Context, sc Scope, resolve func(string) (name.Repository, error)) ([]name.Repository, error) {
	var names []string
	switch {
	case len(sc.Repos) > 0:
		names = sc.Repos
	case len(sc.Services) > 0:
		names = sc.Services
	case sc.Registry.RegistryStr() != "":
		all, err := c.Catalog(ctx, sc.Registry)
		if err != nil {
			return nil, err
		}
		for _, path := range all {
			names = append(names, sc.Registry.RegistryStr()+"/"+path)
		}
	}
	var repos []name.Repository
	seen := map[string]bool{}
	for _, n := range names {
		r, err := resolve(n)
		if err != nil {
			return nil, err
		}
		if !seen[r.Name()] {
			seen[r.Name()] = true
			repos = append(repos, r)
		}
	}
	return repos, nil
}
