package cmdutil

import (
	"io"
	"os"
	"reflect"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestMainInstallsFastHelp: the template-free help printer is what Main
// runs the app with; importing the package alone changes nothing.
func TestMainInstallsFastHelp(t *testing.T) {
	same := func(a, b any) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() }
	if !same(cli.HelpPrinter, TemplateHelp) {
		t.Fatal("cli.HelpPrinter changed before Main ran")
	}
	defer func(args []string, p func(w io.Writer, templ string, data any)) { os.Args, cli.HelpPrinter = args, p }(os.Args, cli.HelpPrinter)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	app := NewApp("t", "a test")
	app.Writer = devnull
	os.Args = []string{"t", "--help"}
	if code := Main("t", app); code != 0 {
		t.Fatalf("Main --help: exit %d", code)
	}
	if !same(cli.HelpPrinter, fastHelp) {
		t.Error("Main did not install fastHelp")
	}
}
