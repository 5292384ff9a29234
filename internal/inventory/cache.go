package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// identityEnv are the environment variables that choose who calls AWS and
// where; they are part of the cache key so two accounts, profiles or
// endpoints never share an entry. Values are hashed, never stored.
var identityEnv = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ROLE_ARN",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS",
	"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
}

// Cache is the on-disk cache of --list output.
type Cache struct {
	Dir string
	TTL time.Duration
	Key string // hex SHA-256 of config, identity and program version
}

// DefaultCacheDir is ec2-inventory under the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache), else the temp directory.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "dockwright", "ec2-inventory")
	}
	return filepath.Join(os.TempDir(), "dockwright-ec2-inventory")
}

// NewCache returns the cache for a config, or nil when caching is off.
// version is the program version: a new binary never reads an old format.
func NewCache(cfg *Config, version string, getenv func(string) string) *Cache {
	if !cfg.Cache {
		return nil
	}
	h := sha256.New()
	fmt.Fprintf(h, "v1\x00%s\x00", version)
	abs, _ := filepath.Abs(cfg.Path)
	fmt.Fprintf(h, "%s\x00", abs)
	h.Write(cfg.Raw)
	keys := append([]string(nil), identityEnv...)
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "\x00%s=%s", k, getenv(k))
	}
	dir := expandPath(cfg.CacheConnection, filepath.Dir(cfg.Path), getenv)
	if dir == "" {
		dir = DefaultCacheDir()
	}
	return &Cache{Dir: dir, TTL: cfg.CacheTTL(), Key: hex.EncodeToString(h.Sum(nil))}
}

// Path is the cache file.
func (c *Cache) Path() string { return filepath.Join(c.Dir, "ec2-inventory-"+c.Key[:32]+".json") }

// Get returns the cached --list output if it is younger than the TTL.
func (c *Cache) Get(now time.Time) ([]byte, bool) {
	st, err := os.Stat(c.Path())
	if err != nil || now.Sub(st.ModTime()) >= c.TTL || c.TTL <= 0 {
		return nil, false
	}
	b, err := os.ReadFile(c.Path())
	if err != nil || len(b) == 0 {
		return nil, false
	}
	return b, true
}

// Put stores --list output atomically (temp file, then rename) with mode
// 0600 in a 0700 directory: hostvars can be sensitive.
func (c *Cache) Put(data []byte) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("creating cache directory: %w", err)
	}
	f, err := os.CreateTemp(c.Dir, ".ec2-inventory-*.tmp")
	if err != nil {
		return fmt.Errorf("writing cache: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("writing cache: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing cache %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing cache %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, c.Path()); err != nil {
		return fmt.Errorf("writing cache: %w", err)
	}
	return nil
}

// expandPath expands $VARS and a leading ~/ in p, and resolves a relative
// path against base (the config file's directory).
func expandPath(p, base string, getenv func(string) string) string {
	if p == "" {
		return ""
	}
	p = os.Expand(p, getenv)
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home := getenv("HOME"); home != "" {
			p = filepath.Join(home, rest)
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return p
}
