// Command seed-registry fills a registry with an estate of builds (for the
// benchmark and for trying the tools by hand):
//
//	seed-registry -host 127.0.0.1:5000 -repos 20 -builds 200
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/dockwright/dockwright/internal/registrytest"
)

func main() {
	host := flag.String("host", "127.0.0.1:5000", "registry HOST:PORT")
	repos := flag.Int("repos", 20, "repositories")
	builds := flag.Int("builds", 200, "builds per repository")
	git := flag.Bool("git-tags", false, "also a git-<sha> tag per build")
	prefix := flag.String("prefix", "svc", "repository name prefix")
	conc := flag.Int("concurrency", 16, "requests in flight")
	flag.Parse()
	e := registrytest.Estate{Repos: *repos, Builds: *builds, GitTags: *git, Prefix: *prefix}
	start := time.Now()
	if err := e.Seed(context.Background(), *host, *conc); err != nil {
		fmt.Fprintln(os.Stderr, "seed-registry:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "seeded %d tags in %d repositories in %s\n", e.TagCount(), e.Repos, time.Since(start).Round(time.Millisecond))
}
