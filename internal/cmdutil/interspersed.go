package cmdutil

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// Intersperse reorders args so that a subcommand's flags may follow its
// arguments (`image-tagger promote web 142 --env prod`): urfave/cli v2
// stops parsing flags at the first argument. Flags that take a value keep
// it; everything after "--" stays as it is.
func Intersperse(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	i := 1
	// Global flags, up to the command name.
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		out = append(out, args[i])
		if takesValue(app.Flags, args[i]) && i+1 < len(args) {
			out = append(out, args[i+1])
			i++
		}
		i++
	}
	if i >= len(args) {
		return out
	}
	cmd := app.Command(args[i])
	if cmd == nil {
		return append(out, args[i:]...)
	}
	path := []string{args[i]}
	i++
	// Down to the subcommand that runs (env-config-resolver catalog show).
	for len(cmd.Subcommands) > 0 {
		var sub *cli.Command
		if i < len(args) {
			sub = subcommand(cmd, args[i])
		}
		if sub == nil {
			return append(append(out, path...), args[i:]...)
		}
		cmd, path = sub, append(path, args[i])
		i++
	}
	var flags, positional []string
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			// A global flag (--log-level) given after the command goes
			// back before it.
			dst, defs := &flags, cmd.Flags
			if !defines(cmd.Flags, a) && defines(app.Flags, a) {
				dst, defs = &out, app.Flags
			}
			*dst = append(*dst, a)
			if takesValue(defs, a) && i+1 < len(args) {
				*dst = append(*dst, args[i+1])
				i++
			}
			continue
		}
		positional = append(positional, a)
	}
	out = append(out, path...)
	return append(append(out, flags...), positional...)
}

func subcommand(c *cli.Command, name string) *cli.Command {
	for _, s := range c.Subcommands {
		if s.HasName(name) {
			return s
		}
	}
	return nil
}

func defines(flags []cli.Flag, arg string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// takesValue reports whether arg ("--name", "-n"; not "--name=value") names
// a flag that takes a separate value.
func takesValue(flags []cli.Flag, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return false
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				if v, ok := f.(cli.DocGenerationFlag); ok {
					return v.TakesValue()
				}
				return true
			}
		}
	}
	return false
}
