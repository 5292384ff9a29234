package main

import (
	"testing"

	"github.com/dockwright/dockwright/internal/clitest"
)

// The help cmdutil prints fast is urfave/cli's, for every command.
func TestHelpMatchesTemplates(t *testing.T) { clitest.HelpMatchesTemplates(t, newApp) }
