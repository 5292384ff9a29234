package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The garbage-collection commands a run advises are the ones the docs give,
// word for word (CONFIG stands for the config file's path).
func TestGCAdviceMatchesDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/registry-pruner.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{gcV3, gc28, gc28Image} {
		re := regexp.MustCompile(`(?m)(^|[\x60 ])` + strings.ReplaceAll(regexp.QuoteMeta(cmd), "CONFIG", `/\S+\.yml`) + `($|[\x60 ])`)
		if !re.Match(doc) {
			t.Errorf("docs/registry-pruner.md does not give %q", cmd)
		}
	}
}
