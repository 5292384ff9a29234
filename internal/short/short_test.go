package short

import "testing"

func TestShort(t *testing.T) {
	tests := []struct{ name, in, short, id string }{
		{"digest", "sha256:0123456789abcdef0123", "sha256:0123456789ab", "0123456789ab"},
		{"bare id", "0123456789abcdef", "0123456789abcdef", "0123456789ab"},
		{"short", "sha256:01", "sha256:01", "01"},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Digest(tt.in); got != tt.short {
				t.Errorf("Digest(%q) = %q, want %q", tt.in, got, tt.short)
			}
			if got := ID(tt.in); got != tt.id {
				t.Errorf("ID(%q) = %q, want %q", tt.in, got, tt.id)
			}
		})
	}
}
