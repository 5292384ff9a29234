// Package ssmfake is an AWS SSM Parameter Store endpoint for tests: it
// speaks GetParameters in SSM's real awsJson1.1 protocol, checks the
// request is SigV4-signed, and refuses more than 10 names per call as the
// service does. The real aws-sdk-go-v2 client talks to it through
// AWS_ENDPOINT_URL_SSM.
package ssmfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Server serves Params (name -> value, every one a SecureString).
type Server struct {
	URL string

	srv   *httptest.Server
	mu    sync.Mutex
	param map[string]string
	calls [][]string
}

// Start serves params on 127.0.0.1 until Close.
func Start(params map[string]string) *Server {
	s := &Server{param: params}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Calls returns the names asked for, one slice per GetParameters call.
func (s *Server) Calls() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]string(nil), s.calls...)
}

// Env is the environment the SDK needs to reach the server with static
// test credentials and nothing read from the machine.
func (s *Server) Env() []string {
	return []string{"AWS_ENDPOINT_URL_SSM=" + s.URL, "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=x",
		"AWS_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameters" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
		http.Error(w, `{"__type":"UnknownOperationException"}`, http.StatusBadRequest)
		return
	}
	var in struct {
		Names          []string
		WithDecryption bool
	}
	json.NewDecoder(r.Body).Decode(&in)
	s.mu.Lock()
	s.calls = append(s.calls, in.Names)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
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
		if v, ok := s.param[n]; ok && in.WithDecryption {
			out.Parameters = append(out.Parameters, param{n, v, "SecureString"})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, n)
		}
	}
	json.NewEncoder(w).Encode(out)
}
