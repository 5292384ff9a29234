package cmdutil

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestIntersperse(t *testing.T) {
	app := &cli.App{
		Flags: []cli.Flag{&cli.StringFlag{Name: "log-level"}},
		Commands: []*cli.Command{{
			Name: "promote",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "env", Aliases: []string{"e"}},
				&cli.BoolFlag{Name: "dry-run"},
			},
		}, {
			Name: "catalog",
			Subcommands: []*cli.Command{{
				Name:  "show",
				Flags: []cli.Flag{&cli.StringFlag{Name: "env"}},
			}},
		}},
	}
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"flags after args", []string{"x", "promote", "web", "142", "--env", "prod"}, []string{"x", "promote", "--env", "prod", "web", "142"}},
		{"bool flag takes no value", []string{"x", "promote", "web", "--dry-run", "142"}, []string{"x", "promote", "--dry-run", "web", "142"}},
		{"global flag value", []string{"x", "--log-level", "debug", "promote", "web", "-e", "prod"}, []string{"x", "--log-level", "debug", "promote", "-e", "prod", "web"}},
		{"global flag after the command", []string{"x", "promote", "web", "--log-level", "debug", "--env", "prod"}, []string{"x", "--log-level", "debug", "promote", "--env", "prod", "web"}},
		{"equals form", []string{"x", "promote", "web", "--env=prod", "1"}, []string{"x", "promote", "--env=prod", "web", "1"}},
		{"double dash", []string{"x", "promote", "web", "--", "--env"}, []string{"x", "promote", "web", "--", "--env"}},
		{"unknown command", []string{"x", "nope", "a", "--b"}, []string{"x", "nope", "a", "--b"}},
		{"help only", []string{"x", "--help"}, []string{"x", "--help"}},
		{"a subcommand's flags after its args", []string{"x", "catalog", "show", "web", "--env", "prod"}, []string{"x", "catalog", "show", "--env", "prod", "web"}},
		{"an unknown subcommand stays", []string{"x", "catalog", "nope", "web", "--env", "prod"}, []string{"x", "catalog", "nope", "web", "--env", "prod"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Intersperse(app, tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Intersperse(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
