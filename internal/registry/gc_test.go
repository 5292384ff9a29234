package registry

import (
	"testing"

	rt "github.com/dockwright/dockwright/internal/registrytest"
)

// TestGCDeleteUntaggedAdvice checks the advice docs/registry-pruner.md
// gives: on 2.8, `garbage-collect --delete-untagged` deletes the children
// of a tagged multi-arch index (they have no tag of their own), so the
// index can no longer be pulled; v3 keeps them.
func TestGCDeleteUntaggedAdvice(t *testing.T) {
	for _, tc := range []struct {
		kind   rt.Kind
		broken bool
	}{{rt.V2, true}, {rt.V3, false}} {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			reg := rt.Start(t, tc.kind)
			rt.Push(t, reg.Host, "web", rt.Index(t, 2), "7", "prod")
			reg.GarbageCollect(t, "--delete-untagged")
			err := rt.Pull(reg.Host, "web:prod")
			if tc.broken && err == nil {
				t.Fatal("2.8's --delete-untagged left the tagged index whole; the docs' warning would be wrong")
			}
			if !tc.broken && err != nil {
				t.Fatalf("v3's --delete-untagged broke a tagged index: %v", err)
			}
		})
	}
}
