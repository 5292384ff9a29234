package inventory

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/dockwright/dockwright/internal/ec2fake"
	"github.com/dockwright/dockwright/internal/ec2xml"
)

// describeBoth asks an endpoint answering body for DescribeInstances with
// the SDK's deserializer and with internal/ec2xml's, through the real client.
func describeBoth(t *testing.T, body []byte) (sdk, fast *ec2.DescribeInstancesOutput) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c := ec2.New(ec2.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	})
	in := &ec2.DescribeInstancesInput{MaxResults: aws.Int32(pageSize)}
	sdk, err := c.DescribeInstances(context.Background(), in)
	if err != nil {
		t.Fatalf("SDK deserializer: %v", err)
	}
	fast, err = c.DescribeInstances(context.Background(), in, ec2xml.WithFastDescribeInstances)
	if err != nil {
		t.Fatalf("ec2xml: %v", err)
	}
	return sdk, fast
}

// TestUnreadableAnswerIsAskedForAgain: a 2xx answer ec2xml cannot read
// (here a directive before the root, which encoding/xml tolerates) is
// requested once more and read by the SDK's deserializer.
func TestUnreadableAnswerIsAskedForAgain(t *testing.T) {
	const body = `<!odd directive><R><reservationSet><item><ownerId>1</ownerId><instancesSet><item><instanceId>i-1</instanceId></item></instancesSet></item></reservationSet></R>`
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "DescribeInstances" {
			t.Errorf("resent request lost its body: %v %v", err, r.Form)
		}
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	c := ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	out, err := c.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}, ec2xml.WithFastDescribeInstances)
	if err != nil {
		t.Fatal(err)
	}
	if _, ins := copied(out); len(ins) != 1 || ins[0].InstanceID != "i-1" || calls.Load() != 2 {
		t.Fatalf("%d calls, instances %+v; want 2 calls and i-1", calls.Load(), ins)
	}
}

// bodyClient answers every request with body, in process.
type bodyClient []byte

func (b bodyClient) Do(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(bytes.NewReader(b)), Request: r,
	}, nil
}

