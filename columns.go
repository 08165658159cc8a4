package sessionagg

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Columnar input: sessions as analytics data holds them, a column per
// field, with times as integer counts of a unit since the Unix epoch (as
// Arrow and Parquet timestamps are) and labels as strings or as codes into
// a dictionary of distinct values.

// Columns is a batch of sessions stored column by column: row i is the
// session of Start[i], End[i], CostInUSD[i] and the labels' row i. Its
// fields mirror [Session]'s. Start and End must have the same length, the
// number of rows; so must CostInUSD and each label column that is set.
//
// A Columns batch only describes memory that the caller owns:
// [Aggregator.AddColumns] reads it and keeps no reference to it, not even
// to the bytes of its labels, of which it copies those it keeps. So the
// caller may reuse the slices as soon as AddColumns returns, and the
// labels may be strings that view memory which changes afterwards (such
// as an Arrow array's buffer), provided it does not change during the
// call.
type Columns struct {
	// Unit is the length of one count of Start and End: time.Second,
	// time.Millisecond, time.Microsecond or time.Nanosecond, the units of
	// Arrow and Parquet timestamps. Any other value, zero included, is an
	// error: a batch whose unit was forgotten would otherwise be read in
	// the wrong one without a word.
	Unit time.Duration

	// Start and End are the sessions' [Start, End) as counts of Unit since
	// 1970-01-01T00:00:00Z, the Unix epoch. A count of seconds so large
	// that time.Time cannot hold it, some 292 billion years after 1970,
	// makes its row invalid.
	Start, End []int64

	// CostInUSD is each session's cost. Empty means a cost of 0 for every
	// session.
	CostInUSD []float64

	// The labels. A zero Labels means the empty label for every session.
	QueueID        Labels
	FleetID        Labels
	JobID          Labels
	JobName        Labels
	UserID         Labels
	UsageType      Labels
	LicenseProduct Labels
	InstanceType   Labels
}

// Labels is one label of every session in a [Columns] batch: either the
// values themselves, one per row, or, dictionary-encoded, one code per row
// into a slice of values, as Arrow and Parquet encode labels. A Labels
// whose Values and Codes are both empty, such as the zero Labels, is the
// empty label for every row.
type Labels struct {
	// Values holds row i's label at Values[i]. Codes must then be
	// empty.
	Values []string

	// Codes holds row i's label as an index into Dictionary: the label is
	// Dictionary[Codes[i]]. A code outside the Dictionary is an error
	// naming the row. The Dictionary's values need not be distinct, and
	// need not all be used.
	Codes      []int32
	Dictionary []string
}

// A RowError is the error of one row of a [Columns] batch. Err is the
// row's error: a *[FieldError] that names the column (in the cloud API's
// spelling: "endTime", "costInUsd", "queueId" ...) and the value, which
// wraps [ErrInvalidSession] where [Aggregator.Add] would refuse the row's
// session and [ErrInvalidColumns] for a code outside its dictionary; or
// the error of a limit of the query, which wraps [ErrTooLarge].
type RowError struct {
	Row int // the row's index in the batch, from 0
	Err error
}

// Error returns "row N: " and the text of Err.
func (e *RowError) Error() string { return "row " + strconv.Itoa(e.Row) + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *RowError) Unwrap() error { return e.Err }

// AddColumns adds the sessions of the batch c, row by row, as [Aggregator.Add]
// adds a session: with the same window, filter, pieces and limits, and the
// same errors.
//
// A malformed batch (see [Columns] and [Labels]) is an error wrapping
// [ErrInvalidColumns], found before any row is added, which leaves a
// unchanged. Otherwise AddColumns stops at the first row that Add would
// reject, or whose label code lies outside its dictionary: the rows before
// it are added, and the error is a *[RowError] that names the row. As with
// Add, an error wrapping [ErrTooLarge] leaves a unusable. Errors write the
// batch's times in UTC.
func (a *Aggregator) AddColumns(c Columns) error {
	if a.err != nil {
		return a.err
	}
	cv, err := c.view()
	if err != nil {
		return err
	}
	var s Session
	for i := range len(c.Start) {
		if err := cv.session(&c, i, &s); err != nil {
			return &RowError{i, err}
		}
		if err := a.addSession(&s); err != nil {
			if a.err == nil {
				return &RowError{i, err} // an invalid session
			}
			// A limit: Add keeps its error to return from every later
			// call, and so does AddColumns, with the row.
			a.err = &RowError{i, err}
			return a.err
		}
	}
	return nil
}

