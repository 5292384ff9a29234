package health

import (
	"net"
	"strings"
	"testing"
	"time"
)

func TestStatsDNames(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s, err := NewStatsD(l.LocalAddr().String(), "")
	if err != nil {
		t.Fatal(err)
	}
	targets := []Target{
		{Service: "web", Env: "prod", Kind: "endpoint", AZ: "us-east-1a", URL: "https://web-a.example.com/health"},
		{Service: "api.v2", Env: "prod", Kind: "host", Host: "10.0.1.5", URL: "http://10.0.1.5:8002/health"},
	}
	s.Send(targets, []Result{{OK: true, Duration: 12 * time.Millisecond}, {OK: false, Duration: 2 * time.Second}})
	buf := make([]byte, 2048)
	l.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := l.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	got := string(buf[:n])
	for _, want := range []string{
		"dockwright.health.prod.web.endpoint.us-east-1a.up:1|g\n",
		"dockwright.health.prod.web.endpoint.us-east-1a.response_time:12|ms\n",
		"dockwright.health.prod.api_v2.host.10_0_1_5.up:0|g\n",
		"dockwright.health.prod.api_v2.host.10_0_1_5.response_time:2000|ms\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("statsd packet lacks %q:\n%s", want, got)
		}
	}
}
