package envconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/dockwright/dockwright/internal/pluginexec"
)

// PluginsFile is the optional file of a bundle that names secrets plugins.
const PluginsFile = "plugins.yml"

// PluginSpec is one secrets plugin: it resolves ref+NAME://... references.
type PluginSpec = pluginexec.Spec

// LoadPlugins reads the secrets plugins of a bundle (plugins.yml), or of
// an explicit file; none is not an error.
func LoadPlugins(dir, file string) ([]PluginSpec, error) {
	path := file
	if path == "" {
		path = filepath.Join(dir, PluginsFile)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading plugins: %w", err)
	}
	var f struct {
		Secrets []PluginSpec `yaml:"secrets"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, yamlErr(path, err)
	}
	for _, s := range f.Secrets {
		if s.Name == "" {
			return nil, fmt.Errorf("%w: %s: a secrets plugin without a name", ErrInvalid, path)
		}
		if err := pluginexec.ValidName(s.Name); err != nil {
			return nil, fmt.Errorf("%w: %s: secrets plugin: %w", ErrInvalid, path, err)
		}
	}
	return f.Secrets, nil
}

// RefResolver adapts a batch resolver of whole references (a plugin) to a
// Resolver.
type RefResolver func(ctx context.Context, refs []string) (map[string]string, error)

// Resolve implements Resolver.
func (f RefResolver) Resolve(ctx context.Context, refs []Ref) (map[string]string, error) {
	raws := make([]string, len(refs))
	for i, r := range refs {
		raws[i] = r.Raw
	}
	return f(ctx, raws)
}
