// Package ec2fake is an HTTP server that speaks enough of EC2's and STS's
// real query/XML wire protocol (DescribeRegions, DescribeInstances with
// filters and NextToken pagination, AssumeRole, throttling and permission
// errors) for the real aws-sdk-go-v2 client to be tested against it through
// AWS_ENDPOINT_URL. It is test infrastructure: it checks no signatures.
//
// The region of a request is read from its SigV4 credential scope and the
// account from its access key: keys "ASIAFAKE<account>" are the ones
// AssumeRole hands out; any other key belongs to Fleet.DefaultAccount.
package ec2fake

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Instance is one fake instance.
type Instance struct {
	ID, Type, AZ, State                        string
	PrivateIP, PublicIP, PrivateDNS, PublicDNS string
	VPC, Subnet, Image, Key, Platform          string
	Tags                                       [][2]string // key, value in order
	SecurityGroups                             [][2]string // id, name
	Launch                                     time.Time
}

// Fleet is what the fake endpoint serves, and the faults it injects.
type Fleet struct {
	DefaultAccount string
	// Instances by account, then region. Every region that appears anywhere
	// is listed by DescribeRegions.
	Instances map[string]map[string][]Instance
	// Throttle makes the first N DescribeInstances calls in a region answer
	// RequestLimitExceeded (HTTP 503).
	Throttle map[string]int
	// Deny makes DescribeInstances in "account/region" answer
	// UnauthorizedOperation (HTTP 403).
	Deny map[string]bool
}

// Server is a running fake endpoint.
type Server struct {
	*httptest.Server
	h *Handler
}

// New starts a fake endpoint on 127.0.0.1.
func New(f *Fleet) *Server {
	h := NewHandler(f)
	return &Server{Server: httptest.NewServer(h), h: h}
}

// Memoize is Handler.Memoize for the server's handler.
func (s *Server) Memoize() { s.h.Memoize() }

// Calls returns how many requests each action received, keyed "Action" and
// "Action region".
func (s *Server) Calls() map[string]int { return s.h.Calls() }

// Requests returns the form of every DescribeInstances request received.
func (s *Server) Requests() []map[string][]string { return s.h.Requests() }

// Handler is the fake endpoint as an http.Handler.
type Handler struct {
	fleet    atomic.Pointer[Fleet]
	mu       sync.Mutex
	calls    map[string]int
	throttle map[string]int
	requests []map[string][]string
	memo     map[string][]byte // DescribeInstances answers by request, when memoized
}

// Memoize makes the handler keep each DescribeInstances answer it renders
// and send the same bytes for the same request again, so a benchmark's
// repeated runs measure the client, not the fake rendering XML on the same
// cores (real EC2 does that work elsewhere). The fleet must not change
// afterwards.
func (h *Handler) Memoize() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.memo = map[string][]byte{}
}

// NewHandler returns the fake endpoint's handler.
func NewHandler(f *Fleet) *Handler {
	th := map[string]int{}
	for k, v := range f.Throttle {
		th[k] = v
	}
	h := &Handler{calls: map[string]int{}, throttle: th}
	h.fleet.Store(f)
	return h
}

// SetFleet serves f from now on (fake-ec2 reloads its fleet file when it
// changes: a new instance joins). Memoized answers are dropped.
func (h *Handler) SetFleet(f *Fleet) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fleet.Store(f)
	if h.memo != nil {
		h.memo = map[string][]byte{}
	}
}

// Instance finds a running instance by id in any account and region.
func (h *Handler) Instance(id string) (Instance, bool) {
	for _, regions := range h.fleet.Load().Instances {
		for _, ins := range regions {
			for _, in := range ins {
				if in.ID == id {
					return in, in.State == "running"
				}
			}
		}
	}
	return Instance{}, false
}

// Calls returns request counts by action and by "action region".
func (h *Handler) Calls() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.calls))
	for k, v := range h.calls {
		out[k] = v
	}
	return out
}

// Requests returns the forms of DescribeInstances requests received.
func (h *Handler) Requests() []map[string][]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string][]string(nil), h.requests...)
}

