package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/catalog"
	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/envconfig"
)

const description = `The bundle (--dir, default /etc/app/config) holds default.yml, one
<env>.yml per environment, an optional local.yml and an optional schema
(schema.json or schema.yml, JSON Schema). The environment comes from --env,
else $APP_ENV, $RAILS_ENV, $RACK_ENV, $NODE_ENV (in that order); an unknown
one is an error listing the known ones.

Resolution: default.yml, then <env>.yml, then local.yml (maps deep-merged,
lists replaced, null deletes); then APP__A__B=value overrides a.b, typed by
the schema ("5432" becomes 5432); then values written ref+BACKEND://... are
resolved: ref+env://VAR, ref+file://PATH[#/key], ref+awsssm://PATH (AWS SSM
Parameter Store, decrypted, batched; resolved by dockwright-plugin-host,
which must be beside this binary or on $PATH), ref+NAME://... (secrets
plugins, plugins.yml). Secrets are redacted in every output unless
--show-secrets.

Exit codes: 0 done; 1 a backend failed (AWS, files); 2 bad flags, unknown
environment, malformed file (file:line:column), bad override, unresolved
reference, unknown service; 3 check found problems (all listed). exec exits
with the app's status.`

func newApp() *cli.App {
	app := cmdutil.NewApp("env-config-resolver", "resolve an environment's configuration from the image's bundle; exec the app with it")
	app.Description = description
	cmdutil.AddCommands(app, printCommand(), execCommand(), checkCommand(), explainCommand(), endpointCommand(), portCommand(), catalogCommand())
	return app
}

func bundleFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "dir", Usage: "configuration bundle `DIR`", Value: envconfig.DefaultDir, EnvVars: []string{"APP_CONFIG_DIR"}},
		&cli.StringFlag{Name: "env", Usage: "environment `NAME` (default: $APP_ENV, $RAILS_ENV, $RACK_ENV, $NODE_ENV)"},
		&cli.StringFlag{Name: "override-prefix", Usage: "prefix of the overriding variables (`PREFIX`DB__HOST sets db.host)", Value: envconfig.DefaultOverridePrefix},
		&cli.StringFlag{Name: "plugins", Usage: "secrets plugins `FILE` (default: plugins.yml in the bundle, if any)", EnvVars: []string{"DOCKWRIGHT_PLUGINS"}},
	}
}

// resolvers are the built-in ones plus the secrets plugins the bundle
// names (ref+NAME:// goes to dockwright-plugin-secrets-NAME through the
// dockwright-plugin-host helper, run only when such a reference exists).
func resolvers(cliContext *cli.Context, dir string, environ []string) (map[string]envconfig.Resolver, error) {
	rs := envconfig.DefaultResolvers(environ, dir)
	specs, err := envconfig.LoadPlugins(dir, cliContext.String("plugins"))
	if err != nil {
		return nil, err
	}
	for _, s := range specs {
		rs[s.Name] = envconfig.PluginResolver(s)
	}
	return rs, nil
}

func catalogFlag() cli.Flag {
	return &cli.StringFlag{Name: "catalog", Usage: "service catalog `FILE`", Value: "services.yml", EnvVars: []string{catalog.Env}}
}

// load reads the bundle, picks the environment and resolves it.
func load(cliContext *cli.Context, o envconfig.Options) (*envconfig.Bundle, *envconfig.Config, error) {
	b, err := envconfig.LoadBundle(cliContext.String("dir"))
	if err != nil {
		return nil, nil, configCodes.Mark(err)
	}
	o.Environ = os.Environ()
	o.OverridePrefix = cliContext.String("override-prefix")
	if o.Resolvers, err = resolvers(cliContext, b.Dir, o.Environ); err != nil {
		return b, nil, configCodes.Mark(err)
	}
	env, _, err := b.PickEnv(cliContext.String("env"), o.Environ)
	if err != nil {
		return b, nil, configCodes.Mark(err)
	}
	c, err := b.Resolve(cliContext.Context, env, o)
	if err != nil {
		return b, c, configCodes.Mark(err)
	}
	return b, c, nil
}

// configCodes are envconfig's and the catalog's exit codes: input
// problems are 2.
var configCodes = cmdutil.Codes{Usage: []error{envconfig.ErrInvalid, envconfig.ErrUnknownEnv, envconfig.ErrUnresolved, os.ErrNotExist, catalog.ErrInvalid}}

func loadCatalog(cliContext *cli.Context) (*catalog.Catalog, error) {
	c, err := catalog.Load(cliContext.String("catalog"))
	if err != nil {
		return nil, cmdutil.Usage(err)
	}
	return c, nil
}
