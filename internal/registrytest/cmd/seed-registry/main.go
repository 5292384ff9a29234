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
	bigRepo := flag.String("big-repo", "", "instead: push one image with a layer of -big-mb MB to this repository as build 1")
	bigMB := flag.Int("big-mb", 100, "size of the big image's layer")
	flag.Parse()
	if *bigRepo != "" {
		start := time.Now()
		if err := registrytest.PushBig(context.Background(), *host, *bigRepo, int64(*bigMB)<<20); err != nil {
			fmt.Fprintln(os.Stderr, "seed-registry:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "pushed %s/%s:1 (%d MB) in %s\n", *host, *bigRepo, *bigMB, time.Since(start).Round(time.Millisecond))
		return
	}
	e := registrytest.Estate{Repos: *repos, Builds: *builds, GitTags: *git, Prefix: *prefix}
	start := time.Now()
	if err := e.Seed(context.Background(), *host, *conc); err != nil {
		fmt.Fprintln(os.Stderr, "seed-registry:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "seeded %d tags in %d repositories in %s\n", e.TagCount(), e.Repos, time.Since(start).Round(time.Millisecond))
}
