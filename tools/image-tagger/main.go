// Command image-tagger computes and applies image tags: versions (Jenkins
// build numbers), environment pointers and their promotion history, inside
// the registry. See docs/image-tagger.md.
package main

import (
	"os"

	"github.com/dockwright/dockwright/internal/cmdutil"
)

func main() {
	ctx, stop := cmdutil.SignalContext()
	app := newApp()
	err := app.RunContext(ctx, cmdutil.Intersperse(app, os.Args))
	stop()
	os.Exit(cmdutil.Report(os.Stderr, "image-tagger", err))
}
