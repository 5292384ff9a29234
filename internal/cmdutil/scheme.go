package cmdutil

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/imagetag"
)

// SchemeFlags are --version-pattern and --envs: how tags map onto versions.
func SchemeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "version-pattern", Usage: "RE2 `REGEXP` with one capture group mapping tags to build numbers (default: the tag is the number)", EnvVars: []string{"DOCKWRIGHT_VERSION_PATTERN"}},
		&cli.StringFlag{Name: "envs", Usage: "comma-separated environment tags", Value: strings.Join(imagetag.DefaultEnvs, ","), EnvVars: []string{"DOCKWRIGHT_ENVS"}},
	}
}

// Scheme reads SchemeFlags (exit 2 on a bad pattern or environment name).
func Scheme(cliContext *cli.Context) (imagetag.Scheme, error) {
	var envs []string
	for _, e := range strings.Split(cliContext.String("envs"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			envs = append(envs, e)
		}
	}
	s, err := imagetag.NewScheme(cliContext.String("version-pattern"), envs)
	if err != nil {
		return imagetag.Scheme{}, Usagef("flag --version-pattern/--envs: %v", err)
	}
	return s, nil
}
