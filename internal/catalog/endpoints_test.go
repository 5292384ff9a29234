package catalog

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestEndpoints(t *testing.T) {
	c, err := Load("testdata/estate.yml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, svc, env, az string
		first              string
		n                  int
		same               bool
		err                string
	}{
		{"own endpoints, same AZ", "web", "prod", "us-east-1b", "https://web-b.prod.example.com", 2, true, ""},
		{"own endpoints, fallback", "web", "prod", "us-east-1c", "https://web-a.prod.example.com", 2, false, ""},
		{"template per AZ", "api", "prod", "us-east-1c", "https://api-us-east-1c.prod.example.com", 3, true, ""},
		{"template without AZ", "api", "staging", "", "https://api.staging.example.com", 1, false, ""},
		{"template, AZ asked, none tagged", "api", "dev", "us-east-1a", "http://api.dev.internal", 1, false, ""},
		{"unknown service", "nope", "prod", "", "", 0, false, `service "nope" is not in testdata/estate.yml (known: api, billing, web)`},
		{"unknown env", "web", "qa", "", "", 0, false, `environment "qa" (known: dev, staging, prod)`},
		{"service not in env", "billing", "dev", "", "", 0, false, `does not run in "dev"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := c.Endpoints(tt.svc, tt.env, tt.az)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Endpoints[0].URL != tt.first || len(l.Endpoints) != tt.n || l.SameAZ != tt.same {
				t.Errorf("lookup = %+v", l)
			}
		})
	}
}

// InAZ is a filter: only the zone's endpoints, none when it has none (an
// AZ-less endpoint is in no zone).
func TestLookupInAZ(t *testing.T) {
	c, err := Load("testdata/estate.yml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, svc, env, az string
		want               []string
	}{
		{"own endpoints", "web", "prod", "us-east-1b", []string{"https://web-b.prod.example.com"}},
		{"template per AZ", "api", "prod", "us-east-1c", []string{"https://api-us-east-1c.prod.example.com"}},
		{"no endpoint there", "web", "prod", "us-east-1c", nil},
		{"AZ-less endpoints are in no zone", "api", "staging", "us-east-1a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := c.Endpoints(tt.svc, tt.env, tt.az)
			if err != nil {
				t.Fatal(err)
			}
			l = l.InAZ(tt.az)
			var got []string
			for _, e := range l.Endpoints {
				got = append(got, e.URL)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || l.SameAZ != (len(tt.want) > 0) {
				t.Errorf("InAZ(%s) = %v (same_az %v), want %v", tt.az, got, l.SameAZ, tt.want)
			}
		})
	}
}

func TestCatalogChecks(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"port outside range", "port_range: [8000, 8100]\nservices:\n  a: {host_port: 9000}\n", "host_port 9000 is outside port_range 8000-8100"},
		{"bad range", "port_range: [9000, 8000]\n", "port_range [9000 8000]"},
		{"bad template", "environments:\n  prod: {endpoint: 'ftp://{service}'}\n", `endpoint template "ftp://{service}"`},
		{"unknown env default key", "environments:\n  prod: {endpoints: x}\n", "unknown key endpoints"},
		{"unknown registry backend", "registry: r:5000\nregistry_backend: s3\n", `f.yml:2: registry_backend "s3": want auto, distribution or ecr`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// The estate in docs/catalog.md is a valid catalog.
func TestDocsExample(t *testing.T) {
	raw, err := os.ReadFile("../../docs/catalog.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, "## A complete estate")
	j := strings.Index(doc[i:], "```yaml\n")
	k := strings.Index(doc[i+j+8:], "```")
	c, err := Parse("docs/catalog.md", []byte(doc[i+j+8:i+j+8+k]))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Services) != 5 || len(c.Environments) != 3 {
		t.Errorf("docs estate: %d services, %d environments", len(c.Services), len(c.Environments))
	}
}

func TestTargetGroups(t *testing.T) {
	c, err := Parse("f.yml", []byte("environments: [prod]\nservices:\n  web:\n    target_groups: {prod: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := c.Service("web"); s.TargetGroups["prod"] == "" {
		t.Errorf("target groups = %v", s.TargetGroups)
	}
	for _, bad := range []string{
		"environments: [prod]\nservices:\n  web: {target_groups: {qa: 'arn:x'}}\n",
		"services:\n  web: {target_groups: {prod: 'web-tg'}}\n",
	} {
		if _, err := Parse("f.yml", []byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
