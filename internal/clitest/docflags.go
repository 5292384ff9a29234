package clitest

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// DocumentedFlagsExist fails t for every `--flag` that doc (a docs/*.md
// page of the binary) names in a table row or a shell example of the
// binary, but that no command of newApp's app defines: a page promising a
// flag the binary does not have. Flags of other programs on the page are
// left alone: only rows and example lines that name the binary (or start
// with a flag, in a flags table) are read.
func DocumentedFlagsExist(t *testing.T, newApp func() *cli.App, doc string) {
	t.Helper()
	raw, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	app := newApp()
	have := map[string]bool{"help": true, "version": true}
	add := func(fs []cli.Flag) {
		for _, f := range fs {
			for _, n := range f.Names() {
				have[n] = true
			}
		}
	}
	add(app.Flags)
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			add(c.Flags)
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)
	flag := regexp.MustCompile("(?:^|[\\s`(\\[|,])--([a-z][a-z0-9-]*)")
	var missing []string
	for i, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		flagsRow := strings.HasPrefix(trimmed, "| `--")
		example := strings.HasPrefix(trimmed, app.Name+" ") || strings.Contains(trimmed, "bin/"+app.Name+" ")
		if !flagsRow && !example {
			continue
		}
		if flagsRow {
			// Only the first cell names the binary's own flags.
			cells := strings.Split(trimmed, "|")
			if len(cells) > 1 {
				line = cells[1]
			}
		}
		for _, m := range flag.FindAllStringSubmatch(line, -1) {
			if !have[m[1]] && !slices.Contains(missing, m[1]) {
				missing = append(missing, m[1])
				t.Errorf("%s:%d names --%s, which %s does not have", doc, i+1, m[1], app.Name)
			}
		}
	}
}
