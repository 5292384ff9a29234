package imagetag

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind is what a tag means under a Scheme.
type Kind int

// Tag kinds.
const (
	// Other is any tag that is neither a version, an environment pointer, a
	// promotion record nor a commit tag ("feature-x"): a tag dockwright did
	// not write.
	Other Kind = iota
	// Version is a build number.
	Version
	// Env is an environment pointer (dev, staging, prod, latest).
	Env
	// Promotion is the immutable record PromotionTag writes.
	Promotion
	// Commit is the commit tag Tags writes for a build ("git-1a2b3c4"): it
	// belongs to the build whose digest it shares.
	Commit
)

func (k Kind) String() string {
	switch k {
	case Version:
		return "version"
	case Env:
		return "env"
	case Promotion:
		return "promotion"
	case Commit:
		return "commit"
	}
	return "other"
}

// Classify says what tag is, and its build number for versions and
// promotion records.
func (s Scheme) Classify(tag string) (Kind, uint64) {
	if s.IsEnv(tag) {
		return Env, 0
	}
	if p, ok := s.ParsePromotion(tag); ok {
		return Promotion, p.Build
	}
	if n, ok := s.Build(tag); ok {
		return Version, n
	}
	if IsCommitTag(tag) {
		return Commit, 0
	}
	return Other, 0
}

// IsCommitTag reports whether tag has the shape of the commit tag Tags
// writes: GitTagPrefix and ShortCommitLen lower-case hex digits.
func IsCommitTag(tag string) bool {
	if len(tag) != len(GitTagPrefix)+ShortCommitLen || !strings.HasPrefix(tag, GitTagPrefix) {
		return false
	}
	for _, c := range tag[len(GitTagPrefix):] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// PromotionTimeFormat is the UTC timestamp inside a promotion tag, to the
// nanosecond so that two promotions never write the same record (an
// automated promote, roll back and fix forward happens within a second). A
// tag may not contain ':'.
const PromotionTimeFormat = "20060102T150405.000000000Z"

// promotionTimeFormatV1 is the one-second timestamp of records written
// before: still read, never written.
const promotionTimeFormatV1 = "20060102T150405Z"

// PromotionRecord is one recorded promotion: build Build was promoted to Env
// at At.
type PromotionRecord struct {
	Env   string    `json:"env"`
	Build uint64    `json:"build"`
	At    time.Time `json:"at"`
	// Rollback says the environment was rolled back to Build (a
	// RollbackTag), not promoted.
	Rollback bool `json:"rollback"`
	// Tag is the record's tag.
	Tag string `json:"record"`
}

// PromotionTag is the immutable tag that records a promotion:
// ENV.BUILD.TIME, e.g. "prod.142.20261126T073105.123456789Z". It points at
// the same manifest as the build, so it costs no storage, and it disappears
// with the build when the build is pruned.
func PromotionTag(env string, build uint64, at time.Time) string {
	return fmt.Sprintf("%s.%d.%s", env, build, at.UTC().Format(PromotionTimeFormat))
}

// RollbackTag records a rollback of env to build: ENV.BUILD.rollback.TIME,
// e.g. "prod.140.rollback.20261126T080000.000000000Z". Like a promotion
// record it points at the build's manifest; history shows it as a rollback.
func RollbackTag(env string, build uint64, at time.Time) string {
	return fmt.Sprintf("%s.%d.%s.%s", env, build, rollbackMark, at.UTC().Format(PromotionTimeFormat))
}

const rollbackMark = "rollback"

// ParsePromotion parses a PromotionTag or RollbackTag whose environment is
// one of the scheme's (and the one-second records of earlier versions).
func (s Scheme) ParsePromotion(tag string) (PromotionRecord, bool) {
	var at time.Time
	var rest string
	for _, layout := range []string{PromotionTimeFormat, promotionTimeFormatV1} {
		if len(tag) <= len(layout)+1 || tag[len(tag)-len(layout)-1] != '.' {
			continue
		}
		t, err := time.Parse(layout, tag[len(tag)-len(layout):])
		if err != nil {
			continue
		}
		at, rest = t, tag[:len(tag)-len(layout)-1]
		break
	}
	if rest == "" {
		return PromotionRecord{}, false
	}
	rest, rollback := strings.CutSuffix(rest, "."+rollbackMark)
	j := strings.LastIndexByte(rest, '.')
	if j < 0 {
		return PromotionRecord{}, false
	}
	env := rest[:j]
	build, ok := ParseBuild(rest[j+1:])
	if !ok || !s.IsEnv(env) {
		return PromotionRecord{}, false
	}
	return PromotionRecord{Env: env, Build: build, At: at, Rollback: rollback, Tag: tag}, true
}

// SortHistory orders promotion records newest first: by time, then (for
// one-second records of the same second) by build, then by tag, so that
// history has one order whatever the registry lists.
func SortHistory(recs []PromotionRecord) {
	slices.SortFunc(recs, func(a, b PromotionRecord) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Build, a.Build); c != 0 {
			return c
		}
		return strings.Compare(b.Tag, a.Tag)
	})
}

// BuildInfo is what a CI build knows about itself.
type BuildInfo struct {
	// BuildNumber is the Jenkins build number ($BUILD_NUMBER).
	BuildNumber string
	// GitCommit is the full or abbreviated commit ($GIT_COMMIT); optional.
	GitCommit string
	// Extra are further tags to add verbatim (a branch name, say).
	Extra []string
}

// ShortCommitLen is how many hex digits of the commit the git tag keeps.
const ShortCommitLen = 7

// GitTagPrefix starts the commit tag: a bare short hash such as "1234567"
// would read as build number 1234567 and become the newest version.
const GitTagPrefix = "git-"

// Tags returns the tag set a build gets: the build number, "git-" and the
// short commit when known, then the extra tags, without duplicates. It
// refuses anything that is not a valid Docker tag, and extra tags that
// would read as a version, an environment pointer or a promotion record
// (an extra "prod" would move production; promotion is a separate step).
func (s Scheme) Tags(b BuildInfo) ([]string, error) {
	var errs []error
	n, err := BuildArg(b.BuildNumber)
	if err != nil {
		errs = append(errs, fmt.Errorf("build number: %w", err))
	}
	tags := []string{fmt.Sprint(n)}
	if c := strings.TrimSpace(b.GitCommit); c != "" {
		if len(c) < ShortCommitLen || len(c) > 64 || strings.Trim(strings.ToLower(c), "0123456789abcdef") != "" {
			errs = append(errs, fmt.Errorf("git commit %q: want %d to 64 hex digits", b.GitCommit, ShortCommitLen))
		} else {
			tags = append(tags, GitTagPrefix+strings.ToLower(c[:ShortCommitLen]))
		}
	}
	seen := map[string]bool{}
	for _, t := range tags {
		seen[t] = true
	}
	for _, x := range b.Extra {
		if err := ValidateTag(x); err != nil {
			if strings.ContainsRune(x, '/') {
				err = fmt.Errorf("%w (a Jenkins JOB_NAME of a folder or multibranch job contains '/': use ${JOB_BASE_NAME} or replace '/' with '-')", err)
			}
			errs = append(errs, fmt.Errorf("extra tag: %w", err))
			continue
		}
		switch k, _ := s.Classify(x); k {
		case Version, Env, Promotion:
			errs = append(errs, fmt.Errorf("extra tag %q reads as a %s tag; it would change what %s means", x, k, x))
			continue
		}
		if !seen[x] {
			seen[x] = true
			tags = append(tags, x)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return tags, nil
}
