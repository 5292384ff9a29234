// Package ecrapi calls the Amazon ECR API through aws-sdk-go-v2 on behalf
// of image-tagger and registry-pruner. It runs in the dockwright-plugin-host
// helper (`dockwright-plugin-host ecr`), so those binaries link no AWS SDK
// and keep their start-up: the SDK's default credential chain and ECR
// client cost ~1.5 ms of package initialisation, paid here only by runs
// that use ECR.
//
// The protocol is JSON lines (pluginexec.ECRRequest in, pluginexec.
// ECRResponse out), answered concurrently and matched by id. An input is
// ECR's own request JSON (camelCase, as the wire has it), decoded into the
// SDK's input struct; an output is the SDK's output struct as JSON.
package ecrapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go"

	"github.com/dockwright/dockwright/internal/awslog"
	"github.com/dockwright/dockwright/internal/pluginexec"
)

// Server answers ECR requests with one SDK client per region.
type Server struct {
	// Attempts is the SDK's attempts per call (retries on throttling, 5xx
	// and network errors); 0 is the SDK's default.
	Attempts int
	// Timeout bounds each call, its retries included (0: none).
	Timeout time.Duration
	Log     *slog.Logger

	mu      sync.Mutex
	clients map[string]*ecr.Client
}

type attemptsKey struct{}

// countingDoer counts the HTTP attempts of the call its request's context
// belongs to.
type countingDoer struct{ next aws.HTTPClient }

func (d countingDoer) Do(req *http.Request) (*http.Response, error) {
	if n, ok := req.Context().Value(attemptsKey{}).(*atomic.Int32); ok {
		n.Add(1)
	}
	return d.next.Do(req)
}

func (s *Server) client(ctx context.Context, region string) (*ecr.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[region]; ok {
		return c, nil
	}
	opts := []func(*config.LoadOptions) error{config.WithLogger(awslog.Logger(s.Log))}
	if s.Attempts > 0 {
		opts = append(opts, config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = s.Attempts })
		}))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION (or a profile's region)")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = awshttp.NewBuildableClient()
	}
	cfg.HTTPClient = countingDoer{cfg.HTTPClient}
	c := ecr.NewFromConfig(cfg)
	if s.clients == nil {
		s.clients = map[string]*ecr.Client{}
	}
	s.clients[region] = c
	return c, nil
}

// Serve answers requests from r on w until r ends or ctx is done.
func (s *Server) Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	var wmu sync.Mutex
	enc := json.NewEncoder(w)
	var wg sync.WaitGroup
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		var req pluginexec.ECRRequest
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			return fmt.Errorf("request: want one JSON object per line: %v", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := s.answer(ctx, req)
			wmu.Lock()
			defer wmu.Unlock()
			enc.Encode(resp)
		}()
	}
	wg.Wait()
	return sc.Err()
}

func (s *Server) answer(ctx context.Context, req pluginexec.ECRRequest) pluginexec.ECRResponse {
	resp := pluginexec.ECRResponse{ID: req.ID}
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	var n atomic.Int32
	out, err := s.call(context.WithValue(ctx, attemptsKey{}, &n), req)
	resp.Attempts = int(n.Load())
	if err != nil {
		resp.Error = errorOf(err)
		return resp
	}
	raw, err := json.Marshal(out)
	if err != nil {
		resp.Error = &pluginexec.ECRError{Message: err.Error()}
		return resp
	}
	resp.Output = raw
	return resp
}

func errorOf(err error) *pluginexec.ECRError {
	e := &pluginexec.ECRError{Message: err.Error()}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code, e.Message = ae.ErrorCode(), ae.ErrorMessage()
		return e
	}
	var nerr net.Error
	var operr *net.OpError
	e.Unreachable = errors.As(err, &operr) || errors.As(err, &nerr)
	e.Canceled = errors.Is(err, context.Canceled)
	if errors.Is(err, context.DeadlineExceeded) {
		e.Message = "timed out (--timeout): " + e.Message
	}
	return e
}

// handler runs one operation on a client with ECR's request JSON.
type handler func(ctx context.Context, c *ecr.Client, input json.RawMessage) (any, error)

// op makes the handler of an SDK operation: the input decoded into its
// input type (encoding/json matches ECR's camelCase names to its fields).
func op[In, Out any](f func(*ecr.Client, context.Context, *In, ...func(*ecr.Options)) (*Out, error)) handler {
	return func(ctx context.Context, c *ecr.Client, input json.RawMessage) (any, error) {
		var in In
		if len(input) > 0 {
			if err := json.Unmarshal(input, &in); err != nil {
				return nil, err
			}
		}
		return f(c, ctx, &in)
	}
}

// ops are the operations dockwright uses.
var ops = map[string]handler{
	"DescribeRepositories":  op((*ecr.Client).DescribeRepositories),
	"DescribeImages":        op((*ecr.Client).DescribeImages),
	"BatchGetImage":         op((*ecr.Client).BatchGetImage),
	"PutImage":              op((*ecr.Client).PutImage),
	"BatchDeleteImage":      op((*ecr.Client).BatchDeleteImage),
	"GetAuthorizationToken": op((*ecr.Client).GetAuthorizationToken),
}

// call runs one operation.
func (s *Server) call(ctx context.Context, req pluginexec.ECRRequest) (any, error) {
	h, ok := ops[req.Op]
	if !ok {
		return nil, fmt.Errorf("operation %q is not one dockwright uses", req.Op)
	}
	c, err := s.client(ctx, req.Region)
	if err != nil {
		return nil, err
	}
	out, err := h(ctx, c, req.Input)
	var se *json.UnmarshalTypeError
	var sx *json.SyntaxError
	if errors.As(err, &se) || errors.As(err, &sx) {
		return nil, fmt.Errorf("%s input: %v", req.Op, err)
	}
	return out, err
}
