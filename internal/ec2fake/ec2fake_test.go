package ec2fake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func describe(t *testing.T, h http.Handler, form string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20261126/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

// TestMemoize: a memoized handler answers a repeated request with the
// same page, other requests with their own, and still throttles first.
func TestMemoize(t *testing.T) {
	f := Generate("123456789012", 30, "us-east-1")
	f.Throttle = map[string]int{"us-east-1": 1}
	h := NewHandler(f)
	h.Memoize()
	const page1 = "Action=DescribeInstances&MaxResults=10"
	if code, _ := describe(t, h, page1); code != http.StatusServiceUnavailable {
		t.Fatalf("first call answered %d, want the throttling 503", code)
	}
	_, a := describe(t, h, page1)
	_, b := describe(t, h, page1)
	_, c := describe(t, h, page1+"&NextToken=10")
	if a != b || !strings.Contains(a, "<nextToken>10</nextToken>") {
		t.Fatalf("repeated page differs or is wrong:\n%.200s\n%.200s", a, b)
	}
	if c == a || !strings.Contains(c, "<nextToken>20</nextToken>") {
		t.Fatalf("second page: %.200s", c)
	}
	if n := h.Calls()["DescribeInstances"]; n != 4 {
		t.Fatalf("%d calls counted, want 4", n)
	}
}

// docs/ec2-inventory.md's -fleet example is what LoadFleet reads, and a
// misspelt key is an error naming the file.
func TestDocumentedFleetFile(t *testing.T) {
	doc, err := os.ReadFile("../../docs/ec2-inventory.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "```yaml\n# fleet.yml")
	if !ok {
		t.Fatal("docs/ec2-inventory.md has no fleet.yml example")
	}
	block, _, _ = strings.Cut(block, "```")
	dir := t.TempDir()
	path := filepath.Join(dir, "fleet.yml")
	os.WriteFile(path, []byte("# fleet.yml"+block), 0o644)
	f, err := LoadFleet(path)
	if err != nil {
		t.Fatal(err)
	}
	ins := f.Instances["123456789012"]["us-east-1"]
	if len(ins) != 1 || ins[0].ID != "i-0web0a" || ins[0].State != "running" || ins[0].Type != "t3.micro" || ins[0].PrivateIP != "10.0.0.11" {
		t.Errorf("instances = %+v", ins)
	}
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("instances:\n  - {id: i-1, privat_ip: 10.0.0.1}\n"), 0o644)
	if _, err := LoadFleet(bad); err == nil || !strings.Contains(err.Error(), "bad.yml") || !strings.Contains(err.Error(), "privat_ip") {
		t.Errorf("misspelt key: err = %v", err)
	}
}
