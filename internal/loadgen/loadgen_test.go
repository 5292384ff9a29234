package loadgen

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// The stream counts answers, 5xx and refused connections as what they are.
func TestStreamCounts(t *testing.T) {
	var n atomic.Int64
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%4 == 0 {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer ok.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()

	cases := []struct {
		name       string
		url        string
		wantFailed func(st Stats) bool
		cause      string
	}{
		{"every fourth answer is a 503", ok.URL, func(st Stats) bool { return st.Failed == st.Requests/4 }, "503"},
		{"nothing listens", refused, func(st Stats) bool { return st.Failed == st.Requests }, "connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n.Store(0)
			s := Start(context.Background(), Config{URL: c.url, Rate: 200})
			time.Sleep(300 * time.Millisecond)
			st := s.Stop()
			if st.Requests < 8 {
				t.Fatalf("only %d requests in 300ms at 200/s", st.Requests)
			}
			if !c.wantFailed(st) || st.Errors[c.cause] != st.Failed {
				t.Errorf("stats %+v: want failures caused by %q", st, c.cause)
			}
			if st.P50 <= 0 || st.P99 < st.P50 || st.Max < st.P99 {
				t.Errorf("latencies out of order: %+v", st)
			}
		})
	}
}
