package sessionio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sessionagg/sessionagg"
)

// A Format is the syntax of the input.
type Format uint8

const (
	// CSV is comma-separated values with a header row, as RFC 4180 and
	// encoding/csv have them; a UTF-8 byte order mark is skipped.
	CSV Format = iota
	// JSONL is JSON Lines: one JSON object a line; blank lines are
	// skipped.
	JSONL
)

// String returns "csv" or "jsonl".
func (f Format) String() string {
	if f == JSONL {
		return "jsonl"
	}
	if f == CSV {
		return "csv"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// FormatOf returns the format a file name suggests: JSONL for a name that
// ends in .jsonl or .ndjson, in any letter case, and CSV for any other.
func FormatOf(name string) Format {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".jsonl") || strings.HasSuffix(lower, ".ndjson") {
		return JSONL
	}
	return CSV
}

// Options say how to read the input. The zero Options read CSV whose
// times all carry an offset or are Unix seconds.
type Options struct {
	// Format is the syntax of the input.
	Format Format

	// Location is the zone of local times written without an offset, such
	// as "2026-03-25 11:12:12". Nil makes such times an error wrapping
	// [ErrNoLocation]. See [ParseTime].
	Location *time.Location

	// Columns maps other names of columns (CSV) or keys (JSON Lines) onto
	// the fields, such as {"start_time": "startTime"}. Names on both sides
	// match in any ASCII letter case, with surrounding space trimmed. A
	// name also keeps reading its own field if it has one's name; an entry
	// whose field no reader has is an error, and one whose field another
	// shape has is ignored by the readers that lack it.
	Columns map[string]string

	// Query, if not nil, is the query the sessions are read for. Then
	// [Reader.ReadSession] makes strings only of the labels q uses (those
	// it groups by, the job name when it groups by job id, the queue or
	// fleet id it filters on), and only for sessions q counts (see
	// [sessionagg.Query.Counts]); the other labels, and every label of a
	// session q does not count, are left empty, which q does not see.
	// Reading is then faster, and memory follows q's rows: a session
	// outside q's window makes no string however new its labels are.
	Query *sessionagg.Query

	// KeepRecords makes the Reader keep the bytes of the last record it
	// read, for [Reader.Record].
	KeepRecords bool
}

// The fields the readers know, in sessionagg's spelling: the cloud APIs'
// names of Session, DeviceSession and DesktopSession.
type column uint8

const (
	colStart column = iota
	colEnd
	colCost
	colQueue
	colFleet
	colJob
	colJobName
	colUser
	colUsage
	colLicense
	colInstance
	colFieldDevice
	colRemoteDevice
	colQuality
	colResourceID
	colResourceName
	numCols
)

var colNames = [numCols]string{
	colStart:        "startTime",
	colEnd:          "endTime",
	colCost:         "costInUsd",
	colQueue:        "queueId",
	colFleet:        "fleetId",
	colJob:          "jobId",
	colJobName:      "jobName",
	colUser:         "userId",
	colUsage:        "usageType",
	colLicense:      "licenseProduct",
	colInstance:     "instanceType",
	colFieldDevice:  "fieldDevice",
	colRemoteDevice: "remoteDevice",
	colQuality:      "quality",
	colResourceID:   "resourceId",
	colResourceName: "resourceName",
}

// A shape is the fields of one kind of session.
type shape struct {
	name     string
	cols     []column
	required []column // must have a non-empty value
}

var (
	sessionShape = &shape{"sessions",
		[]column{colStart, colEnd, colCost, colQueue, colFleet, colJob, colJobName, colUser, colUsage, colLicense, colInstance},
		[]column{colStart, colEnd}}
	deviceShape = &shape{"device sessions",
		[]column{colStart, colEnd, colFieldDevice, colRemoteDevice, colQuality},
		[]column{colStart, colEnd, colQuality}}
	desktopShape = &shape{"desktop sessions",
		[]column{colStart, colEnd, colResourceID, colResourceName},
		[]column{colStart, colEnd, colResourceID}}
)

// labelCols are the labels of a Session, and their fields.
var labelCols = [...]struct {
	col   column
	field sessionagg.Field
}{
	{colQueue, sessionagg.QueueID}, {colFleet, sessionagg.FleetID}, {colJob, sessionagg.JobID},
	{colUser, sessionagg.UserID}, {colUsage, sessionagg.UsageType},
	{colLicense, sessionagg.LicenseProduct}, {colInstance, sessionagg.InstanceType},
}

// A Reader reads sessions from CSV or JSON Lines, one record at a time,
// reusing its buffers: a record allocates nothing once its labels have
// been seen. It reads one shape of session, that of the first Read
// method called. A Reader is not safe for concurrent use.
//
// Every error about the input is an *[Error] that names the line on which
// the record starts, and the field and its value where there is one.
// After an error, or io.EOF, every Read returns the same error.
type Reader struct {
	opt   Options
	shape *shape
	err   error // sticky

	src    source
	names  map[string]column // lower-case names of the shape's fields
	values [numCols][]byte

	// Labels: the columns to read, and the strings seen, so that a label
	// seen before makes no new string.
	labels  []column
	filter  column // the queue or fleet filter's column, or numCols
	ids     []string
	jobName bool
	cache   [numCols]map[string]string
	bounded [numCols]bool // cleared when full: the cache need not keep all
	lower   []byte
}

// A source is the syntax of the input: it reads a record's values.
type source interface {
	// next fills values with the next record's values of the known
	// fields (nil for those it lacks), or returns io.EOF at the end.
	next(values *[numCols][]byte) error
	// line returns the line on which the last record starts.
	line() int
	// record returns the last record's bytes, if kept.
	record() []byte
}

// maxCache bounds a cache of label strings that need not be kept: a
// larger one is cleared and starts again.
const maxCache = 1 << 12

// NewReader returns a Reader of r.
func NewReader(r io.Reader, opt Options) *Reader {
	rd := &Reader{opt: opt, filter: numCols}
	if opt.Format == JSONL {
		j := newJSONLScanner(r, rd)
		j.keep = opt.KeepRecords
		rd.src = j
	} else {
		c := newCSVSource(r, rd)
		c.sc.keep = opt.KeepRecords
		rd.src = c
	}
	return rd
}

// Line returns the line on which the last record read starts, counting
// from 1.
func (r *Reader) Line() int { return r.src.line() }

// Record returns the bytes of the last record read, exactly as they came
// in the input, with its line breaks (a CSV record may span lines), or
// nil if the Options did not ask to keep records. The bytes are valid
// until the next read.
func (r *Reader) Record() []byte { return r.src.record() }

// start fixes the shape on the first read, and what to read of it.
func (r *Reader) start(sh *shape) error {
	if r.shape != nil {
		if r.shape != sh {
			return fmt.Errorf("sessionio: a Reader of %s cannot read %s", r.shape.name, sh.name)
		}
		return nil
	}
	r.shape = sh
	r.names = make(map[string]column)
	for _, c := range sh.cols {
		r.names[strings.ToLower(colNames[c])] = c
	}
	for alias, field := range r.opt.Columns {
		c := colOf(strings.ToLower(strings.TrimSpace(field)))
		if c == numCols {
			return &Error{Err: fmt.Errorf("%w: Options.Columns[%q] = %q: no such field; want one of %s",
				ErrSyntax, alias, field, strings.Join(colNames[:], ", "))}
		}
		if !has(sh.cols, c) {
			continue
		}
		r.names[strings.ToLower(strings.TrimSpace(alias))] = c
	}
	if sh != sessionShape {
		for _, c := range sh.cols[2:] {
			if c != colQuality {
				r.labels = append(r.labels, c)
				r.bounded[c] = true
			}
		}
		return nil
	}
	q := r.opt.Query
	if q == nil {
		for _, lc := range labelCols {
			r.labels = append(r.labels, lc.col)
			r.bounded[lc.col] = true
		}
		r.jobName, r.bounded[colJobName] = true, true
		return nil
	}
	for _, f := range q.GroupBy {
		for _, lc := range labelCols {
			if lc.field == f {
				r.labels = append(r.labels, lc.col)
			}
		}
		if f == sessionagg.JobID {
			r.jobName, r.bounded[colJobName] = true, true
		}
	}
	switch {
	case len(q.QueueIDs) > 0:
		r.filter, r.ids = colQueue, q.QueueIDs
	case len(q.FleetIDs) > 0:
		r.filter, r.ids = colFleet, q.FleetIDs
	}
	return nil
}

func has(cols []column, c column) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

// colOf returns the field whose lower-case name is lower, or numCols.
func colOf(lower string) column {
	for c, n := range colNames {
		if strings.ToLower(n) == lower {
			return column(c)
		}
	}
	return numCols
}

// lookup returns the shape's field that the name or key b names, in any
// ASCII letter case and with surrounding space trimmed, or numCols.
func (r *Reader) lookup(b []byte) column {
	b = bytes.TrimSpace(b)
	r.lower = r.lower[:0]
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		r.lower = append(r.lower, c)
	}
	if c, ok := r.names[string(r.lower)]; ok { // no allocation to look up
		return c
	}
	return numCols
}

