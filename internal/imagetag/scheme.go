package imagetag

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// DefaultEnvs are the environment tags of docs/contracts.md: moving pointers, never
// versions.
var DefaultEnvs = []string{"dev", "staging", "prod", "latest"}

// Errors returned by this package.
var (
	// ErrInvalidTag means a string is not a valid Docker tag.
	ErrInvalidTag = errors.New("not a valid Docker tag")
	// ErrInvalidPattern means a version pattern does not compile or does
	// not have exactly one capture group.
	ErrInvalidPattern = errors.New("invalid version pattern")
	// ErrInvalidBuild means a build number is not a positive integer.
	ErrInvalidBuild = errors.New("not a build number (a positive integer)")
)

// Scheme says how tags map onto versions. The zero value is not usable; use
// NewScheme or DefaultScheme.
type Scheme struct {
	pattern *regexp.Regexp // nil: the tag itself is the build number
	envs    []string
}

// DefaultScheme treats plain positive integers as versions and DefaultEnvs
// as environment tags.
func DefaultScheme() Scheme { return Scheme{envs: DefaultEnvs} }

// NewScheme returns a Scheme whose versions are tags matching pattern (an
// RE2 expression with exactly one capture group holding the build number,
// anchored to the whole tag), and whose environment tags are envs (the
// defaults when envs is empty). An empty pattern means plain integers.
func NewScheme(pattern string, envs []string) (Scheme, error) {
	s := DefaultScheme()
	if len(envs) > 0 {
		for _, e := range envs {
			if err := ValidateTag(e); err != nil {
				return Scheme{}, fmt.Errorf("environment %q: %w", e, err)
			}
		}
		s.envs = slices.Clone(envs)
	}
	if pattern == "" {
		return s, nil
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return Scheme{}, fmt.Errorf("%w %q: %v", ErrInvalidPattern, pattern, err)
	}
	if re.NumSubexp() != 1 {
		return Scheme{}, fmt.Errorf("%w %q: want exactly one capture group (the build number), found %d", ErrInvalidPattern, pattern, re.NumSubexp())
	}
	s.pattern = re
	return s, nil
}

// Envs returns the environment tags.
func (s Scheme) Envs() []string { return slices.Clone(s.envs) }

// IsEnv reports whether tag is an environment pointer.
func (s Scheme) IsEnv(tag string) bool { return slices.Contains(s.envs, tag) }

// CheckEnv refuses an environment the scheme does not know with an error
// naming the ones it does ("known environments are dev, staging, prod"),
// for the caller to say where the name came from.
func (s Scheme) CheckEnv(env string) error {
	if s.IsEnv(env) {
		return nil
	}
	return fmt.Errorf("known environments are %s", strings.Join(s.envs, ", "))
}

// Build returns the build number tag stands for, and whether it is a
// version at all. Environment tags and promotion records are never versions.
func (s Scheme) Build(tag string) (uint64, bool) {
	if s.IsEnv(tag) {
		return 0, false
	}
	digits := tag
	if s.pattern != nil {
		m := s.pattern.FindStringSubmatch(tag)
		if m == nil {
			return 0, false
		}
		digits = m[1]
	}
	return ParseBuild(digits)
}

// ParseBuild parses a build number: a positive decimal integer without sign,
// leading zeros or spaces.
func ParseBuild(s string) (uint64, bool) {
	if s == "" || s[0] == '0' || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// BuildArg parses a build number given by a person (a flag, an argument,
// $BUILD_NUMBER), with an error that quotes it.
func BuildArg(s string) (uint64, error) {
	n, ok := ParseBuild(strings.TrimSpace(s))
	if !ok {
		return 0, fmt.Errorf("%q: %w", s, ErrInvalidBuild)
	}
	return n, nil
}

// validTag is the Docker tag grammar of the distribution reference package,
// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, without a regexp (compiling that one
// costs half a millisecond at the start of every binary).
func validTag(s string) bool {
	if len(s) == 0 || len(s) > 128 || s[0] == '.' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// ValidateTag returns an error naming the problem when s is not a valid
// Docker tag: 1 to 128 characters of letters, digits, '_', '.' and '-', not
// starting with '.' or '-'.
func ValidateTag(s string) error {
	if validTag(s) {
		return nil
	}
	switch {
	case s == "":
		return fmt.Errorf("empty string: %w", ErrInvalidTag)
	case len(s) > 128:
		return fmt.Errorf("%q is %d characters, at most 128 allowed: %w", s, len(s), ErrInvalidTag)
	case s[0] == '.' || s[0] == '-':
		return fmt.Errorf("%q starts with %q: %w", s, s[0], ErrInvalidTag)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return fmt.Errorf("%q contains %q (allowed: letters, digits, '_', '.', '-'): %w", s, r, ErrInvalidTag)
		}
	}
	return fmt.Errorf("%q: %w", s, ErrInvalidTag)
}

// Plain reports whether version tags are the bare build numbers (no
// pattern), so that build N's tag is known without listing tags.
func (s Scheme) Plain() bool { return s.pattern == nil }
