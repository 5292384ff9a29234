// Package short shortens digests and image IDs for tables and messages,
// the one place every binary does it.
package short

import "strings"

// Digest is a registry digest cut for a table, the algorithm kept:
// "sha256:0123456789ab" (19 characters); a shorter string is unchanged.
func Digest(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

// ID is a local image ID as `docker images` prints it: 12 hex
// digits, without "sha256:".
func ID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