// read reads the next record of shape sh into r.values, and checks that
// its required fields are there.
func (r *Reader) read(sh *shape) error {
	if r.err != nil {
		return r.err
	}
	if err := r.start(sh); err != nil {
		r.err = err
		return err
	}
	if err := r.src.next(&r.values); err != nil {
		r.err = err
		return err
	}
	for _, c := range sh.required {
		if len(r.values[c]) == 0 {
			return r.fail(c, &reason{"required", ErrMissing})
		}
	}
	return nil
}

// invalid makes the error of the current record from the error of the
// library's Validate, naming the field that the library names.
func (r *Reader) invalid(err error) error {
	c := colEnd
	var fe *sessionagg.FieldError
	if errors.As(err, &fe) {
		for col, name := range colNames {
			if name == fe.Field {
				c = column(col)
				break
			}
		}
	}
	return r.fail(c, err)
}

// fail makes the error of field c of the current record, and keeps it.
func (r *Reader) fail(c column, err error) error {
	var fe *sessionagg.FieldError
	if errors.As(err, &fe) {
		// The library's error names the field and value itself; keep
		// its reason, and the error to match.
		err = &reason{trimPrefix(fe.Err.Error()), fe}
	}
	r.err = &Error{Line: r.src.line(), Field: colNames[c], Value: string(r.values[c]), Err: err}
	return r.err
}

