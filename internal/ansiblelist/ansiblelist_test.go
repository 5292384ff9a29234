package ansiblelist

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name       string
		doc        string
		wantGroups map[string][]string // host -> groups
		wantVars   map[string]map[string]any
		wantErr    string
	}{
		{
			name:       "groups and hostvars",
			doc:        `{"_meta":{"hostvars":{"a":{"ansible_host":"10.0.0.1"}}},"web":{"hosts":["a","b"]},"all":{"children":["web"]},"prod":{"hosts":["a"],"vars":{"x":1}}}`,
			wantGroups: map[string][]string{"a": {"prod", "web"}, "b": {"web"}},
			wantVars:   map[string]map[string]any{"a": {"ansible_host": "10.0.0.1"}},
		},
		{
			name:       "no _meta",
			doc:        `{"web":{"hosts":["a"]}}`,
			wantGroups: map[string][]string{"a": {"web"}},
		},
		{name: "not JSON", doc: `web: [a]`, wantErr: "invalid character"},
		{name: "a group that is not an object", doc: `{"web":["a"]}`, wantErr: `group "web"`},
		{name: "hostvars that are not objects", doc: `{"_meta":{"hostvars":{"a":1}}}`, wantErr: "_meta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse([]byte(tt.doc))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := l.GroupsOf(); !reflect.DeepEqual(got, tt.wantGroups) {
				t.Errorf("GroupsOf = %v, want %v", got, tt.wantGroups)
			}
			if !reflect.DeepEqual(l.Hostvars, tt.wantVars) {
				t.Errorf("Hostvars = %v, want %v", l.Hostvars, tt.wantVars)
			}
		})
	}
}
