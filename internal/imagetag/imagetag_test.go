package imagetag

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	b142 := mustScheme(t, `b(\d+)`, nil)
	semver := mustScheme(t, `\d+\.\d+\.(\d+)`, nil)
	tests := []struct {
		name   string
		scheme Scheme
		tag    string
		kind   Kind
		build  uint64
	}{
		{"plain build", DefaultScheme(), "142", Version, 142},
		{"leading zero is not a build", DefaultScheme(), "0142", Other, 0},
		{"zero is not a build", DefaultScheme(), "0", Other, 0},
		{"env", DefaultScheme(), "prod", Env, 0},
		{"latest is env", DefaultScheme(), "latest", Env, 0},
		{"commit tag", DefaultScheme(), "git-1a2b3c4", Commit, 0},
		{"all-digit commit tag", DefaultScheme(), "git-1234567", Commit, 0},
		{"commit tag is lower-case", DefaultScheme(), "git-1A2B3C4", Other, 0},
		{"commit tag has 7 digits", DefaultScheme(), "git-1a2b3c4d", Other, 0},
		{"commit tag is hex", DefaultScheme(), "git-1a2b3cx", Other, 0},
		{"a pattern claims a commit-shaped tag first", mustScheme(t, `git-(\d+)`, nil), "git-1234567", Version, 1234567},
		{"promotion record", DefaultScheme(), "prod.142.20261126T073105Z", Promotion, 142},
		{"promotion of unknown env", DefaultScheme(), "qa.142.20261126T073105Z", Other, 0},
		{"bad promotion time", DefaultScheme(), "prod.142.20261326T073105Z", Other, 0},
		{"too big", DefaultScheme(), "99999999999999999999", Other, 0},
		{"pattern b142", b142, "b142", Version, 142},
		{"pattern rejects plain", b142, "142", Other, 0},
		{"pattern is anchored", b142, "xb142", Other, 0},
		{"semver patch", semver, "1.4.142", Version, 142},
		{"semver env still env", semver, "prod", Env, 0},
		{"custom env", mustScheme(t, "", []string{"qa", "live"}), "live", Env, 0},
		{"custom env drops defaults", mustScheme(t, "", []string{"qa", "live"}), "prod", Other, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, n := tt.scheme.Classify(tt.tag)
			if k != tt.kind || n != tt.build {
				t.Errorf("Classify(%q) = %v %d, want %v %d", tt.tag, k, n, tt.kind, tt.build)
			}
		})
	}
}

func TestNewSchemeErrors(t *testing.T) {
	for _, p := range []string{`(\d+`, `\d+`, `(b)(\d+)`} {
		if _, err := NewScheme(p, nil); !errors.Is(err, ErrInvalidPattern) {
			t.Errorf("NewScheme(%q) error = %v, want ErrInvalidPattern", p, err)
		}
	}
	if _, err := NewScheme("", []string{"pr/od"}); !errors.Is(err, ErrInvalidTag) {
		t.Errorf("env with '/': error = %v, want ErrInvalidTag", err)
	}
}

func TestPromotionTagRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 26, 7, 31, 5, 123456789, time.UTC)
	tag := PromotionTag("staging", 140, at.In(time.FixedZone("x", 3600)))
	if tag != "staging.140.20261126T073105.123456789Z" {
		t.Fatalf("PromotionTag = %q", tag)
	}
	if err := ValidateTag(tag); err != nil {
		t.Fatal(err)
	}
	p, ok := DefaultScheme().ParsePromotion(tag)
	if !ok || p.Env != "staging" || p.Build != 140 || !p.At.Equal(at) || p.Tag != tag {
		t.Fatalf("ParsePromotion = %+v %v", p, ok)
	}
	// Records written within one second are distinct tags.
	if a, b := PromotionTag("prod", 1, at), PromotionTag("prod", 1, at.Add(time.Millisecond)); a == b {
		t.Errorf("two promotions a millisecond apart write one record %q", a)
	}
}

func TestRollbackTag(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 0, 0, 5, time.UTC)
	tag := RollbackTag("prod", 140, at)
	if tag != "prod.140.rollback.20261126T080000.000000005Z" {
		t.Fatalf("RollbackTag = %q", tag)
	}
	if err := ValidateTag(tag); err != nil {
		t.Errorf("the record is not a valid tag: %v", err)
	}
	if k, _ := DefaultScheme().Classify(tag); k != Promotion {
		t.Errorf("Classify(%q) = %v, want a promotion record (registry-pruner keeps and deletes it with its build)", tag, k)
	}
}

