package registry

import (
	"fmt"
	"slices"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	rt "github.com/dockwright/dockwright/internal/registrytest"
)

// --keep-younger-than reads each candidate's creation time from its image
// config on the registry: builds 1..8 created 8..1 days ago, keep 2 and
// anything younger than 4.5 days.
func TestKeepYoungerThanOnRegistry(t *testing.T) {
	reg := rt.Start(t, rt.V3)
	now := time.Now()
	for b := 1; b <= 8; b++ {
		img, err := mutate.CreatedAt(rt.Image(t), v1.Time{Time: now.Add(-time.Duration(9-b) * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		rt.Push(t, reg.Host, "web", img, fmt.Sprint(b))
	}
	c := newTestClient(t)
	plans := planAndApply(t, c, repoOf(t, c, reg.Host, "web"), Policy{Keep: 2, KeepYoungerThan: 108 * time.Hour, Now: now})
	if plans[0].Error != "" {
		t.Fatal(plans[0].Error)
	}
	// 8, 7 newest; 6 (3 days), 5 (4 days) younger; 4 (5 days) and older go.
	if got := rt.Tags(t, reg.Host, "web"); !slices.Equal(got, []string{"5", "6", "7", "8"}) {
		t.Fatalf("tags = %v", got)
	}
}
