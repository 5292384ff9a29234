package awsssm

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dockwright/dockwright/internal/envconfig"
	"github.com/dockwright/dockwright/internal/ssmfake"
)

func TestResolverBatches(t *testing.T) {
	params := map[string]string{}
	var refs []envconfig.Ref
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("/app/key%02d", i)
		params[name] = fmt.Sprintf("v%d", i)
		r, _, _ := envconfig.ParseRef("ref+awsssm:/" + name)
		refs = append(refs, r)
	}
	missing, _, _ := envconfig.ParseRef("ref+awsssm://app/missing")
	refs = append(refs, missing)
	srv := ssmfake.Start(params)
	defer srv.Close()
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	s := &Resolver{}
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
	if calls := srv.Calls(); len(calls) != 3 || s.Calls != 3 {
		t.Errorf("GetParameters calls = %d (%d counted), want 3 batches of at most 10", len(calls), s.Calls)
	}
}
