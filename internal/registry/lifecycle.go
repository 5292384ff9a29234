package registry

import (
	"fmt"
	"strings"

	"github.com/dockwright/dockwright/internal/imagetag"
)

// LifecyclePolicy is an Amazon ECR lifecycle policy document.
type LifecyclePolicy struct {
	Rules []LifecycleRule `json:"rules"`
}

// LifecycleRule is one rule of a lifecycle policy.
type LifecycleRule struct {
	RulePriority int                `json:"rulePriority"`
	Description  string             `json:"description"`
	Selection    LifecycleSelection `json:"selection"`
	Action       struct {
		Type string `json:"type"`
	} `json:"action"`
}

// LifecycleSelection is which images a rule counts.
type LifecycleSelection struct {
	TagStatus      string   `json:"tagStatus"`
	TagPatternList []string `json:"tagPatternList,omitempty"`
	CountType      string   `json:"countType"`
	CountUnit      string   `json:"countUnit,omitempty"`
	CountNumber    int      `json:"countNumber"`
}

// lifecycleKeepAll is the count of a rule that only shields what it
// selects from the rules after it: ECR never lets a lower-priority rule
// expire an image a higher-priority rule selected.
const lifecycleKeepAll = 9999

// ClosestLifecyclePolicy is the ECR lifecycle policy nearest to p: one
// shielding rule per environment tag and --protect pattern (ECR ANDs the
// patterns of one rule, so each needs its own), then one rule keeping the
// newest p.Keep tagged images by push time. gaps says, plainly, what the
// policy does differently from registry-pruner.
func ClosestLifecyclePolicy(p Policy, scheme imagetag.Scheme) (policy LifecyclePolicy, gaps []string) {
	rule := func(desc string, sel LifecycleSelection) {
		r := LifecycleRule{RulePriority: len(policy.Rules) + 1, Description: desc, Selection: sel}
		r.Action.Type = "expire"
		policy.Rules = append(policy.Rules, r)
	}
	for _, e := range scheme.Envs() {
		rule(fmt.Sprintf("shield the image tagged %s (environment tag) from the rules below", e),
			LifecycleSelection{TagStatus: "tagged", TagPatternList: []string{e}, CountType: "imageCountMoreThan", CountNumber: lifecycleKeepAll})
	}
	for _, pat := range p.Protect {
		if strings.ContainsAny(pat, "?[\\") {
			gaps = append(gaps, fmt.Sprintf("--protect %q: ECR tag patterns know only *, so the rule matches the pattern's characters literally", pat))
		}
		rule(fmt.Sprintf("shield images tagged %s (--protect) from the rules below", pat),
			LifecycleSelection{TagStatus: "tagged", TagPatternList: []string{pat}, CountType: "imageCountMoreThan", CountNumber: lifecycleKeepAll})
	}
	if p.KeepYoungerThan > 0 {
		gaps = append(gaps, fmt.Sprintf("--keep-younger-than %s: a rule can count images or expire them by age, not both; "+
			"the policy keeps the newest %d only (a separate sinceImagePushed rule would expire by age alone)", p.KeepYoungerThan, p.Keep))
	}
	rule(fmt.Sprintf("keep the newest %d tagged images, by push time", p.Keep),
		LifecycleSelection{TagStatus: "tagged", TagPatternList: []string{"*"}, CountType: "imageCountMoreThan", CountNumber: max(p.Keep, 1)})
	gaps = append(gaps,
		"ECR counts by push time, registry-pruner by build number: an old build pushed again (a rebuild, a re-push from another pipeline) counts as new to ECR",
		"a lifecycle rule cannot keep images in use: it knows no running container (sinceImagePulled ages by last pull, which a running container does not renew, and cannot be combined with a count), so a build a host still runs (mid-rollout, after a rollback) goes once it falls out of the newest "+fmt.Sprint(p.Keep)+"; registry-pruner has the same limit but runs when you run it, after the deploy",
		"the count is over every tagged image not shielded above, so tags dockwright did not write (feature-x) take slots from builds and are expired like them; registry-pruner leaves them alone unless --prune-other",
		"the count rule still counts the shielded images (ECR lets a lower-priority rule see, not expire, what a higher one selected), so an environment tag on an old build takes one of the newest slots",
		"untagged images (the children of multi-arch indexes among them) are not touched by this policy",
	)
	if p.Keep == 0 {
		gaps = append(gaps, "--keep 0: a lifecycle rule keeps at least 1 image, so the policy keeps the newest one")
	}
	if !scheme.Plain() {
		gaps = append(gaps, "a --version-pattern cannot be a tag pattern (ECR patterns have only *), so the count rule selects every tagged image")
	}
	return policy, gaps
}
