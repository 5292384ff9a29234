package health

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML as Jenkins' JUnit plugin reads it: one test case per target,
// classname the service, a <failure> for each failing one.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Tests   int          `xml:"tests,attr"`
	Fails   int          `xml:"failures,attr"`
	Time    string       `xml:"time,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name  string      `xml:"name,attr"`
	Tests int         `xml:"tests,attr"`
	Fails int         `xml:"failures,attr"`
	Errs  int         `xml:"errors,attr"`
	Time  string      `xml:"time,attr"`
	Cases []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one round as JUnit XML.
func WriteJUnit(w io.Writer, env string, targets []Target, results []Result) error {
	byID := map[string]Result{}
	for _, r := range results {
		byID[r.TargetID] = r
	}
	suite := junitSuite{Name: "health-dashboard." + env}
	var total float64
	for _, t := range targets {
		r := byID[t.ID]
		name := t.Kind + " " + t.URL
		if t.AZ != "" {
			name += " (" + t.AZ + ")"
		}
		c := junitCase{Class: "health." + env + "." + t.Service, Name: name, Time: seconds(r.Duration.Seconds())}
		total += r.Duration.Seconds()
		if !r.OK {
			suite.Fails++
			var b strings.Builder
			fmt.Fprintf(&b, "GET %s\n%s\n", t.URL, r.Error)
			if r.Status != 0 {
				fmt.Fprintf(&b, "status %d\n", r.Status)
			}
			if r.Body != "" {
				fmt.Fprintf(&b, "body: %s\n", r.Body)
			}
			c.Failure = &junitFailure{Message: r.Error, Type: "HealthCheckFailed", Text: b.String()}
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests, suite.Time = len(suite.Cases), seconds(total)
	doc := junitSuites{Name: "health-dashboard", Tests: suite.Tests, Fails: suite.Fails, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
