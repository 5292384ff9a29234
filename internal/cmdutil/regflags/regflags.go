// Package regflags holds the flags image-tagger and registry-pruner share
// (registry, catalog, transport, version scheme) and turns them into a
// registry.Client, an imagetag.Scheme and repository names. It lives under
// cmdutil so that urfave/cli stays out of internal/ logic, and apart from
// it so that binaries that do not talk to a registry do not link it.
package regflags

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/urfave/cli/v2"

	"github.com/dockwright/dockwright/internal/catalog"
	"github.com/dockwright/dockwright/internal/cmdutil"
	"github.com/dockwright/dockwright/internal/cmdutil/schemeflags"
	"github.com/dockwright/dockwright/internal/imagetag"
	"github.com/dockwright/dockwright/internal/registry"
)

// Flags are the shared registry flags.
func Flags() []cli.Flag {
	return append(ResolveFlags(),
		&cli.BoolFlag{Name: "insecure", Usage: "allow plain HTTP to the registry (loopback and private addresses fall back to HTTP anyway)", EnvVars: []string{"DOCKWRIGHT_INSECURE_REGISTRY"}},
		&cli.DurationFlag{Name: "timeout", Usage: "time limit of each HTTP request", Value: 30 * time.Second, EnvVars: []string{"DOCKWRIGHT_TIMEOUT"}},
		&cli.IntFlag{Name: "concurrency", Usage: "HTTP requests in flight at most", Value: 8, EnvVars: []string{"DOCKWRIGHT_CONCURRENCY"}},
		&cli.IntFlag{Name: "retries", Usage: "attempts per request on 429, 5xx and network errors (exponential backoff, Retry-After honoured)", Value: 4, EnvVars: []string{"DOCKWRIGHT_RETRIES"}},
	)
}

// ResolveFlags are the flags that name repositories and versions without
// contacting a registry.
func ResolveFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "registry", Usage: "registry `HOST[:PORT]` for bare service names", EnvVars: []string{"DOCKWRIGHT_REGISTRY"}},
		&cli.StringFlag{Name: "catalog", Usage: "service catalog `FILE` (services.yml) mapping services to image repositories", EnvVars: []string{catalog.Env}},
		&cli.StringFlag{Name: "backend", Usage: "`BACKEND`: auto (Amazon ECR's API for ACCOUNT.dkr.ecr.REGION.amazonaws.com, the registry HTTP API for any other host), distribution, or ecr (an ECR-compatible endpoint; AWS_ENDPOINT_URL_ECR); default the catalog's registry_backend, else auto", EnvVars: []string{"DOCKWRIGHT_REGISTRY_BACKEND"}},
	}
	return append(flags, schemeflags.Flags()...)
}

// Setup is what the shared flags configure.
type Setup struct {
	Client   *registry.Client
	Scheme   imagetag.Scheme
	Catalog  *catalog.Catalog // nil without --catalog
	Registry string

	backend string // --backend, else the catalog's
}

// New validates the shared flags (Flags; exit 2 on bad values) and builds
// the client.
func New(cliContext *cli.Context, opts ...func(*registry.Options)) (*Setup, error) {
	log, err := cmdutil.Logger(cliContext)
	if err != nil {
		return nil, err
	}
	if n := cliContext.Int("concurrency"); n < 1 {
		return nil, cmdutil.Usagef("invalid value %d for flag --concurrency: want 1 or more", n)
	}
	if n := cliContext.Int("retries"); n < 1 {
		return nil, cmdutil.Usagef("invalid value %d for flag --retries: want 1 or more", n)
	}
	if d := cliContext.Duration("timeout"); d <= 0 {
		return nil, cmdutil.Usagef("invalid value %s for flag --timeout: want a positive duration", d)
	}
	s, err := resolver(cliContext)
	if err != nil {
		return nil, err
	}
	o := registry.Options{
		Backend:     s.backend,
		Insecure:    cliContext.Bool("insecure"),
		Timeout:     cliContext.Duration("timeout"),
		Concurrency: cliContext.Int("concurrency"),
		Attempts:    cliContext.Int("retries"),
		Logger:      log,
	}
	for _, f := range opts {
		f(&o)
	}
	s.Client = registry.New(o)
	return s, nil
}

