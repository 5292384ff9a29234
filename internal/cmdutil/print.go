package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
)

// WriteJSON writes v as indented JSON and a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Table writes aligned columns with a header.
type Table struct {
	tw *tabwriter.Writer
}

// NewTable starts a table on w with the given header.
func NewTable(w io.Writer, header ...string) *Table {
	t := &Table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	if len(header) > 0 {
		t.Row(header...)
	}
	return t
}

// Row adds a row; empty cells print as "-".
func (t *Table) Row(cells ...string) {
	for i, c := range cells {
		if c == "" {
			cells[i] = "-"
		}
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

// Flush writes the table out.
func (t *Table) Flush() error { return t.tw.Flush() }

// Args checks that a command got exactly the named positional arguments
// (exit 2 otherwise).
func Args(cliContext *cli.Context, names ...string) error {
	n := cliContext.NArg()
	if n == len(names) {
		return nil
	}
	cmd := cliContext.Command.Name
	if n < len(names) {
		return Usagef("%s: missing %s (usage: %s %s %s)", cmd, strings.Join(names[n:], " "), cliContext.App.Name, cmd, strings.Join(names, " "))
	}
	return Usagef("%s: unexpected argument %q (usage: %s %s %s)", cmd, cliContext.Args().Get(len(names)), cliContext.App.Name, cmd, strings.Join(names, " "))
}

// Progress draws "label: done/total" on a terminal, at most every 100 ms.
// On anything else it draws nothing.
type Progress struct {
	w     io.Writer
	label string
	total int
	mu    sync.Mutex
	done  int
	last  time.Time
	on    bool
}

// NewProgress returns a progress line on w when w is a terminal.
func NewProgress(w io.Writer, label string, total int) *Progress {
	return &Progress{w: w, label: label, total: total, on: IsTerminal(w) && total > 0}
}

// Add counts n more done.
func (p *Progress) Add(n int) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || p.done == p.total {
		p.last = now
		width := 30
		filled := width * p.done / p.total
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.done, p.total)
	}
}

// Done clears the progress line.
func (p *Progress) Done() {
	if p == nil || !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", len(p.label)+45))
}
