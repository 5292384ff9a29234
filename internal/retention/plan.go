package retention

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/dockwright/dockwright/internal/imagetag"
)

// Scope says which repositories are managed. Empty: every repository with
// at least one version tag.
type Scope struct {
	// Services match repositories whose last path element is the name
	// ("web" matches "registry:5000/web" and "registry:5000/team/web").
	Services []string `json:"services,omitempty"`
	// Repos are path.Match patterns of whole repository names.
	Repos []string `json:"repos,omitempty"`
}

// Policy is what keep-n-retention keeps.
type Policy struct {
	// Keep is how many versions of each repository to keep (running ones
	// count toward it).
	Keep int `json:"keep"`
	// MinAge keeps candidates pulled or tagged here less than this long
	// ago (a deploy in progress).
	MinAge time.Duration `json:"min_age,omitempty"`
	// Now is the reference time for MinAge.
	Now time.Time `json:"-"`
	// PruneStoppedContainers removes the stopped containers of versions
	// being removed (otherwise such versions are kept).
	PruneStoppedContainers bool `json:"prune_stopped_containers,omitempty"`
	// Dangling also removes untagged images of managed repositories that
	// no container uses.
	Dangling bool `json:"dangling,omitempty"`
	// AllowEmpty allows removing every version of a repository.
	AllowEmpty bool  `json:"allow_empty,omitempty"`
	Scope      Scope `json:"scope"`
}

// Validate checks the policy's values.
func (p Policy) Validate() error {
	if p.Keep < 0 {
		return fmt.Errorf("keep %d: want 0 or more", p.Keep)
	}
	if p.MinAge < 0 {
		return fmt.Errorf("min-age %s: want a positive duration", p.MinAge)
	}
	for _, r := range p.Scope.Repos {
		if _, err := path.Match(r, ""); err != nil {
			return fmt.Errorf("repository pattern %q: %v", r, err)
		}
	}
	return nil
}

// Actions and statuses.
const (
	Keep   = "keep"
	Remove = "remove"

	StatusPlanned = "planned"
	StatusRemoved = "removed"
	StatusFailed  = "failed"
)

// Decision is the plan for one image in one repository.
type Decision struct {
	ID      string    `json:"id"`
	Tags    []string  `json:"tags"`
	Build   uint64    `json:"build,omitempty"`
	Created time.Time `json:"created"`
	Size    int64     `json:"size"`
	Action  string    `json:"action"`
	Reason  string    `json:"reason"`
}

// RepoPlan is the plan for one repository.
type RepoPlan struct {
	Repository string     `json:"repository"`
	Refused    string     `json:"refused,omitempty"`
	Images     []Decision `json:"images"`
}

// Removal is one image to remove: its stopped containers first (with
// PruneStoppedContainers), then each tag (the last one removes the image;
// the Engine refuses if a container uses it by then), or the ID of a
// dangling image.
type Removal struct {
	ID         string   `json:"id"`
	Refs       []string `json:"refs"`
	Containers []string `json:"containers,omitempty"`
	Size       int64    `json:"size"`
	Reason     string   `json:"reason"`
	Status     string   `json:"status"`
	Error      string   `json:"error,omitempty"`
	// Dangling says the removal is an untagged image's (by its ID).
	Dangling bool `json:"-"`
}

// Plan is what a run will do.
type Plan struct {
	Repositories []RepoPlan `json:"repositories"`
	Removals     []Removal  `json:"removals"`
}

type member struct {
	img     *Image
	tags    []string // tags in this repository
	build   uint64
	version bool
}

// verdict is one image's fate in one repository, before the image is
// judged as a whole.
type verdict struct {
	keep   bool
	reason string
}

// planner holds what MakePlan's phases share.
type planner struct {
	images []Image
	scheme imagetag.Scheme
	p      Policy
	users  map[string][]Container // image ID -> containers using it

	byRepo  map[string][]*member // repository -> its images
	managed map[string]bool      // repositories in scope
	repos   []string             // managed, sorted

	verdicts  map[string]map[string]verdict // repository -> image ID
	removable map[string]bool               // image ID
	why       map[string]string             // image ID -> why it stays, overriding a candidate
}

// MakePlan decides, without I/O, what to keep and what to remove:
//
//   - per managed repository, the versions (build numbers from the tags,
//     never creation time) used by a running container are kept and count
//     toward Keep, then the newest others until Keep are kept;
//   - an image any container uses is kept (with PruneStoppedContainers,
//     the stopped containers of versions being removed go first instead);
//   - an image is one unit whatever its tags: it is removed only when it is
//     a candidate in every repository it is tagged in and has no other tag;
//   - MinAge keeps images pulled or tagged recently;
//   - removing every version of a repository needs AllowEmpty.
func MakePlan(images []Image, containers []Container, scheme imagetag.Scheme, p Policy) Plan {
	pl := &planner{images: images, scheme: scheme, p: p, users: map[string][]Container{}}
	for _, c := range containers {
		pl.users[c.ImageID] = append(pl.users[c.ImageID], c)
	}
	pl.members()
	pl.judgeInRepos()
	pl.judgeImages()
	repos, reasons := pl.decide()
	plan := Plan{Repositories: repos, Removals: pl.removals(repos, reasons)}
	if p.Dangling {
		plan.Removals = append(plan.Removals, pl.dangling()...)
	}
	slices.SortFunc(plan.Removals, func(a, b Removal) int { return strings.Compare(a.ID, b.ID) })
	return plan
}

