package envconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeSSM speaks SSM's awsJson1.1 GetParameters, as the real service does.
type fakeSSM struct {
	mu     sync.Mutex
	params map[string]string
	calls  [][]string
}

func (f *fakeSSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameters" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
		http.Error(w, `{"__type":"UnknownOperationException"}`, http.StatusBadRequest)
		return
	}
	var in struct {
		Names          []string
		WithDecryption bool
	}
	json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	f.calls = append(f.calls, in.Names)
	f.mu.Unlock()
	if len(in.Names) > 10 {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ValidationException","message":"too many names"}`)
		return
	}
	type param struct{ Name, Value, Type string }
	out := struct {
		Parameters        []param
		InvalidParameters []string
	}{Parameters: []param{}, InvalidParameters: []string{}}
	for _, n := range in.Names {
		if v, ok := f.params[n]; ok && in.WithDecryption {
			out.Parameters = append(out.Parameters, param{n, v, "SecureString"})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, n)
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func TestSSMResolverBatches(t *testing.T) {
	fake := &fakeSSM{params: map[string]string{}}
	var refs []Ref
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("/app/key%02d", i)
		fake.params[name] = fmt.Sprintf("v%d", i)
		r, _, _ := ParseRef("ref+awsssm:/" + name)
		refs = append(refs, r)
	}
	missing, _, _ := ParseRef("ref+awsssm://app/missing")
	refs = append(refs, missing)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_SSM": srv.URL, "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "x",
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	s := &SSMResolver{}
	got, err := s.Resolve(context.Background(), refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 25 || got["ref+awsssm://app/key07"] != "v7" {
		t.Fatalf("resolved %d: %v", len(got), got["ref+awsssm://app/key07"])
	}
	if _, ok := got[missing.Raw]; ok {
		t.Error("a missing parameter resolved")
	}
	if len(fake.calls) != 3 || s.Calls != 3 {
		t.Errorf("GetParameters calls = %d (%d counted), want 3 batches of at most 10", len(fake.calls), s.Calls)
	}
}
