package ec2xml

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Equality with the SDK's own deserializer, through what the inventory
// copies, is tested in internal/inventory (TestDecodeMatchesSDK).

func TestDecodeIsIndependentOfReadSizes(t *testing.T) {
	full, err := os.ReadFile("testdata/describe-instances.xml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Decode(bytes.NewReader(full))
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Reservations) != 2 || aws.ToString(want.Reservations[0].Instances[0].InstanceId) != "i-1234567890abcdef0" {
		t.Fatalf("decoded %+v", want)
	}
	// Every byte boundary falls inside a name, a value, an entity and a
	// CDATA section somewhere: an event's bytes must not be used after the
	// reader has moved its buffer.
	readers := map[string]func() io.Reader{
		"one byte at a time": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(full)) },
		"half reads":         func() io.Reader { return iotest.HalfReader(bytes.NewReader(full)) },
		"7-byte chunks":      func() io.Reader { return &chunked{b: full, n: 7} },
		"1000-byte chunks":   func() io.Reader { return &chunked{b: full, n: 1000} },
	}
	for name, r := range readers {
		t.Run(name, func(t *testing.T) {
			got, err := Decode(r())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded differently:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

type chunked struct {
	b []byte
	n int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[n:]
	return n, nil
}

func TestDecodeErrors(t *testing.T) {
	const head = `<DescribeInstancesResponse><reservationSet><item><instancesSet><item>`
	const tail = `</item></instancesSet></item></reservationSet></DescribeInstancesResponse>`
	tests := []struct {
		name, body, want string
	}{
		{"truncated in a value", head + `<instanceId>i-1`, "reservationSet: item 1: instancesSet: item 1: instanceId: unexpected EOF"},
		{"truncated in a tag", head + `<instanceId`, "unexpected EOF"},
		{"truncated after an element", head + `<instanceId>i-1</instanceId>`, "unexpected EOF"},
		{"not a boolean", head + `<ebsOptimized>yes</ebsOptimized>` + tail, `ebsOptimized: "yes" is not a boolean`},
		{"empty boolean", head + `<enaSupport/>` + tail, `enaSupport: "" is not a boolean`},
		{"not an integer", head + `<instanceState><code>x</code></instanceState>` + tail, `instanceState: code: "x" is not an integer`},
		{"not a time", head + `<launchTime>yesterday</launchTime>` + tail, `launchTime: `},
		{"element where a value belongs", head + `<instanceId><x/></instanceId>` + tail, `instanceId: expected a value, found an element`},
		{"bad entity", head + `<keyName>a &bogus; b</keyName>` + tail, `keyName: invalid escape sequence`},
		{"error names the item", `<R><reservationSet><item/><item><instancesSet><item/><item><amiLaunchIndex>one</amiLaunchIndex></item></instancesSet></item></reservationSet></R>`,
			`reservationSet: item 2: instancesSet: item 2: amiLaunchIndex: "one" is not an integer`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestDecodePassesReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := Decode(io.MultiReader(strings.NewReader(`<R><reservationSet><item>`), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want the reader's", err)
	}
}

func TestDecodeEmptyAnswers(t *testing.T) {
	for name, body := range map[string]string{
		"no reservations": `<?xml version="1.0"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>x</requestId>
  <reservationSet/>
</DescribeInstancesResponse>`,
		"no body (the SDK reads it as an empty answer)": ``,
		"no root element": `<?xml version="1.0"?> <!-- nothing -->`,
	} {
		out, err := Decode(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(out.Reservations) != 0 || out.NextToken != nil {
			t.Fatalf("%s: got %+v", name, out)
		}
	}
}