// members groups the images by repository, with each one's build number,
// and picks the repositories in scope.
func (pl *planner) members() {
	pl.byRepo = map[string][]*member{}
	for i := range pl.images {
		img := &pl.images[i]
		per := map[string]*member{}
		for _, ref := range img.Tags {
			repo, tag, ok := splitRef(ref)
			if !ok {
				continue
			}
			m := per[repo]
			if m == nil {
				m = &member{img: img}
				per[repo] = m
				pl.byRepo[repo] = append(pl.byRepo[repo], m)
			}
			m.tags = append(m.tags, ref)
			if k, n := pl.scheme.Classify(tag); k == imagetag.Version {
				m.version = true
				m.build = max(m.build, n)
			}
		}
	}
	pl.managed = map[string]bool{}
	for repo, ms := range pl.byRepo {
		if inScope(repo, ms, pl.p.Scope) {
			pl.managed[repo] = true
		}
	}
	pl.repos = slices.Sorted(maps.Keys(pl.managed))
}

// judgeInRepos decides, per managed repository, which images it keeps
// (running versions count toward Keep, then the newest) and which are
// candidates.
func (pl *planner) judgeInRepos() {
	pl.verdicts = map[string]map[string]verdict{}
	for _, repo := range pl.repos {
		ms := pl.byRepo[repo]
		slices.SortStableFunc(ms, func(a, b *member) int {
			if c := cmp.Compare(b.build, a.build); c != 0 {
				return c
			}
			return b.img.Created.Compare(a.img.Created)
		})
		v := map[string]verdict{}
		pl.verdicts[repo] = v
		running := 0
		for _, m := range ms {
			if m.version && anyRunning(pl.users[m.img.ID]) {
				running++
			}
		}
		slots := max(pl.p.Keep-running, 0)
		for _, m := range ms {
			users := pl.users[m.img.ID]
			switch {
			case !m.version:
				v[m.img.ID] = verdict{true, "not a version (" + strings.Join(m.tags, ", ") + ")"}
			case anyRunning(users):
				v[m.img.ID] = verdict{true, "used by running container " + names(users, Container.Running) + " (counts toward --keep)"}
			case slots > 0:
				slots--
				v[m.img.ID] = verdict{true, fmt.Sprintf("newest %d versions", pl.p.Keep)}
			default:
				v[m.img.ID] = verdict{false, fmt.Sprintf("older than the newest %d versions", pl.p.Keep)}
			}
		}
	}
}

// judgeImages decides each candidate image as a whole: removable only when
// it is a candidate everywhere it is tagged and nothing else holds it.
func (pl *planner) judgeImages() {
	pl.removable, pl.why = map[string]bool{}, map[string]string{}
	for i := range pl.images {
		img := &pl.images[i]
		cand, keptSomewhere, other := false, "", ""
		for _, ref := range img.Tags {
			repo, _, ok := splitRef(ref)
			if !ok {
				continue
			}
			if !pl.managed[repo] {
				other = ref
				continue
			}
			if pl.verdicts[repo][img.ID].keep {
				keptSomewhere = repo
			} else {
				cand = true
			}
		}
		if !cand {
			continue
		}
		p := pl.p
		switch used := pl.users[img.ID]; {
		case envTag(img, pl.scheme) != "":
			pl.why[img.ID] = "tagged " + envTag(img, pl.scheme) + " (an environment tag)"
		case other != "":
			pl.why[img.ID] = "also tagged " + other + ", which is not managed here"
		case keptSomewhere != "":
			pl.why[img.ID] = "also tagged in " + keptSomewhere + ", where it is kept"
		case hasUnstopped(used):
			pl.why[img.ID] = "used by container " + names(used, func(c Container) bool { return !c.Stopped() })
		case len(used) > 0 && !p.PruneStoppedContainers:
			pl.why[img.ID] = "used by stopped container " + names(used, Container.Stopped) + " (--prune-stopped-containers removes it)"
		case p.MinAge > 0 && !img.Tagged.IsZero() && p.Now.Sub(img.Tagged) < p.MinAge:
			pl.why[img.ID] = fmt.Sprintf("pulled or tagged %s ago, less than --min-age %s", p.Now.Sub(img.Tagged).Round(time.Second), p.MinAge)
		default:
			pl.removable[img.ID] = true
		}
	}
}

