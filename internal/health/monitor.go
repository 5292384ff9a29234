package health

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Event is a state change of a target.
type Event struct {
	Target Target    `json:"target"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	At     time.Time `json:"at"`
	Error  string    `json:"error,omitempty"`
}

// Notifier sends state changes somewhere. It is the extension point the
// notifier plugins implement; Webhook is built in.
type Notifier interface {
	Notify(ctx context.Context, e Event) error
}

// Webhook POSTs each event as JSON to URL.
type Webhook struct {
	URL    string
	Client *http.Client
}

// Notify implements Notifier.
func (w Webhook) Notify(ctx context.Context, e Event) error {
	b, _ := json.Marshal(e)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook %s: status %d", w.URL, resp.StatusCode)
	}
	return nil
}

// StatsD sends a gauge (1 up, 0 down) and a timer per check over UDP:
// PREFIX.ENV.SERVICE.KIND.TARGET.up and .response_time (Graphite-safe
// names: anything but letters, digits, '-' and '_' becomes '_').
type StatsD struct {
	Prefix string
	conn   net.Conn
}

// NewStatsD dials addr (host:port, UDP).
func NewStatsD(addr, prefix string) (*StatsD, error) {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("statsd %s: %w", addr, err)
	}
	if prefix == "" {
		prefix = "dockwright.health"
	}
	return &StatsD{Prefix: prefix, conn: c}, nil
}

// MetricName is the Graphite path of a target.
func MetricName(prefix string, t Target) string {
	part := t.Host
	if t.Kind == "endpoint" {
		part = t.URL
		if t.AZ != "" {
			part = t.AZ
		}
	}
	return strings.Join([]string{prefix, graphite(t.Env), graphite(t.Service), t.Kind, graphite(part)}, ".")
}

func graphite(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// Send writes one round's metrics (best effort: UDP).
func (s *StatsD) Send(targets []Target, results []Result) {
	var buf bytes.Buffer
	for i, t := range targets {
		up := 0
		if results[i].OK {
			up = 1
		}
		name := MetricName(s.Prefix, t)
		fmt.Fprintf(&buf, "%s.up:%d|g\n%s.response_time:%d|ms\n", name, up, name, results[i].Duration.Milliseconds())
		if buf.Len() > 1200 { // stay under a UDP packet
			s.conn.Write(buf.Bytes())
			buf.Reset()
		}
	}
	if buf.Len() > 0 {
		s.conn.Write(buf.Bytes())
	}
}

// Monitor checks every Interval, records, notifies changes and sends metrics.
type Monitor struct {
	Checker  *Checker
	Store    *Store
	Targets  []Target
	Interval time.Duration
	Notifier Notifier // nil: none
	StatsD   *StatsD  // nil: none
	Log      *slog.Logger

	mu       sync.Mutex
	muted    map[string]time.Time // service -> until
	rounds   int
	lastDone time.Time
}

// Mute silences a service's notifications until the time given (a deploy
// in progress); it stays on the dashboard, marked.
func (m *Monitor) Mute(service string, until time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.muted == nil {
		m.muted = map[string]time.Time{}
	}
	m.muted[service] = until
}

// Muted reports whether a service is muted at now.
func (m *Monitor) Muted(service string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return now.Before(m.muted[service])
}

// Rounds returns how many rounds ran and when the last one ended.
func (m *Monitor) Rounds() (int, time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rounds, m.lastDone
}

// Run checks until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	t := time.NewTicker(m.Interval)
	defer t.Stop()
	for {
		m.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce runs one round.
func (m *Monitor) RunOnce(ctx context.Context) {
	before := m.states()
	results := m.Checker.Round(ctx, m.Targets)
	if ctx.Err() != nil {
		return
	}
	m.Store.Record(results)
	if m.StatsD != nil {
		m.StatsD.Send(m.Targets, results)
	}
	now := m.Checker.Now()
	m.mu.Lock()
	m.rounds++
	m.lastDone = now
	m.mu.Unlock()
	if m.Notifier == nil {
		return
	}
	for _, st := range m.Store.Status(now) {
		from := before[st.ID]
		if from == st.State || from == "" || (from == Unknown && st.State == Healthy) || m.Muted(st.Service, now) {
			continue
		}
		e := Event{Target: st.Target, From: from, To: st.State, At: now}
		if st.Last != nil {
			e.Error = st.Last.Error
		}
		if err := m.Notifier.Notify(ctx, e); err != nil && m.Log != nil {
			m.Log.Warn("notification failed", "target", st.ID, "err", err)
		}
	}
}

func (m *Monitor) states() map[string]string {
	out := map[string]string{}
	for _, st := range m.Store.Status(m.Checker.Now()) {
		out[st.ID] = st.State
	}
	return out
}
