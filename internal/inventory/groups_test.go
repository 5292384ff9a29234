package inventory

import (
	"reflect"
	"testing"

	"github.com/expr-lang/expr"
)

// The variable-path fast path answers exactly what expr answers.
func TestProgramPathFastPath(t *testing.T) {
	env := map[string]any{
		"tags":          map[string]any{"Service": "web", "Env": "", "n": 3},
		"placement":     map[string]any{"region": "us-east-1", "availability_zone": "us-east-1a"},
		"instance_type": "t3.micro",
		"nothing":       nil,
		"list":          []any{"a"},
	}
	for _, tc := range []struct {
		src      string
		fastPath bool
	}{
		{"tags.Service", true},
		{"tags.Env", true},
		{"tags.n", true},
		{"placement.availability_zone", true},
		{"instance_type", true},
		{"nothing", true},
		{"tags.Missing", true}, // not found: expr decides
		{"missing", true},
		{"instance_type.x", true}, // not a map: expr decides
		{"tags.Service + '-x'", false},
		{"true", false},
		{"nil", false},
		{"tags?.Service", false},
		{"tags['Service']", false},
	} {
		t.Run(tc.src, func(t *testing.T) {
			p, err := compile(&Config{}, "test", Expr{Src: tc.src})
			if err != nil {
				t.Fatal(err)
			}
			if (p.path != nil) != tc.fastPath {
				t.Fatalf("path = %v, want fast path %v", p.path, tc.fastPath)
			}
			got, gotErr := p.run(&Config{}, env, "h")
			prog, _ := expr.Compile(tc.src, expr.AllowUndefinedVariables())
			want, wantErr := expr.Run(prog, env)
			if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("run = %v, %v; expr = %v, %v", got, gotErr, want, wantErr)
			}
		})
	}
}