// decide builds each repository's decisions, refusing to empty one of
// versions without AllowEmpty, and says per image why it goes (one reason
// per repository).
func (pl *planner) decide() ([]RepoPlan, map[string][]string) {
	out := []RepoPlan{}
	reasons := map[string][]string{}
	for _, repo := range pl.repos {
		rp := RepoPlan{Repository: repo, Images: []Decision{}}
		versions, kept := 0, 0
		for _, m := range pl.byRepo[repo] {
			if !m.version {
				continue
			}
			versions++
			if !pl.removable[m.img.ID] {
				kept++
			}
		}
		if versions > 0 && kept == 0 && !pl.p.AllowEmpty {
			rp.Refused = fmt.Sprintf("the plan removes every version (%d); pass --allow-empty to allow it", versions)
		}
		for _, m := range pl.byRepo[repo] {
			vd := pl.verdicts[repo][m.img.ID]
			d := Decision{ID: m.img.ID, Tags: m.tags, Build: m.build, Created: m.img.Created, Size: m.img.Size, Action: Keep, Reason: vd.reason}
			if !vd.keep {
				if w, ok := pl.why[m.img.ID]; ok {
					d.Reason = w
				} else if rp.Refused != "" {
					d.Reason = "refused: " + vd.reason
				} else if pl.removable[m.img.ID] {
					d.Action = Remove
					reasons[m.img.ID] = append(reasons[m.img.ID], repo+": "+vd.reason)
				}
			}
			rp.Images = append(rp.Images, d)
		}
		out = append(out, rp)
	}
	return out, reasons
}

// removals lists the removable images no refused repository holds, with
// the containers to remove first.
func (pl *planner) removals(repos []RepoPlan, reasons map[string][]string) []Removal {
	refused := map[string]bool{}
	for _, rp := range repos {
		if rp.Refused != "" {
			for _, d := range rp.Images {
				refused[d.ID] = true
			}
		}
	}
	out := []Removal{}
	for i := range pl.images {
		img := &pl.images[i]
		if !pl.removable[img.ID] || refused[img.ID] {
			continue
		}
		r := Removal{ID: img.ID, Refs: slices.Clone(img.Tags), Size: img.Size, Status: StatusPlanned}
		for _, c := range pl.users[img.ID] {
			r.Containers = append(r.Containers, c.ID)
		}
		r.Reason = strings.Join(reasons[img.ID], "; ")
		out = append(out, r)
	}
	return out
}

// dangling lists the untagged images of managed repositories (or of
// repositories the scope names) that no container uses.
func (pl *planner) dangling() []Removal {
	var out []Removal
	named := len(pl.p.Scope.Services)+len(pl.p.Scope.Repos) > 0
	for i := range pl.images {
		img := &pl.images[i]
		if len(tagsOf(img)) > 0 || len(pl.users[img.ID]) > 0 {
			continue
		}
		for _, d := range img.Digests {
			if repo := digestRepo(d); pl.managed[repo] || (repo != "" && named && inScope(repo, nil, pl.p.Scope)) {
				out = append(out, Removal{ID: img.ID, Refs: []string{img.ID}, Size: img.Size, Status: StatusPlanned, Reason: "dangling (untagged) image of " + repo, Dangling: true})
				break
			}
		}
	}
	return out
}

func envTag(img *Image, scheme imagetag.Scheme) string {
	for _, ref := range img.Tags {
		if _, tag, ok := splitRef(ref); ok && scheme.IsEnv(tag) {
			return ref
		}
	}
	return ""
}

func tagsOf(img *Image) []string {
	var out []string
	for _, t := range img.Tags {
		if _, _, ok := splitRef(t); ok {
			out = append(out, t)
		}
	}
	return out
}

func inScope(repo string, ms []*member, s Scope) bool {
	if len(s.Services) == 0 && len(s.Repos) == 0 {
		for _, m := range ms {
			if m.version {
				return true
			}
		}
		return false
	}
	if slices.Contains(s.Services, lastElem(repo)) {
		return true
	}
	for _, pat := range s.Repos {
		if ok, _ := path.Match(pat, repo); ok {
			return true
		}
	}
	return false
}

func anyRunning(cs []Container) bool {
	return slices.ContainsFunc(cs, Container.Running)
}

func hasUnstopped(cs []Container) bool {
	return slices.ContainsFunc(cs, func(c Container) bool { return !c.Stopped() })
}

func names(cs []Container, keep func(Container) bool) string {
	var out []string
	for _, c := range cs {
		if keep(c) {
			n := c.Name
			if n == "" {
				n = c.ID
			}
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// BytesReclaimed sums the sizes of the removals that happened: 0 for a
// plan not applied. It is an upper bound: layers shared with kept images
// stay.
func (p Plan) BytesReclaimed() int64 {
	var n int64
	for _, r := range p.Removals {
		if r.Status == StatusRemoved {
			n += r.Size
		}
	}
	return n
}

// BytesReclaimable sums the sizes of every removal the plan makes, what a
// dry run would reclaim (the same upper bound).
func (p Plan) BytesReclaimable() int64 {
	var n int64
	for _, r := range p.Removals {
		n += r.Size
	}
	return n
}
