package pluginexec

import (
	"strings"
	"testing"
	"time"
)

func TestSpecTimeout(t *testing.T) {
	tests := []struct {
		name, timeout string
		want          time.Duration
		err           string
	}{
		{"default", "", DefaultTimeout, ""},
		{"given", "1m30s", 90 * time.Second, ""},
		{"not a duration", "soon", 0, `timeout "soon": want a positive duration such as 10s`},
		{"zero", "0s", 0, "want a positive duration"},
		{"negative", "-1s", 0, "want a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Spec{Name: "x", Timeout: tt.timeout}.TimeoutDuration()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("TimeoutDuration() = %v, %v; want an error with %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("TimeoutDuration() = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