// labelColumns lists the label columns of a Columns batch, in the order
// of Session's fields, with their names in errors.
var labelColumns = [...]struct {
	name string
	get  func(c *Columns) *Labels
	set  func(s *Session, v string)
}{
	{"queueId", func(c *Columns) *Labels { return &c.QueueID }, func(s *Session, v string) { s.QueueID = v }},
	{"fleetId", func(c *Columns) *Labels { return &c.FleetID }, func(s *Session, v string) { s.FleetID = v }},
	{"jobId", func(c *Columns) *Labels { return &c.JobID }, func(s *Session, v string) { s.JobID = v }},
	{"jobName", func(c *Columns) *Labels { return &c.JobName }, func(s *Session, v string) { s.JobName = v }},
	{"userId", func(c *Columns) *Labels { return &c.UserID }, func(s *Session, v string) { s.UserID = v }},
	{"usageType", func(c *Columns) *Labels { return &c.UsageType }, func(s *Session, v string) { s.UsageType = v }},
	{"licenseProduct", func(c *Columns) *Labels { return &c.LicenseProduct }, func(s *Session, v string) { s.LicenseProduct = v }},
	{"instanceType", func(c *Columns) *Labels { return &c.InstanceType }, func(s *Session, v string) { s.InstanceType = v }},
}

// A columnsView is a checked Columns batch: how to turn its counts into
// instants, and copies of the labels that it has read.
type columnsView struct {
	perSec int64 // counts of the unit in a second
	nsec   int64 // nanoseconds in one count

	// copies maps a label as the batch has it to a copy of it, which the
	// Aggregator may keep: the batch's may be a view of memory that its
	// owner reuses.
	copies map[string]string
}

// copy returns a copy of the label v that does not share v's memory.
func (cv *columnsView) copy(v string) string {
	c, ok := cv.copies[v]
	if !ok {
		c = strings.Clone(v)
		cv.copies[c] = c
	}
	return c
}

// view checks the shape of c: its unit and the lengths of its columns.
func (c *Columns) view() (columnsView, error) {
	cv := columnsView{copies: make(map[string]string)}
	switch c.Unit {
	case time.Second, time.Millisecond, time.Microsecond, time.Nanosecond:
		cv.perSec, cv.nsec = int64(time.Second/c.Unit), int64(c.Unit)
	default:
		return cv, columnsError("unit", c.Unit.String(), errors.New("want time.Second, time.Millisecond, time.Microsecond or time.Nanosecond"))
	}
	n := len(c.Start)
	length := func(name string, m int) error {
		if m != n {
			return columnsError(name, strconv.Itoa(m)+" rows", fmt.Errorf("want %d, as many as startTime", n))
		}
		return nil
	}
	if err := length("endTime", len(c.End)); err != nil {
		return cv, err
	}
	if len(c.CostInUSD) > 0 {
		if err := length("costInUsd", len(c.CostInUSD)); err != nil {
			return cv, err
		}
	}
	for _, lc := range labelColumns {
		l := lc.get(c)
		switch {
		case len(l.Values) > 0 && (len(l.Codes) > 0 || len(l.Dictionary) > 0):
			return cv, columnsError(lc.name, "values and codes", errors.New("want values or codes into a dictionary, not both"))
		case len(l.Values) > 0:
			if err := length(lc.name, len(l.Values)); err != nil {
				return cv, err
			}
		case len(l.Codes) > 0:
			if err := length(lc.name, len(l.Codes)); err != nil {
				return cv, err
			}
		case len(l.Dictionary) > 0 && n > 0:
			return cv, columnsError(lc.name, "a dictionary without codes", errors.New("want codes into it, one per row"))
		}
	}
	return cv, nil
}

// session sets s to row i of c, or returns the error of a code outside its
// dictionary or a time outside time.Time's range.
func (cv *columnsView) session(c *Columns, i int, s *Session) error {
	*s = Session{}
	var err error
	if s.Start, err = cv.time("startTime", c.Start[i]); err != nil {
		return err
	}
	if s.End, err = cv.time("endTime", c.End[i]); err != nil {
		return err
	}
	if len(c.CostInUSD) > 0 {
		s.CostInUSD = c.CostInUSD[i]
	}
	for _, lc := range labelColumns {
		l := lc.get(c)
		switch {
		case len(l.Values) > 0:
			lc.set(s, cv.copy(l.Values[i]))
		case len(l.Codes) > 0:
			code := l.Codes[i]
			if uint32(code) >= uint32(len(l.Dictionary)) {
				return columnsError(lc.name, strconv.Itoa(int(code)), fmt.Errorf("a code outside the dictionary of %d values", len(l.Dictionary)))
			}
			lc.set(s, cv.copy(l.Dictionary[code]))
		}
	}
	return nil
}

// maxUnixSeconds is the largest count of seconds since 1970 that a
// time.Time holds: it counts seconds from the year 1.
const maxUnixSeconds = math.MaxInt64 - 62135596800

// time returns the instant of v counts of the unit, the value of the
// column name.
func (cv *columnsView) time(name string, v int64) (time.Time, error) {
	if cv.perSec == 1 {
		if v > maxUnixSeconds {
			return time.Time{}, sessionError(name, strconv.FormatInt(v, 10)+" s", errors.New("beyond the range of time.Time"))
		}
		return time.Unix(v, 0).UTC(), nil
	}
	// time.Unix takes a negative remainder, from a count before 1970, as
	// the time before sec.
	return time.Unix(v/cv.perSec, v%cv.perSec*cv.nsec).UTC(), nil
}

func columnsError(field, value string, err error) error {
	return &FieldError{Field: field, Value: value, Err: err, kind: ErrInvalidColumns}
}
