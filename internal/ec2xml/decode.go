// Package ec2xml decodes EC2 DescribeInstances responses (the query
// protocol's XML) for the fields dockwright reads, several times faster
// than the SDK's generated deserializer, and plugs that decoder into the
// real SDK client for that one operation (see WithFastDescribeInstances).
//
// Why: with thousands of instances the SDK's deserializer, built on
// encoding/xml, is three quarters of ec2-inventory's CPU, and Ansible waits
// for it on every uncached run. Everything else stays the SDK's: request
// signing, credentials, endpoints, retries, and the decoding of error
// responses (so throttling is still recognised and retried).
//
// What it fills: the fields of types.Reservation and types.Instance that
// internal/inventory copies (TestDecodeMatchesSDK compares the two decoders
// through that copy on a complete response); every other element is
// skipped, so other fields of the output stay nil.
package ec2xml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	smithytime "github.com/aws/smithy-go/time"
	"github.com/orisano/gosax"
)

// Decode reads one DescribeInstances success response.
func Decode(r io.Reader) (*ec2.DescribeInstancesOutput, error) {
	d := &decoder{r: gosax.NewReaderSize(r, 64<<10), intern: make(map[string]string, 256)}
	d.r.EmitSelfClosingTag = true
	out := &ec2.DescribeInstancesOutput{}
	if err := d.document(out); err != nil {
		return nil, err
	}
	return out, nil
}

type decoder struct {
	r      *gosax.Reader
	intern map[string]string // repeated values (types, zones, VPCs, tag keys) share one string
	text   []byte            // the current leaf's text
	lower  []byte            // scratch for lowered
}

// maxIntern bounds the intern table: values past it are allocated as usual.
const maxIntern = 8192

// event reads the next event inside the document: the input ending there,
// as an EOF event or a read error, is io.ErrUnexpectedEOF.
func (d *decoder) event() (gosax.Event, error) {
	ev, err := d.r.Event()
	if errors.Is(err, io.EOF) || err == nil && ev.Type() == gosax.EventEOF {
		return ev, io.ErrUnexpectedEOF
	}
	return ev, err
}

// document finds the root element and decodes its children.
func (d *decoder) document(out *ec2.DescribeInstancesOutput) error {
	for {
		ev, err := d.event()
		if ev.Type() == gosax.EventEOF {
			return nil // no root element: an empty answer, as the SDK reads it
		}
		if err != nil {
			return err
		}
		switch ev.Type() {
		case gosax.EventStart:
			return d.output(out)
		case gosax.EventEnd:
			return errors.New("end tag before the root element")
		}
	}
}

// child moves to the next child element of the element being read and
// returns its local name, valid until the next read; ok is false at the
// element's end tag.
func (d *decoder) child() (name []byte, ok bool, err error) {
	for {
		ev, err := d.event()
		if err != nil {
			return nil, false, err
		}
		switch ev.Type() {
		case gosax.EventStart:
			name, _ := gosax.Name(ev.Bytes)
			return localName(name), true, nil
		case gosax.EventEnd:
			return nil, false, nil
		}
		// Whitespace between elements, comments, processing instructions.
	}
}

// localName drops a namespace prefix, as the SDK compares local names.
func localName(b []byte) []byte {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ':' {
			return b[i+1:]
		}
	}
	return b
}

// skip reads past the rest of the element being read.
func (d *decoder) skip() error {
	depth := 0
	for {
		ev, err := d.event()
		if err != nil {
			return err
		}
		switch ev.Type() {
		case gosax.EventStart:
			depth++
		case gosax.EventEnd:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// leaf reads the text of a leaf element up to its end tag, unescaped. The
// bytes are valid until the next leaf (an event's bytes are only valid
// until the next event, so the text is copied out before the end tag is
// read).
func (d *decoder) leaf() ([]byte, error) {
	d.text = d.text[:0]
	for {
		ev, err := d.event()
		if err != nil {
			return nil, err
		}
		switch ev.Type() {
		case gosax.EventText:
			b, err := gosax.Unescape(ev.Bytes)
			if err != nil {
				return nil, err
			}
			d.text = append(d.text, b...)
		case gosax.EventCData:
			d.text = append(d.text, ev.Bytes[len("<![CDATA["):len(ev.Bytes)-len("]]>")]...)
		case gosax.EventEnd:
			return d.text, nil
		case gosax.EventStart:
			return nil, errors.New("expected a value, found an element")
		}
	}
}

func (d *decoder) str() (*string, error) {
	b, err := d.leaf()
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// common is str for values many instances share; they are interned.
func (d *decoder) common() (string, error) {
	b, err := d.leaf()
	if err != nil {
		return "", err
	}
	if s, ok := d.intern[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	if len(d.intern) < maxIntern {
		d.intern[s] = s
	}
	return s, nil
}

func (d *decoder) commonPtr() (*string, error) {
	s, err := d.common()
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func (d *decoder) boolean() (*bool, error) {
	b, err := d.leaf()
	if err != nil {
		return nil, err
	}
	v, err := strconv.ParseBool(string(b))
	if err != nil {
		return nil, fmt.Errorf("%q is not a boolean", b)
	}
	return &v, nil
}

func (d *decoder) int32() (*int32, error) {
	b, err := d.leaf()
	if err != nil {
		return nil, err
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not an integer", b)
	}
	i := int32(v)
	return &i, nil
}

func (d *decoder) timestamp() (*time.Time, error) {
	b, err := d.leaf()
	if err != nil {
		return nil, err
	}
	t, err := smithytime.ParseDateTime(string(b))
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// items decodes the <item> children of a list element with each; other
// children are skipped, as the SDK does.
func (d *decoder) items(each func() error) error {
	for i := 1; ; {
		name, ok, err := d.child()
		if err != nil || !ok {
			return err
		}
		if !bytes.EqualFold(name, []byte("item")) {
			if err := d.skip(); err != nil {
				return err
			}
			continue
		}
		if err := each(); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		i++
	}
}

// lowered returns name in ASCII lower case, valid until the next call.
func (d *decoder) lowered(name []byte) []byte {
	d.lower = d.lower[:0]
	for _, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		d.lower = append(d.lower, c)
	}
	return d.lower
}