// NewResolver reads ResolveFlags for a command that only names
// repositories and versions (image-tagger tags): its client parses
// references and never contacts a registry.
func NewResolver(cliContext *cli.Context) (*Setup, error) {
	if _, err := cmdutil.Logger(cliContext); err != nil {
		return nil, err
	}
	s, err := resolver(cliContext)
	if err != nil {
		return nil, err
	}
	s.Client = registry.New(registry.Options{Backend: s.backend})
	return s, nil
}

// resolver reads the scheme, --registry and --catalog.
func resolver(cliContext *cli.Context) (*Setup, error) {
	scheme, err := schemeflags.Scheme(cliContext)
	if err != nil {
		return nil, err
	}
	s := &Setup{Scheme: scheme, Registry: strings.TrimSuffix(cliContext.String("registry"), "/")}
	if s.Registry != "" {
		if _, err := name.NewRegistry(s.Registry, name.StrictValidation); err != nil || strings.Contains(s.Registry, "/") {
			return nil, cmdutil.Usagef("invalid value %q for flag --registry: want HOST[:PORT]", s.Registry)
		}
	}
	if path := cliContext.String("catalog"); path != "" {
		c, err := catalog.Load(path)
		if err != nil {
			if errors.Is(err, catalog.ErrInvalid) || errors.Is(err, os.ErrNotExist) {
				return nil, cmdutil.Usage(fmt.Errorf("flag --catalog: %w", err))
			}
			return nil, err
		}
		s.Catalog = c
		if s.Registry == "" {
			s.Registry = c.Registry
		}
	}
	s.backend = cliContext.String("backend")
	if s.backend == "" && s.Catalog != nil {
		s.backend = s.Catalog.RegistryBackend
	}
	if s.backend, err = registry.ParseBackend(s.backend); err != nil {
		return nil, cmdutil.Usagef("invalid value for flag --backend: %v", err)
	}
	return s, nil
}

// Repository resolves a SERVICE argument: a full repository
// (HOST/PATH), a service of the catalog, or a name under --registry.
func (s *Setup) Repository(arg string) (name.Repository, error) {
	if arg == "" {
		return name.Repository{}, cmdutil.Usagef("missing SERVICE argument")
	}
	if s.Catalog != nil {
		if svc, ok := s.Catalog.Service(arg); ok {
			return s.parse(svc.Image, "")
		}
	}
	first, _, hasSlash := strings.Cut(arg, "/")
	if hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return s.parse(arg, "")
	}
	if s.Registry == "" {
		where := "no --registry (or $DOCKWRIGHT_REGISTRY) is set"
		if s.Catalog != nil {
			where = fmt.Sprintf("it is not a service of %s and %s", s.Catalog.Path, where)
		}
		return name.Repository{}, cmdutil.Usagef("service %q: %s; give HOST[:PORT]/%s or --registry", arg, where, arg)
	}
	return s.parse(arg, s.Registry)
}

func (s *Setup) parse(repo, reg string) (name.Repository, error) {
	r, err := s.Client.ParseRepository(repo, reg)
	if err != nil {
		return name.Repository{}, cmdutil.Usage(err)
	}
	return r, nil
}

// Codes are the registry domain's exit codes (docs/contracts.md): bad
// references, unknown repositories and missing builds are invalid input
// (2), refusals are 3, the rest (network, auth, registry errors) 1.
var Codes = cmdutil.Codes{
	Usage:    []error{registry.ErrInvalidReference, registry.ErrNoBuild, registry.ErrNotFound},
	Failures: []error{registry.ErrRefused},
}
