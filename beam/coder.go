package sessionbeam

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sessionagg/sessionagg"
)

// ErrInvalidData is wrapped by the errors of the decoders of Session,
// Partial and Rows: data that is truncated, corrupted or of another
// version.
var ErrInvalidData = errors.New("sessionbeam: invalid binary data")

// The binary form of a Session, version 1. Integers are varints
// (encoding/binary), the cost 8 bytes little-endian IEEE 754:
//
//	version    1 byte, 1
//	start      varint Unix seconds, uvarint nanoseconds
//	end        varint Unix seconds, uvarint nanoseconds
//	cost       8 bytes
//	labels     1 byte, bit i set if label i is not empty, in the order
//	           queueId, fleetId, jobId, jobName, userId, usageType,
//	           licenseProduct, instanceType
//	           then each label that is set: uvarint length, bytes
//
// A session of one day with a queue and a user id of ten bytes each takes
// 43 bytes. Times decode in UTC: a Session's instants matter, not their
// zone.
const sessionVersion = 1

// EncodeSession returns the binary form of s. It is the registered Beam
// coder of sessionagg.Session.
func EncodeSession(s sessionagg.Session) []byte {
	return appendSession(make([]byte, 0, 64), &s)
}

func appendSession(b []byte, s *sessionagg.Session) []byte {
	b = append(b, sessionVersion)
	b = appendTime(b, s.Start)
	b = appendTime(b, s.End)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.CostInUSD))
	labels := sessionLabels(s)
	var set byte
	for i, l := range labels {
		if *l != "" {
			set |= 1 << i
		}
	}
	b = append(b, set)
	for _, l := range labels {
		if *l != "" {
			b = appendString(b, *l)
		}
	}
	return b
}

// DecodeSession returns the session that EncodeSession encoded in data.
// Data that is not exactly one encoded session is an error wrapping
// ErrInvalidData.
func DecodeSession(data []byte) (sessionagg.Session, error) {
	d := decoder{data: data}
	s := d.session()
	if err := d.finish("Session"); err != nil {
		return sessionagg.Session{}, err
	}
	return s, nil
}

func (d *decoder) session() sessionagg.Session {
	var s sessionagg.Session
	if v := d.byte(); v != sessionVersion && d.err == nil {
		d.err = fmt.Errorf("%w: Session version %d, want %d", ErrInvalidData, v, sessionVersion)
	}
	s.Start = d.time()
	s.End = d.time()
	s.CostInUSD = math.Float64frombits(d.uint64())
	set := d.byte()
	for i, l := range sessionLabels(&s) {
		if set&(1<<i) != 0 {
			*l = d.string()
		}
	}
	return s
}

// sessionLabels returns pointers to s's labels in the order of the binary
// form.
func sessionLabels(s *sessionagg.Session) [8]*string {
	return [8]*string{&s.QueueID, &s.FleetID, &s.JobID, &s.JobName, &s.UserID, &s.UsageType, &s.LicenseProduct, &s.InstanceType}
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// A decoder reads a binary form and remembers its first error.
type decoder struct {
	data []byte
	err  error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or corrupt %s", ErrInvalidData, what)
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.data) < 1 {
		d.fail("byte")
		return 0
	}
	c := d.data[0]
	d.data = d.data[1:]
	return c
}

func (d *decoder) uint64() uint64 {
	if d.err != nil || len(d.data) < 8 {
		d.fail("float")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.data)
	d.data = d.data[8:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.data)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.fail("uvarint")
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		d.fail("nanoseconds")
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.data)) {
		d.fail("length")
		return nil
	}
	b := d.data[:n:n]
	d.data = d.data[n:]
	return b
}

func (d *decoder) string() string { return string(d.bytes()) }

// finish returns d's error, or an error if data is left over.
func (d *decoder) finish(what string) error {
	if d.err == nil && len(d.data) > 0 {
		d.err = fmt.Errorf("%w: %d bytes after the %s", ErrInvalidData, len(d.data), what)
	}
	return d.err
}

// A window is the part of the query's window that a Partial aggregates:
// all of it (Set false), or, in AggregateSharded, one bucket of it.
type window struct {
	Set        bool
	Start, End time.Time
}

func appendWindow(b []byte, w window) []byte {
	if !w.Set {
		return append(b, 0)
	}
	b = append(b, 1)
	b = appendTime(b, w.Start)
	return appendTime(b, w.End)
}

func (d *decoder) window() window {
	switch d.byte() {
	case 0:
		return window{}
	case 1:
		start, end := d.time(), d.time()
		return window{Set: true, Start: start, End: end}
	}
	d.fail("window")
	return window{}
}
