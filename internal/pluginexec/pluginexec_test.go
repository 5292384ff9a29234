package pluginexec

import (
	"errors"
	"testing"
)

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"webhook", true},
		{"notify_file-2.v1", true},
		{"A1", true},
		{"", false},
		{"../../../tmp/evil", false},
		{"a/b", false},
		{`a\b`, false},
		{"..", false},
		{"a..b", false},
		{".hidden", false},
		{"-flag", false},
		{"x y", false},
		{"x\x00", false},
		{string(make([]byte, 65)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidName(tt.name)
			if (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrInvalidName) {
				t.Errorf("ValidName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
			}
		})
	}
}
