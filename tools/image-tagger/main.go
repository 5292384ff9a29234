// Command image-tagger computes and applies image tags: versions (Jenkins
// build numbers), environment pointers and their promotion history, inside
// the registry. See docs/image-tagger.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() { os.Exit(cmdutil.Main("image-tagger", newApp())) }
