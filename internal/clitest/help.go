package clitest

import (
	"bytes"
	"io"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

// HelpMatchesTemplates fails t when `--help` printed by cmdutil (without
// text/template) differs from urfave/cli's template output, for the app
// and every command and subcommand newApp builds.
func HelpMatchesTemplates(t *testing.T, newApp func() *cli.App) {
	t.Helper()
	fast := cli.HelpPrinter
	defer func() { cli.HelpPrinter = fast }()
	var paths [][]string
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := append(append([]string(nil), prefix...), c.Name)
			paths = append(paths, p)
			walk(p, c.Subcommands)
		}
	}
	paths = append(paths, nil)
	walk(nil, newApp().Commands)
	for _, p := range paths {
		render := func() string {
			app := newApp()
			var out bytes.Buffer
			app.Writer, app.ErrWriter = &out, &out
			app.ExitErrHandler = func(*cli.Context, error) {}
			_ = app.Run(append(append([]string{app.Name}, p...), "--help"))
			return out.String()
		}
		cli.HelpPrinter = func(w io.Writer, templ string, data any) {
			if !cmdutil.RenderHelp(w, templ, data) {
				t.Errorf("%v --help: cmdutil falls back to the templates", p)
			}
		}
		got := render()
		cli.HelpPrinter = cmdutil.TemplateHelp
		want := render()
		if got != want || got == "" {
			t.Errorf("%v --help differs from urfave/cli's template:\n--- fast\n%s\n--- template\n%s", p, got, want)
		}
	}
}
