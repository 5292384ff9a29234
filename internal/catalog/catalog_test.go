package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	c, err := Load("testdata/services.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Names(); !slices.Equal(got, []string{"billing", "search", "web"}) {
		t.Fatalf("Names = %v", got)
	}
	web, _ := c.Service("web")
	if web.Image != "registry.internal:5000/web" || web.ContainerPort != 5000 || web.HealthPath != "/health" || web.Line != 7 {
		t.Errorf("web = %+v", web)
	}
	if !slices.Equal(web.Environments, []string{"dev", "staging", "prod"}) || len(web.Endpoints["prod"]) != 2 {
		t.Errorf("web environments/endpoints = %v %v", web.Environments, web.Endpoints)
	}
	billing, _ := c.Service("billing")
	if billing.Image != "registry.internal:5000/team-pay/billing" || billing.HealthPath != "/healthz" {
		t.Errorf("billing = %+v", billing)
	}
	if s, _ := c.Service("search"); s.ContainerPort != 8080 {
		t.Errorf("search = %+v", s)
	}
	if _, ok := c.Service("nope"); ok {
		t.Error("found a service that is not there")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "services:\n  web:\n    hostport: 1\n", []string{"f.yml:3: unknown key hostport"}},
		{"unknown top key", "servics: {}\n", []string{"f.yml:1: unknown key servics"}},
		{"bad yaml", "services: [\n", []string{"f.yml:"}},
		{"wrong type", "services:\n  web:\n    host_port: eighty\n", []string{"f.yml:3:", "eighty"}},
		{"duplicate port", "services:\n  a: {host_port: 80}\n  b: {host_port: 80}\n", []string{`f.yml:3: service "b": host_port 80 is already used by "a"`}},
		{"unknown env", "environments: [prod]\nservices:\n  a: {environments: [qa]}\n", []string{`f.yml:3: service "a": unknown environment "qa" (known: prod)`}},
		{"bad url", "services:\n  a:\n    endpoints: {prod: [{url: 'ftp://x'}]}\n", []string{`endpoint "ftp://x"`}},
		{"image with tag", "services:\n  a: {image: 'reg:5000/a:1'}\n", []string{"without tag or digest"}},
		{"bad name", "services:\n  Web: {}\n", []string{`service name "Web"`}},
		{"every problem", "services:\n  a: {host_port: 70000}\n  B: {}\n", []string{"f.yml:2:", "f.yml:3:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yml", []byte(tt.yaml))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
