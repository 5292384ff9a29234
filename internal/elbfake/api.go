package elbfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const xmlns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"

// ServeHTTP is the ELBv2 API (query protocol, 2015-12-01).
func (b *Balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	action := r.Form.Get("Action")
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls[action]++
	var body strings.Builder
	var err error
	switch action {
	case "DescribeTargetGroups":
		err = b.describeTargetGroups(&body, r)
	case "DescribeTargetGroupAttributes":
		err = b.describeAttributes(&body, r)
	case "DescribeTags":
		err = b.describeTags(&body, r)
	case "DescribeTargetHealth":
		err = b.describeTargetHealth(&body, r)
	case "RegisterTargets", "DeregisterTargets":
		var g *group
		if g, err = b.group(r.Form.Get("TargetGroupArn"), ""); err == nil {
			ts := targetsArg(r.Form)
			if len(ts) == 0 {
				err = &apiError{http.StatusBadRequest, "ValidationError", "Targets must contain at least one target"}
			} else if action == "RegisterTargets" {
				err = b.register(g, ts)
			} else {
				b.deregister(g, ts)
			}
		}
	default:
		err = &apiError{http.StatusBadRequest, "InvalidAction", "The action " + action + " is not valid for this web service."}
	}
	if err != nil {
		status, code, text := stateErr(err)
		writeError(w, status, code, text)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<%[1]sResponse xmlns="%[2]s"><%[1]sResult>%[3]s</%[1]sResult><ResponseMetadata><RequestId>%[4]d</RequestId></ResponseMetadata></%[1]sResponse>`,
		action, xmlns, body.String(), time.Now().UnixNano())
}

func writeError(w http.ResponseWriter, status int, code, text string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%d</RequestId></ErrorResponse>`,
		xmlns, esc(code), esc(text), time.Now().UnixNano())
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func el(b *strings.Builder, name, value string) {
	fmt.Fprintf(b, "<%s>%s</%s>", name, esc(value), name)
}

func seconds(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	return strconv.Itoa(max(s, 1))
}

func (b *Balancer) describeTargetGroups(out *strings.Builder, r *http.Request) error {
	arns, names := list(r.Form, "TargetGroupArns"), list(r.Form, "Names")
	var groups []*group
	switch {
	case len(arns) > 0:
		for _, a := range arns {
			g, err := b.group(a, "")
			if err != nil {
				return err
			}
			groups = append(groups, g)
		}
	case len(names) > 0:
		for _, n := range names {
			g, err := b.group("", n)
			if err != nil {
				return err
			}
			groups = append(groups, g)
		}
	default:
		groups = b.groups
	}
	out.WriteString("<TargetGroups>")
	for _, g := range groups {
		hc := g.spec.HealthCheck
		out.WriteString("<member>")
		el(out, "TargetGroupArn", g.arn)
		el(out, "TargetGroupName", g.spec.Name)
		el(out, "Protocol", "HTTP")
		el(out, "Port", strconv.Itoa(g.spec.Port))
		el(out, "VpcId", "vpc-fake")
		el(out, "HealthCheckProtocol", "HTTP")
		el(out, "HealthCheckPort", "traffic-port")
		el(out, "HealthCheckEnabled", "true")
		el(out, "HealthCheckIntervalSeconds", seconds(hc.Interval.Duration))
		el(out, "HealthCheckTimeoutSeconds", seconds(hc.Timeout.Duration))
		el(out, "HealthyThresholdCount", strconv.Itoa(hc.HealthyThreshold))
		el(out, "UnhealthyThresholdCount", strconv.Itoa(hc.UnhealthyThreshold))
		el(out, "HealthCheckPath", hc.Path)
		fmt.Fprintf(out, "<Matcher><HttpCode>%d</HttpCode></Matcher>", hc.Matcher)
		fmt.Fprintf(out, "<LoadBalancerArns><member>arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/dockwright-fake/0123456789abcdef</member></LoadBalancerArns>",
			b.cfg.Region, b.cfg.Account)
		el(out, "TargetType", g.spec.TargetType)
		el(out, "ProtocolVersion", "HTTP1")
		el(out, "IpAddressType", "ipv4")
		out.WriteString("</member>")
	}
	out.WriteString("</TargetGroups>")
	return nil
}

func (b *Balancer) describeAttributes(out *strings.Builder, r *http.Request) error {
	g, err := b.group(r.Form.Get("TargetGroupArn"), "")
	if err != nil {
		return err
	}
	out.WriteString("<Attributes>")
	for _, kv := range [][2]string{
		{"deregistration_delay.timeout_seconds", seconds(g.spec.DeregistrationDelay.Duration)},
		{"stickiness.enabled", "false"},
		{"load_balancing.algorithm.type", "round_robin"},
		{"slow_start.duration_seconds", "0"},
	} {
		out.WriteString("<member>")
		el(out, "Key", kv[0])
		el(out, "Value", kv[1])
		out.WriteString("</member>")
	}
	out.WriteString("</Attributes>")
	return nil
}

func (b *Balancer) describeTags(out *strings.Builder, r *http.Request) error {
	out.WriteString("<TagDescriptions>")
	for _, arn := range list(r.Form, "ResourceArns") {
		out.WriteString("<member>")
		el(out, "ResourceArn", arn)
		out.WriteString("<Tags/></member>")
	}
	out.WriteString("</TagDescriptions>")
	return nil
}

func (b *Balancer) describeTargetHealth(out *strings.Builder, r *http.Request) error {
	g, err := b.group(r.Form.Get("TargetGroupArn"), "")
	if err != nil {
		return err
	}
	out.WriteString("<TargetHealthDescriptions>")
	for _, t := range b.health(g, targetsArg(r.Form)) {
		out.WriteString("<member>")
		el(out, "HealthCheckPort", strconv.Itoa(t.Port))
		out.WriteString("<Target>")
		el(out, "Id", t.ID)
		el(out, "Port", strconv.Itoa(t.Port))
		if t.AZ != "" && g.spec.TargetType == "ip" {
			el(out, "AvailabilityZone", t.AZ)
		}
		out.WriteString("</Target><TargetHealth>")
		el(out, "State", t.State)
		if t.Reason != "" {
			el(out, "Reason", t.Reason)
			el(out, "Description", t.Description)
		}
		out.WriteString("</TargetHealth></member>")
	}
	out.WriteString("</TargetHealthDescriptions>")
	return nil
}