// FuzzDecodeMatchesSDK: whenever both the SDK's deserializer and
// ec2xml.Decode read an answer, the inventory gets the same instances from
// each; and through WithFastDescribeInstances every answer the SDK reads
// is read (Decode is stricter about odd markup encoding/xml tolerates, and
// then hands the body to the SDK). Decode may read answers the SDK
// rejects: it does not check well-formedness.
func FuzzDecodeMatchesSDK(f *testing.F) {
	full, err := os.ReadFile("../ec2xml/testdata/describe-instances.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(`<R><reservationSet><item><ownerId>1</ownerId><instancesSet><item><instanceId>i-1</instanceId><tagSet><item><key>a</key><value>b &amp; c</value></item></tagSet></item></instancesSet></item></reservationSet><nextToken>2</nextToken></R>`))
	f.Add([]byte(`<R><reservationSet><ITEM><instancesSet><Item><InstanceID>i-2</InstanceID><placement><tenancy>x</tenancy></placement><placement><availabilityZone>z</availabilityZone></placement><tagSet><item><key>k</key></item></tagSet><tagSet><item><value>v</value></item></tagSet></Item></instancesSet></ITEM></reservationSet></R>`))
	f.Add([]byte(`<!DOCTYPE x><R><reservationSet><item><instancesSet><item><instanceId>i-3</instanceId></item></instancesSet></item></reservationSet></R>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := ec2.New(ec2.Options{Region: "eu-west-1", Credentials: aws.AnonymousCredentials{}, HTTPClient: bodyClient(body), RetryMaxAttempts: 1})
		in := &ec2.DescribeInstancesInput{}
		sdk, err := c.DescribeInstances(context.Background(), in)
		if err != nil {
			return
		}
		sdkTok, sdkIns := copied(sdk)
		if fast, err := ec2xml.Decode(bytes.NewReader(body)); err == nil {
			fastTok, fastIns := copied(fast)
			if sdkTok != fastTok || !reflect.DeepEqual(sdkIns, fastIns) {
				t.Fatalf("decoded differently:\n fast %q %+v\n  sdk %q %+v", fastTok, fastIns, sdkTok, sdkIns)
			}
		}
		viaOption, err := c.DescribeInstances(context.Background(), in, ec2xml.WithFastDescribeInstances)
		if err != nil {
			t.Fatalf("the SDK reads this answer, WithFastDescribeInstances does not: %v", err)
		}
		optTok, optIns := copied(viaOption)
		if sdkTok != optTok || !reflect.DeepEqual(sdkIns, optIns) {
			t.Fatalf("WithFastDescribeInstances read it differently:\n got %q %+v\n sdk %q %+v", optTok, optIns, sdkTok, sdkIns)
		}
	})
}

// copied is what the inventory keeps of an answer: fromSDK of every
// instance, with detail, and the pagination token.
func copied(out *ec2.DescribeInstancesOutput) (string, []Instance) {
	var ins []Instance
	for ri := range out.Reservations {
		r := &out.Reservations[ri]
		for ii := range r.Instances {
			ins = append(ins, fromSDK(r, &r.Instances[ii], "eu-west-1", true))
		}
	}
	return aws.ToString(out.NextToken), ins
}

// TestDecodeMatchesSDK: for everything the inventory copies, the fast
// decoder gives what the SDK's own deserializer gives, on a complete,
// pretty-printed answer (entities, CDATA, a namespace prefix, skipped
// elements reusing copied names) and on the fake endpoint's compact pages.
func TestDecodeMatchesSDK(t *testing.T) {
	full, err := os.ReadFile("../ec2xml/testdata/describe-instances.xml")
	if err != nil {
		t.Fatal(err)
	}
	fleet := ec2fake.Generate("123456789012", 40, "eu-west-1")
	fakeSrv := ec2fake.New(fleet)
	defer fakeSrv.Close()
	req, _ := http.NewRequest(http.MethodPost, fakeSrv.URL+"/", strings.NewReader("Action=DescribeInstances&Version=2016-11-15&MaxResults=25"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20261126/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	fakePage, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("fake endpoint: %v %s", err, fakePage)
	}

	tests := []struct {
		name      string
		body      []byte
		instances int
		token     string
	}{
		{"complete answer", full, 3, "eyJ2IjoiMiIsImMiOiJleGFtcGxlIn0="},
		{"fake endpoint page", fakePage, 25, "25"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sdk, fast := describeBoth(t, tc.body)
			sdkTok, sdkIns := copied(sdk)
			fastTok, fastIns := copied(fast)
			if len(sdkIns) != tc.instances || sdkTok != tc.token {
				t.Fatalf("SDK decoded %d instances, token %q; the test expects %d, %q", len(sdkIns), sdkTok, tc.instances, tc.token)
			}
			if fastTok != sdkTok {
				t.Errorf("nextToken: fast %q, SDK %q", fastTok, sdkTok)
			}
			if len(fastIns) != len(sdkIns) {
				t.Fatalf("fast decoded %d instances, SDK %d", len(fastIns), len(sdkIns))
			}
			for i := range sdkIns {
				if !reflect.DeepEqual(fastIns[i], sdkIns[i]) {
					t.Errorf("instance %d differs:\n fast %+v\n  sdk %+v", i, fastIns[i], sdkIns[i])
				}
			}
		})
	}
	// The comparison is not vacuous: the fast decoder did run (it skips
	// clientToken, which the SDK fills), and the complete answer's hard
	// cases came out right.
	sdk, fast := describeBoth(t, full)
	if sdk.Reservations[0].Instances[0].ClientToken == nil || fast.Reservations[0].Instances[0].ClientToken != nil {
		t.Fatal("WithFastDescribeInstances did not replace the SDK's deserializer")
	}
	_, ins := copied(fast)
	name, _ := ins[0].Tag("Name")
	raw, _ := ins[0].Tag("Raw")
	checks := []struct {
		what      string
		got, want any
	}{
		{"entity-escaped tag", name, "web-1 <prod> café ☺"},
		{"CDATA tag", raw, "<not markup> & more"},
		{"prefixed tag", ins[1].Tags, []Tag{{"Name", "win-batch"}}},
		{"ENI public IP (not the secondary address's)", ins[0].NetworkInterfaces[0].PublicIP, "54.194.252.215"},
		{"state code (not stateReason's)", ins[0].StateCode, int32(16)},
		{"source/dest check false", *ins[1].SourceDestCheck, false},
		{"reservation owner", ins[2].Account, "210987654321"},
		{"sub-second launch time", ins[2].LaunchTime.Nanosecond(), 123456000},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
}
