// Package yamlerr turns yaml.v3 decoding errors into the messages users
// read: "FILE:LINE: message", one per problem, without Go type names.
package yamlerr

import (
	"errors"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Lines returns one "path:line: message" line per problem in err (a
// yaml.v3 syntax or type error); "field x not found in type T" (strict
// decoding) reads "unknown <keyword> x".
func Lines(path string, err error, keyword string) []string {
	msgs := []string{err.Error()}
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) {
		msgs = te.Errors
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		if j := strings.Index(m, " not found in type "); j >= 0 {
			m = strings.Replace(m[:j], "field ", "unknown "+keyword+" ", 1)
		}
		out[i] = path + ": " + m
		if rest, ok := strings.CutPrefix(m, "line "); ok {
			if k := strings.Index(rest, ": "); k > 0 {
				if _, err := strconv.Atoi(rest[:k]); err == nil {
					out[i] = path + ":" + rest[:k] + ": " + rest[k+2:]
				}
			}
		}
	}
	return out
}

// Join is Lines joined with "; ", for an error message.
func Join(path string, err error, keyword string) string {
	return strings.Join(Lines(path, err, keyword), "; ")
}
