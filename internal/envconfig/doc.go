// Package envconfig resolves one environment's configuration from the
// bundle shipped in an image: default.yml, then <env>.yml, then local.yml
// (maps deep-merged, lists replaced, an explicit null deletes), then
// environment-variable overrides (APP__DB__HOST sets db.host, typed by the
// schema), then secret references (ref+BACKEND://...) through resolvers.
// Every value remembers where it came from, for `explain`.
package envconfig
