package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// The help cmdutil prints fast is urfave/cli's, for every command.
func TestHelpMatchesTemplates(t *testing.T) { clitest.HelpMatchesTemplates(t, newApp) }

// Every flag docs/dockwright-lock.md names is one the binary has.
func TestDocumentedFlagsExist(t *testing.T) {
	clitest.DocumentedFlagsExist(t, newApp, "../../docs/dockwright-lock.md")
}
