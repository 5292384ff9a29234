// Package registry is dockwright's side of a Docker Distribution registry
// (HTTP API v2): listing versions, promoting a build to an environment by
// retagging inside the registry, and pruning old builds with a plan that
// never deletes a digest any kept or protected tag references.
//
// The protocol, authentication (anonymous, basic, bearer-token challenges,
// ~/.docker/config.json and its credential helpers) and manifest formats
// are github.com/google/go-containerregistry's; this package adds a
// bounded, retrying, counting transport with one authentication handshake
// per repository, and the policies.
package registry
