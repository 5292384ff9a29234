package registry

import (
	"fmt"
	"testing"

	"github.com/dockwright/dockwright/internal/imagetag"
)

// BenchmarkPlanRepo200 plans one repository of the benchmark estate: 200
// builds, env tags sharing digests, keep 10 (the pure part of a prune;
// the network part is bench/registry-pruner.sh).
func BenchmarkPlanRepo200(b *testing.B) {
	s := RepoState{Repository: "reg/svc", Resolved: true, Tags: builds(1, 200)}
	s.Tags = append(s.Tags,
		TagState{Tag: "dev", Digest: d("b200")}, TagState{Tag: "latest", Digest: d("b200")},
		TagState{Tag: "staging", Digest: d("b198")}, TagState{Tag: "prod", Digest: d(fmt.Sprintf("b%d", 195))})
	scheme := imagetag.DefaultScheme()
	p := Policy{Keep: 10}
	b.ReportAllocs()
	for b.Loop() {
		plan := PlanRepo(s, scheme, p)
		if len(plan.Deletions) != 190 {
			b.Fatalf("%d deletions", len(plan.Deletions))
		}
	}
}
