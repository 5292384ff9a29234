// Package docker is dockwright's access to the Docker Engine API
// (github.com/docker/docker/client): a client configured the way the docker
// CLI is (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, API version
// negotiated once), errors mapped to the exit codes of docs/contracts.md, a count of
// every Engine call, and the Engine side of image-tagger: applying a
// build's tags and pushing with the credentials of ~/.docker/config.json.
package docker
