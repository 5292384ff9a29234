package health

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"time"
)

//go:embed web
var webFS embed.FS

var page = template.Must(template.ParseFS(webFS, "web/page.html"))

// Dashboard serves the page, the JSON API and the dashboard's own health.
type Dashboard struct {
	Monitor *Monitor
	Env     string
	Refresh time.Duration
}

// Handler returns the dashboard's routes:
//
//	GET  /              the page (failing first; auto-refreshing)
//	GET  /fragment      the page's changing parts, for the refresh
//	GET  /api/status    every target with state and history (JSON)
//	POST /api/deploys   {"service": "web", "minutes": 10} mutes a service's notifications
//	GET  /healthz       the dashboard itself (503 when rounds stopped)
//	GET  /metrics       Prometheus text: up and response time per target
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(webFS, "web")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", d.page)
	mux.HandleFunc("GET /fragment", d.fragment)
	mux.HandleFunc("GET /api/status", d.api)
	mux.HandleFunc("POST /api/deploys", d.deploy)
	mux.HandleFunc("GET /healthz", d.healthz)
	mux.HandleFunc("GET /metrics", d.metrics)
	return mux
}

type viewTarget struct {
	TargetStatus
	Muted     bool
	Error     string
	Status    int
	Body      string
	Time      string
	Sparkline template.HTML
}

type viewGroup struct {
	Service string
	Targets []viewTarget
}

type view struct {
	Title          string
	Env            string
	RefreshSeconds int
	Counts         map[string]int
	Total          int
	Rounds         int
	Updated        string
	Failing        []viewTarget
	Groups         []viewGroup
}

func (d *Dashboard) view() view {
	now := d.Monitor.Checker.Now()
	sts := d.Monitor.Store.Status(now)
	rounds, last := d.Monitor.Rounds()
	v := view{Title: "dockwright health — " + d.Env, Env: d.Env, RefreshSeconds: max(int(d.Refresh.Seconds()), 1),
		Counts: map[string]int{Healthy: 0, Flaky: 0, Down: 0, Unknown: 0}, Total: len(sts), Rounds: rounds, Updated: "never"}
	if !last.IsZero() {
		v.Updated = last.UTC().Format("15:04:05 UTC")
	}
	groups := map[string]*viewGroup{}
	for _, st := range sts {
		v.Counts[st.State]++
		vt := viewTarget{TargetStatus: st, Muted: d.Monitor.Muted(st.Service, now), Sparkline: sparkline(st.History)}
		if st.Last != nil {
			vt.Error, vt.Status, vt.Body = st.Last.Error, st.Last.Status, st.Last.Body
			vt.Time = fmt.Sprintf("%.1f ms", float64(st.Last.Duration.Microseconds())/1000)
		}
		if st.State == Down || st.State == Flaky {
			v.Failing = append(v.Failing, vt)
		}
		g := groups[st.Service]
		if g == nil {
			g = &viewGroup{Service: st.Service}
			groups[st.Service] = g
		}
		g.Targets = append(g.Targets, vt)
	}
	sort.SliceStable(v.Failing, func(i, j int) bool {
		return v.Failing[i].State == Down && v.Failing[j].State != Down
	})
	for _, g := range groups {
		sort.SliceStable(g.Targets, func(i, j int) bool { return g.Targets[i].AZ < g.Targets[j].AZ })
		v.Groups = append(v.Groups, *g)
	}
	sort.Slice(v.Groups, func(i, j int) bool { return v.Groups[i].Service < v.Groups[j].Service })
	return v
}

// sparkline draws the response times of the history (red dots: failures).
func sparkline(h []Result) template.HTML {
	const w, hgt = 120, 24
	if len(h) == 0 {
		return ""
	}
	var maxMs float64 = 1
	for _, r := range h {
		maxMs = max(maxMs, float64(r.Duration.Microseconds())/1000)
	}
	var pts, dots strings.Builder
	step := float64(w) / float64(max(HistorySize-1, 1))
	for i, r := range h {
		x := float64(i) * step
		y := hgt - 2 - (float64(r.Duration.Microseconds())/1000)/maxMs*(hgt-4)
		fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
		if !r.OK {
			fmt.Fprintf(&dots, `<circle cx="%.1f" cy="%.1f" r="2" fill="#b00020"/>`, x, y)
		}
	}
	return template.HTML(fmt.Sprintf(`<svg class="spark" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="response times"><polyline fill="none" stroke="#1565c0" stroke-width="1.2" points="%s"/>%s</svg>`,
		w, hgt, w, hgt, strings.TrimSpace(pts.String()), dots.String()))
}