var scopeRE = regexp.MustCompile(`Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request`)

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		writeError(w, http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		return
	}
	key, region := m[1], m[2]
	account := h.fleet.Load().DefaultAccount
	if a, ok := strings.CutPrefix(key, "ASIAFAKE"); ok {
		account = a
	}
	action := r.Form.Get("Action")
	h.mu.Lock()
	h.calls[action]++
	h.calls[action+" "+region]++
	if action == "DescribeInstances" {
		h.requests = append(h.requests, r.Form)
	}
	throttled := false
	if action == "DescribeInstances" && h.throttle[region] > 0 {
		h.throttle[region]--
		throttled = true
	}
	h.mu.Unlock()
	switch action {
	case "AssumeRole":
		h.assumeRole(w, r)
	case "DescribeRegions":
		h.describeRegions(w)
	case "DescribeInstances":
		if throttled {
			writeError(w, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
			return
		}
		if h.fleet.Load().Deny[account+"/"+region] {
			writeError(w, http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation.")
			return
		}
		h.describeInstances(w, r, account, region)
	default:
		writeError(w, http.StatusBadRequest, "InvalidAction", "The action "+action+" is not valid for this web service.")
	}
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fake-request</RequestID></Response>`, esc(code), esc(msg))
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

var roleAccountRE = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/`)

func (h *Handler) assumeRole(w http.ResponseWriter, r *http.Request) {
	arn := r.Form.Get("RoleArn")
	m := roleAccountRE.FindStringSubmatch(arn)
	if m == nil || h.fleet.Load().Instances[m[1]] == nil {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: %s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, esc(arn))
		return
	}
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAFAKE%s</AccessKeyId><SecretAccessKey>fake-secret</SecretAccessKey><SessionToken>fake-token</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>%s/session</Arn><AssumedRoleId>AROAFAKE:session</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>`, m[1], exp, esc(arn))
}

// Regions lists every region that holds instances in any account.
func (f *Fleet) Regions() []string {
	set := map[string]bool{}
	for _, byRegion := range f.Instances {
		for r := range byRegion {
			set[r] = true
		}
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func (h *Handler) describeRegions(w http.ResponseWriter) {
	var b strings.Builder
	b.WriteString(`<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId><regionInfo>`)
	for _, r := range h.fleet.Load().Regions() {
		fmt.Fprintf(&b, `<item><regionName>%s</regionName><regionEndpoint>ec2.%s.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>`, r, r)
	}
	b.WriteString(`</regionInfo></DescribeRegionsResponse>`)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	_, _ = w.Write([]byte(b.String()))
}

type filter struct {
	name   string
	values []string
}

var filterNameRE = regexp.MustCompile(`^Filter\.(\d+)\.Name$`)

func parseFilters(form map[string][]string) []filter {
	var fs []filter
	for k, v := range form {
		m := filterNameRE.FindStringSubmatch(k)
		if m == nil || len(v) == 0 {
			continue
		}
		f := filter{name: v[0]}
		for i := 1; ; i++ {
			val, ok := form["Filter."+m[1]+".Value."+strconv.Itoa(i)]
			if !ok {
				break
			}
			f.values = append(f.values, val[0])
		}
		fs = append(fs, f)
	}
	return fs
}

// values returns an instance's values for a filter, and whether the fake
// knows the filter. It is written apart from the inventory's own local filter
// evaluation on purpose: sharing it would let one bug pass both sides.
func values(in *Instance, name string) ([]string, bool) {
	switch name {
	case "instance-state-name":
		return []string{in.State}, true
	case "instance-type":
		return []string{in.Type}, true
	case "availability-zone":
		return []string{in.AZ}, true
	case "instance-id":
		return []string{in.ID}, true
	case "vpc-id":
		return []string{in.VPC}, true
	case "subnet-id":
		return []string{in.Subnet}, true
	case "image-id":
		return []string{in.Image}, true
	case "private-ip-address":
		return []string{in.PrivateIP}, true
	case "tag-key":
		var out []string
		for _, t := range in.Tags {
			out = append(out, t[0])
		}
		return out, true
	}
	if k, ok := strings.CutPrefix(name, "tag:"); ok {
		for _, t := range in.Tags {
			if t[0] == k {
				return []string{t[1]}, true
			}
		}
		return nil, true
	}
	return nil, false
}

func matches(in *Instance, fs []filter) bool {
	for _, f := range fs {
		have, _ := values(in, f.name)
		ok := false
		for _, p := range f.values {
			for _, v := range have {
				if m, _ := path.Match(p, v); m {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (h *Handler) describeInstances(w http.ResponseWriter, r *http.Request, account, region string) {
	h.mu.Lock()
	memo := h.memo
	key := account + "/" + region + "?" + r.Form.Encode()
	body, ok := memo[key]
	h.mu.Unlock()
	if !ok {
		body = h.renderInstances(w, r, account, region)
		if body == nil {
			return // an error was written
		}
		if memo != nil {
			h.mu.Lock()
			memo[key] = body
			h.mu.Unlock()
		}
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	_, _ = w.Write(body)
}

// renderInstances renders one DescribeInstances page, or writes an error
// answer and returns nil.
func (h *Handler) renderInstances(w http.ResponseWriter, r *http.Request, account, region string) []byte {
	fs := parseFilters(r.Form)
	for _, f := range fs {
		if _, ok := values(&Instance{}, f.name); !ok {
			writeError(w, http.StatusBadRequest, "InvalidParameterValue", "The filter '"+f.name+"' is invalid")
			return nil
		}
	}
	var match []*Instance
	all := h.fleet.Load().Instances[account][region]
	for i := range all {
		if matches(&all[i], fs) {
			match = append(match, &all[i])
		}
	}
	start := 0
	if tok := r.Form.Get("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(match) {
			writeError(w, http.StatusBadRequest, "InvalidParameterValue", "Invalid NextToken")
			return nil
		}
		start = n
	}
	end := len(match)
	if mr := r.Form.Get("MaxResults"); mr != "" {
		n, err := strconv.Atoi(mr)
		if err != nil || n < 5 || n > 1000 {
			writeError(w, http.StatusBadRequest, "InvalidParameterValue", "Value ("+mr+") for parameter maxResults is invalid. Expecting a value between 5 and 1000.")
			return nil
		}
		end = min(len(match), start+n)
	}
	var b strings.Builder
	b.Grow((end - start) * 2048)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId><reservationSet>`)
	for _, in := range match[start:end] {
		writeReservation(&b, account, in)
	}
	b.WriteString(`</reservationSet>`)
	if end < len(match) {
		fmt.Fprintf(&b, `<nextToken>%d</nextToken>`, end)
	}
	b.WriteString(`</DescribeInstancesResponse>`)
	return []byte(b.String())
}

