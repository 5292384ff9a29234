// Package schemeflags holds the flags of a version scheme (imagetag.Scheme)
// for the binaries that read tags: --version-pattern and --envs. Apart from
// cmdutil so that cmdutil's core imports no domain package.
package schemeflags

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/imagetag"
)

// Flags are --version-pattern and --envs: how tags map onto versions.
func Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "version-pattern", Usage: "RE2 `REGEXP` with one capture group mapping tags to build numbers (default: the tag is the number)", EnvVars: []string{"DOCKWRIGHT_VERSION_PATTERN"}},
		&cli.StringFlag{Name: "envs", Usage: "comma-separated environment tags", Value: strings.Join(imagetag.DefaultEnvs, ","), EnvVars: []string{"DOCKWRIGHT_ENVS"}},
	}
}

// Scheme reads Flags (exit 2 on a bad pattern or environment name).
func Scheme(cliContext *cli.Context) (imagetag.Scheme, error) {
	var envs []string
	for _, e := range strings.Split(cliContext.String("envs"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			envs = append(envs, e)
		}
	}
	s, err := imagetag.NewScheme(cliContext.String("version-pattern"), envs)
	if err != nil {
		return imagetag.Scheme{}, cmdutil.Usagef("flag --version-pattern/--envs: %v", err)
	}
	return s, nil
}