func TestParsePromotion(t *testing.T) {
	tests := []struct {
		tag      string
		ok       bool
		env      string
		build    uint64
		at       time.Time
		rollback bool
	}{
		{"prod.142.20261126T073105.000000001Z", true, "prod", 142, time.Date(2026, 11, 26, 7, 31, 5, 1, time.UTC), false},
		{"prod.142.20261126T073105Z", true, "prod", 142, time.Date(2026, 11, 26, 7, 31, 5, 0, time.UTC), false}, // written by earlier versions
		{"prod.140.rollback.20261126T080000.000000002Z", true, "prod", 140, time.Date(2026, 11, 26, 8, 0, 0, 2, time.UTC), true},
		{"prod.140.rolback.20261126T080000.000000002Z", false, "", 0, time.Time{}, false},
		{"prod.rollback.20261126T080000.000000002Z", false, "", 0, time.Time{}, false},
		{"prod.142.20261126T073105.1Z", false, "", 0, time.Time{}, false},
		{"prod.142.20261126T0731051234567890Z", false, "", 0, time.Time{}, false},
		{"142.20261126T073105Z", false, "", 0, time.Time{}, false},
		{"qa.142.20261126T073105.000000000Z", false, "", 0, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			p, ok := DefaultScheme().ParsePromotion(tt.tag)
			if ok != tt.ok || ok && (p.Env != tt.env || p.Build != tt.build || !p.At.Equal(tt.at) || p.Rollback != tt.rollback) {
				t.Errorf("ParsePromotion(%q) = %+v %v", tt.tag, p, ok)
			}
		})
	}
}

// History has one order: newest first, then by build, then by tag.
func TestSortHistory(t *testing.T) {
	sec := time.Date(2026, 11, 26, 7, 31, 5, 0, time.UTC)
	recs := []PromotionRecord{
		{Env: "prod", Build: 3, At: sec, Tag: "prod.3.20261126T073105Z"},
		{Env: "prod", Build: 5, At: sec.Add(time.Millisecond), Tag: "b"},
		{Env: "staging", Build: 3, At: sec, Tag: "staging.3.20261126T073105Z"},
		{Env: "prod", Build: 4, At: sec, Tag: "prod.4.20261126T073105Z"},
	}
	SortHistory(recs)
	var got []string
	for _, r := range recs {
		got = append(got, fmt.Sprintf("%s/%d", r.Env, r.Build))
	}
	if want := "prod/5 prod/4 staging/3 prod/3"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
}

func TestValidateTag(t *testing.T) {
	tests := []struct {
		tag     string
		wantErr string
	}{
		{"142", ""},
		{"feature_x.1-rc", ""},
		{strings.Repeat("a", 128), ""},
		{"", "empty"},
		{strings.Repeat("a", 129), "at most 128"},
		{".hidden", "starts with"},
		{"-x", "starts with"},
		{"folder/job", `contains '/'`},
		{"a:b", `contains ':'`},
		{"ümlaut", `contains 'ü'`},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			err := ValidateTag(tt.tag)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidTag) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		name    string
		in      BuildInfo
		want    []string
		wantErr []string
	}{
		{"number only", BuildInfo{BuildNumber: "142"}, []string{"142"}, nil},
		{"with commit", BuildInfo{BuildNumber: "142", GitCommit: "1A2B3C4D5E6F"}, []string{"142", "git-1a2b3c4"}, nil},
		{"all-digit commit stays distinct from versions", BuildInfo{BuildNumber: "7", GitCommit: "1234567890"}, []string{"7", "git-1234567"}, nil},
		{"extra deduplicated", BuildInfo{BuildNumber: "9", Extra: []string{"main", "main"}}, []string{"9", "main"}, nil},
		{"bad number", BuildInfo{BuildNumber: "abc"}, nil, []string{`build number: "abc"`}},
		{"empty number", BuildInfo{}, nil, []string{"build number"}},
		{"short commit", BuildInfo{BuildNumber: "1", GitCommit: "abc"}, nil, []string{`git commit "abc"`}},
		{"non-hex commit", BuildInfo{BuildNumber: "1", GitCommit: "xyz1234"}, nil, []string{`git commit "xyz1234"`}},
		{"jenkins folder job", BuildInfo{BuildNumber: "1", Extra: []string{"team/web"}}, nil, []string{"JOB_BASE_NAME"}},
		{"extra env", BuildInfo{BuildNumber: "1", Extra: []string{"prod"}}, nil, []string{`"prod" reads as a env tag`}},
		{"extra version", BuildInfo{BuildNumber: "1", Extra: []string{"2"}}, nil, []string{"reads as a version tag"}},
		{"every error at once", BuildInfo{BuildNumber: "x", GitCommit: "q", Extra: []string{"a/b"}}, nil, []string{"build number", "git commit", "extra tag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultScheme().Tags(tt.in)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("Tags = %v, want error", got)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("Tags = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func mustScheme(t *testing.T, pattern string, envs []string) Scheme {
	t.Helper()
	s, err := NewScheme(pattern, envs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
