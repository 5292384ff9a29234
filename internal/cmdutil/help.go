package cmdutil

import (
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
)

// TemplateHelp is urfave/cli's own help printer: fastHelp falls back to it
// for what it does not render, and tests compare the two. Main installs
// fastHelp in its place.
var TemplateHelp = cli.HelpPrinter

// fastHelp writes the same help text as urfave/cli's default templates
// (AppHelpTemplate, CommandHelpTemplate, SubcommandHelpTemplate) without
// parsing a dozen text/templates on every --help: that parse was half a
// millisecond of every binary's `--help`, a start-up figure the issues
// measure. Anything those templates would show and this does not handle
// (custom templates, authors, copyright, categories) goes to the template
// printer; clitest.HelpMatchesTemplates holds the two outputs equal for
// every binary's app and commands.
func fastHelp(out io.Writer, templ string, data any) {
	if !RenderHelp(out, templ, data) {
		TemplateHelp(out, templ, data)
	}
}

// RenderHelp writes the help of data (a *cli.App or *cli.Command) as templ
// would, and reports whether it could; nothing is written when it cannot.
func RenderHelp(out io.Writer, templ string, data any) bool {
	var b strings.Builder
	ok := false
	switch d := data.(type) {
	case *cli.App:
		ok = templ == cli.AppHelpTemplate && appHelp(&b, d)
	case *cli.Command:
		ok = (templ == cli.CommandHelpTemplate || templ == cli.SubcommandHelpTemplate) && commandHelp(&b, d, templ == cli.SubcommandHelpTemplate)
	}
	if !ok {
		return false
	}
	w := tabwriter.NewWriter(out, 1, 8, 2, ' ', 0)
	io.WriteString(w, b.String())
	w.Flush()
	return true
}

func appHelp(b *strings.Builder, a *cli.App) bool {
	if len(a.Authors) > 0 || a.Copyright != "" || len(a.VisibleFlagCategories()) > 0 || !uncategorized(a.VisibleCommands()) {
		return false
	}
	helpName(b, a.HelpName, a.Usage)
	b.WriteString("\n\nUSAGE:\n   ")
	if a.UsageText != "" {
		b.WriteString(wrap(a.UsageText, 3))
	} else {
		b.WriteString(a.HelpName + " ")
		if len(a.VisibleFlags()) > 0 {
			b.WriteString("[global options]")
		}
		if len(a.Commands) > 0 {
			b.WriteString(" command [command options]")
		}
		args(b, a.ArgsUsage, a.Args)
	}
	if a.Version != "" && !a.HideVersion {
		b.WriteString("\n\nVERSION:\n   " + a.Version)
	}
	sections(b, a.Description, a.VisibleCommands(), "GLOBAL OPTIONS", a.VisibleFlags())
	return true
}

func commandHelp(b *strings.Builder, c *cli.Command, sub bool) bool {
	if len(c.VisibleFlagCategories()) > 0 || !uncategorized(c.VisibleCommands()) {
		return false
	}
	helpName(b, c.HelpName, c.Usage)
	b.WriteString("\n\nUSAGE:\n   ")
	if c.UsageText != "" {
		b.WriteString(wrap(c.UsageText, 3))
	} else {
		b.WriteString(c.HelpName)
		if len(c.VisibleFlags()) > 0 {
			b.WriteString(" [command options]")
		}
		args(b, c.ArgsUsage, c.Args)
	}
	if c.Category != "" {
		b.WriteString("\n\nCATEGORY:\n   " + c.Category)
	}
	var cmds []*cli.Command
	if sub {
		cmds = c.VisibleCommands()
	}
	sections(b, c.Description, cmds, "OPTIONS", c.VisibleFlags())
	return true
}

// sections writes what app and command help end with: the description,
// the subcommands and the options (under flagsTitle), each if any.
func sections(b *strings.Builder, description string, cmds []*cli.Command, flagsTitle string, fl []cli.Flag) {
	if description != "" {
		b.WriteString("\n\nDESCRIPTION:\n   " + wrap(description, 3))
	}
	if len(cmds) > 0 {
		b.WriteString("\n\nCOMMANDS:")
		commands(b, cmds)
	}
	if len(fl) > 0 {
		b.WriteString("\n\n" + flagsTitle + ":")
		flags(b, fl)
	}
	b.WriteString("\n")
}

// uncategorized: no command has a category (the only case rendered: one
// list in the commands' order, as the template shows it).
func uncategorized(cmds []*cli.Command) bool {
	for _, c := range cmds {
		if c.Category != "" {
			return false
		}
	}
	return true
}

func helpName(b *strings.Builder, name, usage string) {
	b.WriteString("NAME:\n   " + wrap(name, 3))
	if usage != "" {
		b.WriteString(" - " + wrap(usage, len(name)+6))
	}
}

func args(b *strings.Builder, usage string, hasArgs bool) {
	if usage != "" {
		b.WriteString(" " + usage)
	} else if hasArgs {
		b.WriteString(" [arguments...]")
	}
}

// commands is visibleCommandTemplate: names, then usages aligned by
// padding (not the tabwriter).
func commands(b *strings.Builder, cmds []*cli.Command) {
	width := 0
	for _, c := range cmds {
		width = max(width, len(strings.Join(c.Names(), ", ")))
	}
	width += 5
	for _, c := range cmds {
		s := strings.Join(c.Names(), ", ")
		b.WriteString("\n   " + s)
		b.WriteString(strings.Repeat(" ", max(width-(len(s)+3), 0)))
		b.WriteString(wrap(c.Usage, width))
	}
}

func flags(b *strings.Builder, fl []cli.Flag) {
	for _, f := range fl {
		b.WriteString("\n   " + wrap(f.String(), 6))
	}
}

// wrap is urfave/cli's wrap at its default width (10,000 columns): lines
// after the first are indented by offset.
func wrap(s string, offset int) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	pad := strings.Repeat(" ", offset)
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