func el(b *strings.Builder, name, value string) {
	if value == "" {
		return
	}
	b.WriteString("<" + name + ">")
	b.WriteString(esc(value))
	b.WriteString("</" + name + ">")
}

var stateCodes = map[string]string{"pending": "0", "running": "16", "shutting-down": "32", "terminated": "48", "stopping": "64", "stopped": "80"}

func writeReservation(b *strings.Builder, account string, in *Instance) {
	b.WriteString("<item>")
	el(b, "reservationId", "r-"+strings.TrimPrefix(in.ID, "i-"))
	el(b, "ownerId", account)
	b.WriteString("<groupSet/><instancesSet><item>")
	el(b, "instanceId", in.ID)
	el(b, "imageId", in.Image)
	fmt.Fprintf(b, "<instanceState><code>%s</code><name>%s</name></instanceState>", stateCodes[in.State], in.State)
	el(b, "privateDnsName", in.PrivateDNS)
	el(b, "dnsName", in.PublicDNS)
	el(b, "keyName", in.Key)
	b.WriteString("<amiLaunchIndex>0</amiLaunchIndex>")
	el(b, "instanceType", in.Type)
	el(b, "launchTime", in.Launch.UTC().Format("2006-01-02T15:04:05.000Z"))
	b.WriteString("<placement>")
	el(b, "availabilityZone", in.AZ)
	b.WriteString("<tenancy>default</tenancy></placement>")
	el(b, "platform", in.Platform)
	b.WriteString("<monitoring><state>disabled</state></monitoring>")
	el(b, "subnetId", in.Subnet)
	el(b, "vpcId", in.VPC)
	el(b, "privateIpAddress", in.PrivateIP)
	el(b, "ipAddress", in.PublicIP)
	b.WriteString("<sourceDestCheck>true</sourceDestCheck><groupSet>")
	for _, g := range in.SecurityGroups {
		b.WriteString("<item>")
		el(b, "groupId", g[0])
		el(b, "groupName", g[1])
		b.WriteString("</item>")
	}
	b.WriteString("</groupSet><architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>")
	fmt.Fprintf(b, "<blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-%s</volumeId><status>attached</status><attachTime>%s</attachTime><deleteOnTermination>true</deleteOnTermination></ebs></item></blockDeviceMapping>",
		strings.TrimPrefix(in.ID, "i-"), in.Launch.UTC().Format("2006-01-02T15:04:05.000Z"))
	b.WriteString("<virtualizationType>hvm</virtualizationType><tagSet>")
	for _, t := range in.Tags {
		b.WriteString("<item>")
		el(b, "key", t[0])
		b.WriteString("<value>" + esc(t[1]) + "</value></item>")
	}
	b.WriteString("</tagSet><hypervisor>xen</hypervisor>")
	fmt.Fprintf(b, "<networkInterfaceSet><item><networkInterfaceId>eni-%s</networkInterfaceId>", strings.TrimPrefix(in.ID, "i-"))
	el(b, "subnetId", in.Subnet)
	el(b, "vpcId", in.VPC)
	el(b, "privateIpAddress", in.PrivateIP)
	el(b, "privateDnsName", in.PrivateDNS)
	b.WriteString("<status>in-use</status><attachment><deviceIndex>0</deviceIndex><status>attached</status></attachment>")
	if in.PublicIP != "" {
		b.WriteString("<association>")
		el(b, "publicIp", in.PublicIP)
		b.WriteString("</association>")
	}
	b.WriteString("</item></networkInterfaceSet><ebsOptimized>false</ebsOptimized><enaSupport>true</enaSupport>")
	b.WriteString("</item></instancesSet></item>")
}