func (d *Dashboard) page(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, d.view()); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (d *Dashboard) fragment(w http.ResponseWriter, r *http.Request) {
	v := d.view()
	var status, summary bytes.Buffer
	if err := page.ExecuteTemplate(&status, "status", v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	page.ExecuteTemplate(&summary, "summary", v)
	writeJSON(w, map[string]string{"status": status.String(), "summary": summary.String()})
}

func (d *Dashboard) api(w http.ResponseWriter, r *http.Request) {
	now := d.Monitor.Checker.Now()
	rounds, last := d.Monitor.Rounds()
	sts := d.Monitor.Store.Status(now)
	type apiTarget struct {
		TargetStatus
		Muted bool `json:"muted"`
	}
	out := struct {
		Env     string      `json:"env"`
		Rounds  int         `json:"rounds"`
		Updated time.Time   `json:"updated"`
		Targets []apiTarget `json:"targets"`
	}{Env: d.Env, Rounds: rounds, Updated: last, Targets: make([]apiTarget, len(sts))}
	for i, st := range sts {
		out.Targets[i] = apiTarget{st, d.Monitor.Muted(st.Service, now)}
	}
	writeJSON(w, out)
}

func (d *Dashboard) deploy(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Service string `json:"service"`
		Minutes int    `json:"minutes"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.Service == "" {
		http.Error(w, `want {"service": NAME, "minutes": N}`, http.StatusBadRequest)
		return
	}
	if in.Minutes <= 0 {
		in.Minutes = 15
	}
	until := d.Monitor.Checker.Now().Add(time.Duration(in.Minutes) * time.Minute)
	d.Monitor.Mute(in.Service, until)
	writeJSON(w, map[string]any{"service": in.Service, "muted_until": until})
}

func (d *Dashboard) healthz(w http.ResponseWriter, r *http.Request) {
	_, last := d.Monitor.Rounds()
	if last.IsZero() || d.Monitor.Checker.Now().Sub(last) > 3*d.Monitor.Interval+d.Monitor.Checker.Timeout {
		http.Error(w, "no recent round", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

func (d *Dashboard) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintln(w, "# HELP dockwright_health_up 1 when the target's last check passed.")
	fmt.Fprintln(w, "# TYPE dockwright_health_up gauge")
	sts := d.Monitor.Store.Status(d.Monitor.Checker.Now())
	for _, st := range sts {
		if st.Last == nil {
			continue
		}
		up := 0
		if st.Last.OK {
			up = 1
		}
		fmt.Fprintf(w, "dockwright_health_up{%s} %d\n", labels(st.Target), up)
	}
	fmt.Fprintln(w, "# HELP dockwright_health_response_seconds Duration of the target's last check.")
	fmt.Fprintln(w, "# TYPE dockwright_health_response_seconds gauge")
	for _, st := range sts {
		if st.Last != nil {
			fmt.Fprintf(w, "dockwright_health_response_seconds{%s} %g\n", labels(st.Target), st.Last.Duration.Seconds())
		}
	}
}

func labels(t Target) string {
	q := func(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) }
	return fmt.Sprintf(`env="%s",service="%s",kind="%s",az="%s",url="%s"`, q(t.Env), q(t.Service), q(t.Kind), q(t.AZ), q(t.URL))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// Serve runs the dashboard on addr until ctx ends, then shuts down
// gracefully (in-flight requests get up to 5 s).
func (d *Dashboard) Serve(ctx context.Context, addr string) error {
	srv := &http.Server{
		Addr: addr, Handler: d.Handler(),
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
