package health

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

func benchTargets(url string, n, hanging int) []Target {
	var ts []Target
	for i := 0; i < n; i++ {
		p := "/ok"
		if i < hanging {
			p = "/hang"
		}
		ts = append(ts, Target{ID: fmt.Sprint(i), Service: fmt.Sprintf("svc%02d", i/3), Env: "prod", Kind: "endpoint",
			URL: fmt.Sprintf("%s%s/%d", url, p, i), Conditions: Conditions{Status: 200}})
	}
	return ts
}

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/hang") {
			<-r.Context().Done()
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkRound150Hanging is one round over 150 targets, 5 of them never
// answering, with a 2 s timeout: the round's wall time is the timeout, not
// a multiple of it (reported as round-s).
func BenchmarkRound150Hanging(b *testing.B) {
	srv := benchServer(b)
	targets := benchTargets(srv.URL, 150, 5)
	c := NewChecker(2*time.Second, 50, 0)
	b.ResetTimer()
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		c.Round(context.Background(), targets)
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "round-s")
}

// BenchmarkSoak10000 runs 10,000 rounds over 150 healthy targets and
// reports the live heap after the first 100 rounds and at the end: the
// history is fixed-size, so it stays flat.
func BenchmarkSoak10000(b *testing.B) {
	srv := benchServer(b)
	targets := benchTargets(srv.URL, 150, 0)
	m := &Monitor{Checker: NewChecker(time.Second, 50, 0), Store: NewStore(targets, 2, time.Minute), Targets: targets, Interval: time.Millisecond}
	heap := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / (1 << 20)
	}
	for b.Loop() {
		var early float64
		for i := 0; i < 10000; i++ {
			m.RunOnce(context.Background())
			if i == 100 {
				early = heap()
			}
		}
		b.ReportMetric(early, "heap-MB-at-100")
		b.ReportMetric(heap(), "heap-MB-at-10000")
	}
}
