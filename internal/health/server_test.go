package health

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// backend answers like services do: /ok healthy, /slow slow, /fail 503.
func backend(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/fail"):
			http.Error(w, `{"status":"error","db":"connection refused"}`, http.StatusServiceUnavailable)
		default:
			fmt.Fprint(w, `{"status":"ok"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func dashboard(t *testing.T, base string) (*Dashboard, []Target) {
	targets := []Target{
		{ID: "web/a", Service: "web", Env: "prod", Kind: "endpoint", AZ: "us-east-1a", URL: base + "/ok/web-a", Conditions: Conditions{Status: 200}},
		{ID: "web/b", Service: "web", Env: "prod", Kind: "endpoint", AZ: "us-east-1b", URL: base + "/ok/web-b", Conditions: Conditions{Status: 200}},
		{ID: "api/a", Service: "api", Env: "prod", Kind: "endpoint", AZ: "us-east-1a", URL: base + "/ok/api-a", Conditions: Conditions{Status: 200}},
		{ID: "api/h1", Service: "api", Env: "prod", Kind: "host", AZ: "us-east-1b", Host: "10.0.0.7", URL: base + "/fail/api-h1", Conditions: Conditions{Status: 200}},
		{ID: "billing/a", Service: "billing", Env: "prod", Kind: "endpoint", AZ: "us-east-1a", URL: "http://127.0.0.1:1/health", Conditions: Conditions{Status: 200}},
	}
	m := &Monitor{Checker: NewChecker(time.Second, 8, 0), Store: NewStore(targets, 2, time.Minute), Targets: targets, Interval: time.Second}
	return &Dashboard{Monitor: m, Env: "prod", Refresh: time.Second}, targets
}

func TestDashboardHandlers(t *testing.T) {
	be := backend(t)
	d, _ := dashboard(t, be.URL)
	var mu sync.Mutex
	var events []Event
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e Event
		json.NewDecoder(r.Body).Decode(&e)
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}))
	defer hook.Close()
	d.Monitor.Notifier = Webhook{URL: hook.URL}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()

	if code := get(t, srv.URL+"/healthz").StatusCode; code != http.StatusServiceUnavailable {
		t.Errorf("/healthz before any round = %d, want 503", code)
	}
	ctx := context.Background()
	d.Monitor.RunOnce(ctx)
	d.Monitor.RunOnce(ctx)
	if code := get(t, srv.URL+"/healthz").StatusCode; code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	var status struct {
		Rounds  int
		Targets []struct {
			ID    string
			State string
		}
	}
	json.Unmarshal(body(t, srv.URL+"/api/status"), &status)
	states := map[string]string{}
	for _, x := range status.Targets {
		states[x.ID] = x.State
	}
	if status.Rounds != 2 || states["api/h1"] != Down || states["billing/a"] != Down || states["web/a"] != Healthy {
		t.Errorf("api/status = %+v", status)
	}
	html := string(body(t, srv.URL+"/"))
	fi, bi := strings.Index(html, "Failing"), strings.Index(html, "By service")
	if fi < 0 || bi < fi || !strings.Contains(html, "status 503, want 200") || !strings.Contains(html, "connection refused") || !strings.Contains(html, "<svg class=\"spark\"") {
		t.Errorf("page does not show the failures first with their errors:\n%s", html)
	}
	if strings.Contains(html, "http://") && strings.Contains(html, "cdn") {
		t.Error("page loads something from a CDN")
	}
	m := string(body(t, srv.URL+"/metrics"))
	if !strings.Contains(m, `dockwright_health_up{env="prod",service="api",kind="host",az="us-east-1b",url="`+be.URL+`/fail/api-h1"} 0`) {
		t.Errorf("metrics:\n%s", m)
	}
	// Unknown -> flaky -> down changes were notified (the first round's
	// unknown -> down/healthy too, except unknown -> healthy).
	mu.Lock()
	n := len(events)
	mu.Unlock()
	if n == 0 {
		t.Error("no state change notified")
	}
	// A deploy in progress mutes the service.
	resp, err := http.Post(srv.URL+"/api/deploys", "application/json", strings.NewReader(`{"service":"api","minutes":5}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST /api/deploys: %v %v", err, resp)
	}
	if html := string(body(t, srv.URL+"/")); !strings.Contains(html, "deploying") {
		t.Error("muted service not marked on the page")
	}
	if resp, _ := http.Post(srv.URL+"/api/deploys", "application/json", strings.NewReader(`{}`)); resp.StatusCode != 400 {
		t.Errorf("bad deploy body: %d", resp.StatusCode)
	}
}

// TestDashboardInChromium loads the page in a real headless Chromium and
// checks what a person sees: failing targets first, with their errors; it
// saves a screenshot in the test's temp dir.
func TestDashboardInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium not found: apt-get install -y chromium (make test-deps does)")
	}
	be := backend(t)
	d, _ := dashboard(t, be.URL)
	for i := 0; i < 5; i++ {
		d.Monitor.RunOnce(context.Background())
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: d.Handler()}
	go srv.Serve(l)
	defer srv.Close()
	url := "http://" + l.Addr().String() + "/"
	dir := t.TempDir()
	run := func(args ...string) string {
		args = append([]string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--virtual-time-budget=3000"}, args...)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, chromium, append(args, url)...).Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", args, err)
		}
		return string(out)
	}
	dom := run("--dump-dom")
	fi, bi := strings.Index(dom, ">Failing<"), strings.Index(dom, ">By service<")
	if fi < 0 || bi < fi {
		t.Fatalf("the browser does not show the failing section first:\n%s", dom)
	}
	failing := dom[fi:bi]
	for _, want := range []string{"/fail/api-h1", "status 503, want 200", "connection refused", "127.0.0.1:1/health"} {
		if !strings.Contains(failing, want) {
			t.Errorf("failing section lacks %q", want)
		}
	}
	if strings.Contains(failing, "/ok/web-a") {
		t.Error("a healthy target is in the failing section")
	}
	shot := filepath.Join(dir, "dashboard.png")
	run("--screenshot="+shot, "--window-size=1280,720", "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	head := make([]byte, 8)
	io.ReadFull(f, head)
	if string(head[1:4]) != "PNG" {
		t.Errorf("screenshot is not a PNG")
	}
	if p := os.Getenv("DASHBOARD_SCREENSHOT"); p != "" { // to refresh docs/health-dashboard.png
		b, _ := os.ReadFile(shot)
		os.WriteFile(p, b, 0o644)
	}
	t.Logf("screenshot: %s", shot)
}

func get(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func body(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}
