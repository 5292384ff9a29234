package registry

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

func TestScopeRepositories(t *testing.T) {
	resolve := func(s string) (name.Repository, error) {
		if s == "bad" {
			return name.Repository{}, errors.New("bad name")
		}
		return name.NewRepository("reg.example:5000/" + s)
	}
	tests := []struct {
		name    string
		scope   Scope
		want    []string
		wantErr string
	}{
		{"repos in order, each once", Scope{Repos: []string{"b", "a", "b"}, Services: []string{"ignored"}}, []string{"reg.example:5000/b", "reg.example:5000/a"}, ""},
		{"services when no repos", Scope{Services: []string{"web", "api"}}, []string{"reg.example:5000/web", "reg.example:5000/api"}, ""},
		{"a name resolve refuses stops the run", Scope{Repos: []string{"a", "bad"}}, nil, "bad name"},
		{"nothing named, nothing resolved", Scope{}, nil, ""},
	}
	c := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repos, err := c.Repositories(context.Background(), tt.scope, resolve)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range repos {
				got = append(got, r.Name())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