// times parses the record's start and end.
func (r *Reader) times() (start, end time.Time, err error) {
	if start, err = parseTime(r.values[colStart], r.opt.Location); err != nil {
		return start, end, r.fail(colStart, err)
	}
	if end, err = parseTime(r.values[colEnd], r.opt.Location); err != nil {
		return start, end, r.fail(colEnd, err)
	}
	return start, end, nil
}

// label returns the value of column c as a string, the same string for
// the same bytes, or an error if it is not UTF-8.
func (r *Reader) label(c column) (string, error) {
	b := r.values[c]
	if len(b) == 0 {
		return "", nil
	}
	m := r.cache[c]
	if s, ok := m[string(b)]; ok { // no allocation to look up
		return s, nil
	}
	if !utf8.Valid(b) {
		return "", r.fail(c, &reason{"not valid UTF-8", ErrInvalidUTF8})
	}
	if m == nil || r.bounded[c] && len(m) >= maxCache {
		m = make(map[string]string)
		r.cache[c] = m
	}
	s := string(b)
	m[s] = s
	return s, nil
}

// checkUTF8 checks the text fields that are read but not made strings.
// Most text is ASCII: one pass over all the fields finds a byte that is
// not, and only then is UTF-8 checked field by field.
func (r *Reader) checkUTF8(cols []column) error {
	var or byte
	for _, c := range cols {
		for _, b := range r.values[c] {
			or |= b
		}
	}
	if or < utf8.RuneSelf {
		return nil
	}
	for _, c := range cols {
		if b := r.values[c]; len(b) > 0 && !utf8.Valid(b) {
			return r.fail(c, &reason{"not valid UTF-8", ErrInvalidUTF8})
		}
	}
	return nil
}

