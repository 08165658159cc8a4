package main

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/sessionagg/sessionagg"
)

// The columns of the input, in the cloud API's spelling. Other columns, or
// keys of JSON Lines, are ignored.
const (
	colStart = iota
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
	numCols
)

var colNames = [numCols]string{
	colStart:    "startTime",
	colEnd:      "endTime",
	colCost:     "costInUsd",
	colQueue:    "queueId",
	colFleet:    "fleetId",
	colJob:      "jobId",
	colJobName:  "jobName",
	colUser:     "userId",
	colUsage:    "usageType",
	colLicense:  "licenseProduct",
	colInstance: "instanceType",
}

// colOf returns the column named name, or -1.
func colOf(name []byte) int {
	for i, n := range colNames {
		if string(name) == n {
			return i
		}
	}
	return -1
}

// fieldCol is the column of each group-by field.
var fieldCol = [...]int{
	sessionagg.QueueID:        colQueue,
	sessionagg.FleetID:        colFleet,
	sessionagg.JobID:          colJob,
	sessionagg.UserID:         colUser,
	sessionagg.UsageType:      colUsage,
	sessionagg.InstanceType:   colInstance,
	sessionagg.LicenseProduct: colLicense,
}

// A source reads sessions from the input, one record at a time.
type source interface {
	// next decodes the next record into s. It returns false at the end of
	// the input. Its errors are *inputError or *syntaxError values, or
	// errors of the underlying reader.
	next(s *sessionagg.Session) (bool, error)
	// line returns the line on which the last record starts.
	line() int
	// raw returns the text of column col in the last record, for error
	// messages.
	raw(col int) []byte
}

// An inputError is a bad value in a record.
type inputError struct {
	line  int
	field string // a column's name
	value string
	msg   string
}

func (e *inputError) Error() string {
	return "line " + strconv.Itoa(e.line) + ": " + e.field + " " + quoteValue(e.value) + ": " + e.msg
}

// quoteValue quotes v for an error message, cut short if it is long.
func quoteValue(v string) string {
	const max = 64
	if len(v) > max {
		return strconv.Quote(v[:max]) + "..."
	}
	return strconv.Quote(v)
}

// A converter turns the raw values of a record's columns into a Session.
// It sets only what the query uses: the times, the cost, the group-by
// labels, the queue or fleet id it filters on, and the job name when rows
// are grouped by job. Labels are interned, so that a record makes no new
// string unless it brings a label value not seen before; the interned
// values are those of the aggregation's groups, so memory grows with the
// rows, not with the sessions.
type converter struct {
	labels  []int // columns of the group-by labels
	jobName bool  // set the job name
	filter  int   // column of the queue or fleet filter, or -1
	ids     []string
	intern  [numCols]map[string]string
	names   map[string]string // job names: a cache cleared when it grows large
}

// maxNames bounds the job names kept for interning: a job's name is kept by
// the aggregation only if it is the smallest of its row's, so unlike the
// group labels they need not all be kept.
const maxNames = 1 << 16

func newConverter(q *sessionagg.Query) *converter {
	cv := &converter{filter: -1}
	for _, f := range q.GroupBy {
		c := fieldCol[f]
		cv.labels = append(cv.labels, c)
		cv.intern[c] = make(map[string]string)
		if f == sessionagg.JobID {
			cv.jobName = true
			cv.names = make(map[string]string)
		}
	}
	switch {
	case len(q.QueueIDs) > 0:
		cv.filter, cv.ids = colQueue, q.QueueIDs
	case len(q.FleetIDs) > 0:
		cv.filter, cv.ids = colFleet, q.FleetIDs
	}
	return cv
}

// session fills s from the raw values v of a record that starts on line.
func (cv *converter) session(s *sessionagg.Session, v *[numCols][]byte, line int) error {
	var why string
	if s.Start, why = parseTime(v[colStart]); why != "" {
		return &inputError{line, colNames[colStart], string(v[colStart]), why}
	}
	if s.End, why = parseTime(v[colEnd]); why != "" {
		return &inputError{line, colNames[colEnd], string(v[colEnd]), why}
	}
	if s.CostInUSD, why = parseCost(v[colCost]); why != "" {
		return &inputError{line, colNames[colCost], string(v[colCost]), why}
	}
	s.QueueID, s.FleetID, s.JobID, s.JobName = "", "", "", ""
	s.UserID, s.UsageType, s.LicenseProduct, s.InstanceType = "", "", "", ""
	if cv.filter >= 0 {
		id := cv.match(v[cv.filter])
		if id == "" {
			// Add skips the session, after checking it; its labels
			// are not needed, and are not interned.
			return nil
		}
		setLabel(s, cv.filter, id)
	}
	for _, c := range cv.labels {
		setLabel(s, c, intern(cv.intern[c], v[c]))
	}
	if cv.jobName && len(v[colJobName]) > 0 {
		if len(cv.names) >= maxNames {
			clear(cv.names)
		}
		s.JobName = intern(cv.names, v[colJobName])
	}
	return nil
}

