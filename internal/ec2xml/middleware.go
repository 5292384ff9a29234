package ec2xml

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// deserializerID is the ID the SDK gives every operation's deserializer.
const deserializerID = "OperationDeserializer"

// WithFastDescribeInstances is an option for ec2.Client.DescribeInstances
// that decodes success responses with Decode. Everything else about the
// call is the SDK's: responses that are not 2xx, and transport failures,
// go to the SDK's own deserializer, so its error codes (and the retries
// they trigger) are unchanged; so does a 2xx body Decode cannot read,
// asked for once more.
func WithFastDescribeInstances(o *ec2.Options) {
	o.APIOptions = append(o.APIOptions, swapDeserializer)
}

func swapDeserializer(stack *middleware.Stack) error {
	sdk, ok := stack.Deserialize.Get(deserializerID)
	if !ok {
		return fmt.Errorf("ec2xml: the SDK's DescribeInstances stack has no %s", deserializerID)
	}
	_, err := stack.Deserialize.Swap(deserializerID, &deserializer{sdk: sdk})
	return err
}

type deserializer struct {
	sdk middleware.DeserializeMiddleware
}

func (*deserializer) ID() string { return deserializerID }

func (m *deserializer) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	out, md, err := next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if err != nil || !ok || resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return m.sdk.HandleDeserialize(ctx, in, replay{out, md, err})
	}
	res, derr := Decode(resp.Body)
	_, _ = io.Copy(io.Discard, resp.Body) // lets the connection be reused
	_ = resp.Body.Close()
	if derr != nil {
		// Not an answer this decoder reads (it is written for EC2's own
		// XML and is stricter about odd markup than encoding/xml), or the
		// body broke off: send the request once more and let the SDK's
		// deserializer decide. Streaming instead of holding each page in
		// memory keeps the peak RSS of a large fetch down.
		req, ok := in.Request.(*smithyhttp.Request)
		if !ok {
			return out, md, &smithy.DeserializationError{Err: fmt.Errorf("failed to decode DescribeInstances response body, %w", derr)}
		}
		if err := req.RewindStream(); err != nil {
			return out, md, &smithy.DeserializationError{Err: fmt.Errorf("failed to decode DescribeInstances response body (%w), and cannot resend: %v", derr, err)}
		}
		middleware.GetLogger(ctx).Logf(logging.Debug, "ec2xml: %v; asking again for the SDK's deserializer", derr)
		return m.sdk.HandleDeserialize(ctx, in, next)
	}
	out.Result = res
	return out, md, nil
}

// replay hands the SDK's deserializer a response already received.
type replay struct {
	out middleware.DeserializeOutput
	md  middleware.Metadata
	err error
}

func (r replay) HandleDeserialize(context.Context, middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
	return r.out, r.md, r.err
}