// ReadSession reads the next record into s, or returns io.EOF at the end
// of the input. The fields are startTime and endTime (required; see
// [ParseTime]), costInUsd (a plain decimal number, such as 1.25 or 2e-3;
// empty or missing is 0) and the labels queueId, fleetId, jobId, jobName,
// userId, usageType, licenseProduct and instanceType (UTF-8 text; missing
// is empty). Other columns or keys are ignored. A session that
// [sessionagg.Session.Validate] rejects is an error naming its field.
func (r *Reader) ReadSession(s *sessionagg.Session) error {
	if err := r.read(sessionShape); err != nil {
		return err
	}
	var err error
	if s.Start, s.End, err = r.times(); err != nil {
		return err
	}
	if s.CostInUSD, err = parseCost(r.values[colCost]); err != nil {
		return r.fail(colCost, err)
	}
	if err := s.Validate(); err != nil {
		return r.invalid(err)
	}
	*s = sessionagg.Session{Start: s.Start, End: s.End, CostInUSD: s.CostInUSD}
	if q := r.opt.Query; q != nil {
		if err := r.checkUTF8(textCols); err != nil {
			return err
		}
		if r.filter != numCols {
			// The id the record names, if it is one of q's: a string
			// that q has, so the record makes none.
			for _, id := range r.ids {
				if string(r.values[r.filter]) == id {
					s.SetLabel(fieldOf(r.filter), id)
				}
			}
		}
		if !q.Counts(s) {
			return nil
		}
	}
	for _, c := range r.labels {
		v, err := r.label(c)
		if err != nil {
			return err
		}
		s.SetLabel(fieldOf(c), v)
	}
	if r.jobName {
		if s.JobName, err = r.label(colJobName); err != nil {
			return err
		}
	}
	return nil
}

// textCols are the text fields of a Session.
var textCols = sessionShape.cols[3:]

// fieldOf returns the group-by field of a label's column, or 0.
func fieldOf(c column) sessionagg.Field { return fieldOfCol[c] }

var fieldOfCol = func() (f [numCols]sessionagg.Field) {
	for _, lc := range labelCols {
		f[lc.col] = lc.field
	}
	return f
}()

// ReadDeviceSession reads the next record into s, or returns io.EOF at the
// end of the input. The fields are startTime and endTime (required; see
// [ParseTime]), quality (good, normal or bad, in any letter case;
// required), and the text fieldDevice and remoteDevice (missing is empty).
// Other columns or keys are ignored.
func (r *Reader) ReadDeviceSession(s *sessionagg.DeviceSession) error {
	if err := r.read(deviceShape); err != nil {
		return err
	}
	var err error
	if s.Start, s.End, err = r.times(); err != nil {
		return err
	}
	if err := s.Quality.UnmarshalText(r.values[colQuality]); err != nil {
		return r.fail(colQuality, err)
	}
	if s.FieldDevice, err = r.label(colFieldDevice); err != nil {
		return err
	}
	if s.RemoteDevice, err = r.label(colRemoteDevice); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return r.invalid(err)
	}
	return nil
}

// ReadDesktopSession reads the next record into s, or returns io.EOF at
// the end of the input. The fields are startTime and endTime (required;
// see [ParseTime]), resourceId (required) and resourceName (missing is
// empty). Other columns or keys are ignored.
func (r *Reader) ReadDesktopSession(s *sessionagg.DesktopSession) error {
	if err := r.read(desktopShape); err != nil {
		return err
	}
	var err error
	if s.Start, s.End, err = r.times(); err != nil {
		return err
	}
	if s.ResourceID, err = r.label(colResourceID); err != nil {
		return err
	}
	if s.ResourceName, err = r.label(colResourceName); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return r.invalid(err)
	}
	return nil
}

// Sessions returns the sessions of r, as [Reader.ReadSession] reads them,
// each with a nil error. A bad record ends the sequence with its error, as
// the second value of a last pair; the end of the input ends it without
// one.
func Sessions(r io.Reader, opt Options) iter.Seq2[sessionagg.Session, error] {
	return seq(r, opt, (*Reader).ReadSession)
}

// DeviceSessions returns the TRRO sessions of r, as
// [Reader.ReadDeviceSession] reads them, ending as [Sessions] does.
func DeviceSessions(r io.Reader, opt Options) iter.Seq2[sessionagg.DeviceSession, error] {
	return seq(r, opt, (*Reader).ReadDeviceSession)
}

// DesktopSessions returns the desktop sessions of r, as
// [Reader.ReadDesktopSession] reads them, ending as [Sessions] does.
func DesktopSessions(r io.Reader, opt Options) iter.Seq2[sessionagg.DesktopSession, error] {
	return seq(r, opt, (*Reader).ReadDesktopSession)
}

func seq[S any](r io.Reader, opt Options, read func(*Reader, *S) error) iter.Seq2[S, error] {
	return func(yield func(S, error) bool) {
		rd := NewReader(r, opt)
		for {
			var s S
			err := read(rd, &s)
			if err == io.EOF {
				return
			}
			if !yield(s, err) || err != nil {
				return
			}
		}
	}
}