// match returns the filter's id that equals b, or "".
func (cv *converter) match(b []byte) string {
	for _, id := range cv.ids {
		if string(b) == id {
			return id
		}
	}
	return ""
}

// intern returns b as a string, the same string for the same bytes.
func intern(m map[string]string, b []byte) string {
	if s, ok := m[string(b)]; ok { // no allocation to look up
		return s
	}
	s := string(b)
	m[s] = s
	return s
}

func setLabel(s *sessionagg.Session, col int, v string) {
	switch col {
	case colQueue:
		s.QueueID = v
	case colFleet:
		s.FleetID = v
	case colJob:
		s.JobID = v
	case colUser:
		s.UserID = v
	case colUsage:
		s.UsageType = v
	case colLicense:
		s.LicenseProduct = v
	case colInstance:
		s.InstanceType = v
	}
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseCost parses a cost: empty is 0, and otherwise a number as
// strconv.ParseFloat reads it. A plain decimal of at most 15 digits, the
// usual case, is converted directly: its digits as an integer and the power
// of ten are both exact in a float64, so one division rounds correctly.
// NaN, infinities and negative costs are left to Session.Validate.
func parseCost(b []byte) (float64, string) {
	if len(b) == 0 {
		return 0, ""
	}
	var m uint64
	digits, frac, dot := 0, 0, false
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
			continue
		case c == '.' && !dot:
			dot = true
			continue
		}
		digits = 99 // anything else: the slow way
		break
	}
	if digits > 0 && digits <= 15 {
		return float64(m) / pow10[frac], ""
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && math.IsInf(f, 0) {
			return 0, "out of range"
		}
		return 0, "want a number of US dollars, such as 1.25"
	}
	return f, ""
}

// A csvSource reads a CSV file with a header row.
type csvSource struct {
	sc     *csvScanner
	cv     *converter
	width  int          // the header's number of fields
	cols   [numCols]int // each column's index in a record, or -1
	values [numCols][]byte
	rec    [][]byte
	header bool // the header has been read
}

func newCSVSource(r io.Reader, cv *converter) *csvSource {
	return &csvSource{sc: newCSVScanner(r), cv: cv}
}

func (c *csvSource) line() int { return c.sc.start }

func (c *csvSource) raw(col int) []byte {
	if i := c.cols[col]; i >= 0 && i < len(c.rec) {
		return c.rec[i]
	}
	return nil
}

func (c *csvSource) readHeader() error {
	// A file of JSON Lines read as CSV fails on its first line; say why.
	start, _ := c.sc.r.Peek(16)
	start = bytes.TrimLeft(bytes.TrimPrefix(start, utf8BOM), " \t\r\n")
	hint := ""
	if bytes.HasPrefix(start, []byte("{")) {
		hint = " (for JSON Lines, use -input-format jsonl or a file name ending in .jsonl)"
	}
	rec, err := c.sc.next()
	if se, ok := err.(*syntaxError); ok {
		se.msg += hint
	}
	if err != nil {
		return err
	}
	c.header = true
	c.width = len(rec)
	for i := range c.cols {
		c.cols[i] = -1
	}
	for i, name := range rec {
		col := colOf(name)
		if col < 0 {
			continue
		}
		if c.cols[col] >= 0 {
			return &syntaxError{c.sc.start, "the header names " + colNames[col] + " twice"}
		}
		c.cols[col] = i
	}
	for _, col := range []int{colStart, colEnd} {
		if c.cols[col] < 0 {
			msg := "the header row has no " + colNames[col] + " column; it needs startTime and endTime, and may have costInUsd and the labels " +
				strings.Join(colNames[colQueue:], ", ")
			return &syntaxError{c.sc.start, msg + hint}
		}
	}
	return nil
}

func (c *csvSource) next(s *sessionagg.Session) (bool, error) {
	if !c.header {
		if err := c.readHeader(); err != nil {
			if err == io.EOF {
				return false, nil // no header: no sessions
			}
			return false, err
		}
	}
	rec, err := c.sc.next()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.rec = rec
	if len(rec) != c.width {
		return false, &syntaxError{c.sc.start, "the record has " + strconv.Itoa(len(rec)) + " fields, the header " + strconv.Itoa(c.width)}
	}
	for col, i := range c.cols {
		if i >= 0 {
			c.values[col] = rec[i]
		}
	}
	return true, c.cv.session(s, &c.values, c.sc.start)
}

// rawFieldOf returns the column of a *sessionagg.FieldError's field about a
// session, or -1.
func rawFieldOf(field string) int {
	switch field {
	case "startTime":
		return colStart
	case "endTime":
		return colEnd
	case "costInUsd":
		return colCost
	}
	return -1
}
