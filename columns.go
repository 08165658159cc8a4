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
//
// AddColumns makes no [Session] of a row: it reads the times as counts,
// and looks up each distinct value of a dictionary-coded label once per
// call, so that the group of a row whose labels are all dictionary-coded
// costs an array index. It batches as [Aggregator.AddAll] does.
func (a *Aggregator) AddColumns(c Columns) error {
	if a.err != nil {
		return a.err
	}
	cv, err := c.view()
	if err != nil {
		return err
	}
	a.init()
	a.rows.own()
	n := len(c.Start)
	bad := c.firstBadCode() // the rows before it have every code in range
	cg := newColumnGroups(&a.groups, &c, n)
	var filter labelFilter
	if a.filter != 0 {
		filter.init(a, c.labels(a.filter), n)
	}
	var jobs labelColumn
	if a.byJob {
		jobs = columnOf(&c.JobName)
	}
	var b batch
	// fail returns the error of row i, which the rows before it, yet to
	// be added, precede.
	fail := func(i int) error {
		if j, err := a.addPendings(b.pending[:b.n]); err != nil {
			a.err = &RowError{j, err}
			return a.err
		}
		return &RowError{i, cv.rowError(&c, i)}
	}
	perSec, nsec := cv.perSec, cv.nsec
	hasCost := len(c.CostInUSD) > 0
	win := &a.sp.win
	grouped := len(a.q.GroupBy) > 0
	for i := range n {
		if i == bad {
			return fail(i)
		}
		var start, end instant
		if perSec == 1 {
			start, end = instant{c.Start[i], 0}, instant{c.End[i], 0}
		} else {
			start, end = countInstant(c.Start[i], perSec, nsec), countInstant(c.End[i], perSec, nsec)
		}
		cost := 0.0
		if hasCost {
			cost = c.CostInUSD[i]
		}
		// Aggregator.prepare's checks and steps, on the columns.
		if end.less(start) || !(cost >= 0 && cost <= MaxCostInUSD) || !start.ok() || !end.ok() {
			return fail(i)
		}
		if cost == 0 {
			cost = 0 // -0 is 0, as in prepare
		}
		if a.filter != 0 && !filter.accepts(i) {
			continue
		}
		cs, ce, ok := win.clipSession(start, end)
		if !ok {
			continue
		}
		if err := a.sp.checkYears(cs, ce); err != nil {
			if j, err := a.addPendings(b.pending[:b.n]); err != nil {
				a.err = &RowError{j, err}
				return a.err
			}
			return &RowError{i, err}
		}
		p := &b.pending[b.n]
		p.g = 0
		if grouped {
			var isNew bool
			if p.g, isNew = cg.of(i); isNew {
				a.rows.addGroup()
			}
		}
		p.cur = a.sp.first(cs.sec)
		p.s, p.e = cs, ce
		p.total = start.secondsTo(end)
		p.cost = cost
		if a.byJob {
			p.job = cv.copy(jobs.label(i))
		}
		if j, err := a.queue(&b, i); err != nil {
			a.err = &RowError{j, err}
			return a.err
		}
	}
	if j, err := a.addPendings(b.pending[:b.n]); err != nil {
		a.err = &RowError{j, err}
		return a.err
	}
	return nil
}

// countInstant returns the instant of v counts of a unit, perSec of which
// make a second and each of which is nsec nanoseconds, as time.Unix would
// make it: a count before 1970 is the time before its second.
func countInstant(v, perSec, nsec int64) instant {
	sec, rem := v/perSec, v%perSec
	if rem < 0 {
		sec, rem = sec-1, rem+perSec
	}
	return instant{sec, rem * nsec}
}

// rowError returns the error of row i of c, which the fast loop of
// AddColumns has found wrong: as Add would report the row's session.
func (cv *columnsView) rowError(c *Columns, i int) error {
	var s Session
	if err := cv.session(c, i, &s); err != nil {
		return err
	}
	return s.Validate()
}

// firstBadCode returns the first row with a label code outside its
// dictionary, or the number of rows if there is none: one pass per coded
// column, so that the loop over the rows need not check the codes.
func (c *Columns) firstBadCode() int {
	bad := len(c.Start)
	for _, lc := range labelColumns {
		l := lc.get(c)
		n := uint32(len(l.Dictionary))
		for i, code := range l.Codes[:min(bad, len(l.Codes))] {
			if uint32(code) >= n {
				bad = i
				break
			}
		}
	}
	return bad
}

// labels returns c's column of the label f.
func (c *Columns) labels(f Field) *Labels {
	switch f {
	case QueueID:
		return &c.QueueID
	case FleetID:
		return &c.FleetID
	case JobID:
		return &c.JobID
	case UserID:
		return &c.UserID
	case UsageType:
		return &c.UsageType
	case InstanceType:
		return &c.InstanceType
	case LicenseProduct:
		return &c.LicenseProduct
	}
	return nil
}

// A labelColumn is a checked label column, as the fast loop reads it:
// codes into dict, values, or neither, the empty label for every row,
// which it reads as code 0 into the dictionary {""}.
type labelColumn struct {
	codes  []int32
	dict   []string
	values []string
}

var emptyDict = []string{""}

func columnOf(l *Labels) labelColumn {
	switch {
	case len(l.Codes) > 0:
		return labelColumn{codes: l.Codes, dict: l.Dictionary}
	case len(l.Values) > 0:
		return labelColumn{values: l.Values}
	}
	return labelColumn{dict: emptyDict}
}

// coded reports whether the column's labels are codes (or all empty).
func (l *labelColumn) coded() bool { return l.values == nil }

// code returns row i's code; the column is coded.
func (l *labelColumn) code(i int) int32 {
	if l.codes == nil {
		return 0
	}
	return l.codes[i]
}

// label returns row i's label.
func (l *labelColumn) label(i int) string {
	if l.values != nil {
		return l.values[i]
	}
	return l.dict[l.code(i)]
}

// A labelFilter decides the queue or fleet filter for the rows of a
// batch: once per dictionary value where the column is coded.
type labelFilter struct {
	a      *Aggregator
	col    labelColumn
	accept []int8 // by code: 0 not yet decided, 1 accepted, -1 not
}

func (lf *labelFilter) init(a *Aggregator, l *Labels, rows int) {
	lf.a, lf.col = a, columnOf(l)
	if lf.col.coded() && len(lf.col.dict) <= 4*rows+1024 {
		lf.accept = make([]int8, len(lf.col.dict))
	}
}

// accepts reports whether the filter accepts row i.
func (lf *labelFilter) accepts(i int) bool {
	if lf.accept == nil {
		return lf.a.accepts(lf.col.label(i))
	}
	code := lf.col.code(i)
	if d := lf.accept[code]; d != 0 {
		return d > 0
	}
	ok := lf.a.accepts(lf.col.dict[code])
	lf.accept[code] = -1
	if ok {
		lf.accept[code] = 1
	}
	return ok
}

// columnGroups finds the groups of the rows of a batch. A coded column's
// labels are numbered in their field once per dictionary value (ids);
// where every group-by column is coded and their dictionaries are small
// enough, a row's group is then one index into a table (byCode) by the
// tuple of its codes, filled as rows meet each tuple for the first time.
type columnGroups struct {
	gs     *groups
	n      int // group-by fields
	cols   [len(labels{})]labelColumn
	ids    [len(labels{})][]int32 // ids[f][code]: the label's number + 1, 0 for not yet known
	stride [len(labels{})]int
	byCode []int32 // by the tuple of codes: the group + 1, 0 for not yet known
}

// maxByCode bounds byCode, whatever the batch's rows: 256 KB.
const maxByCode = 1 << 16

func newColumnGroups(gs *groups, c *Columns, rows int) *columnGroups {
	cg := &columnGroups{gs: gs, n: len(gs.fields)}
	if cg.n == 0 {
		return cg
	}
	size, allCoded := 1, true
	for f, field := range gs.fields {
		l := columnOf(c.labels(field))
		cg.cols[f] = l
		if !l.coded() {
			allCoded = false
			continue
		}
		// Number the dictionary's values once each, unless it is much
		// larger than the batch.
		if len(l.dict) <= 4*rows+1024 {
			cg.ids[f] = make([]int32, len(l.dict))
		}
		cg.stride[f] = size
		if size <= math.MaxInt32/max(1, len(l.dict)) {
			size *= max(1, len(l.dict))
		} else {
			allCoded = false
		}
	}
	if allCoded && size <= max(maxByCode, rows) && size <= math.MaxInt32 {
		cg.byCode = make([]int32, size)
	}
	return cg
}

// of returns the group of row i, and whether it is new.
func (cg *columnGroups) of(i int) (int32, bool) {
	if cg.byCode == nil {
		return cg.lookUp(i)
	}
	k := 0
	for f := range cg.n {
		if codes := cg.cols[f].codes; codes != nil {
			k += int(codes[i]) * cg.stride[f]
		}
	}
	if g := cg.byCode[k]; g != 0 {
		return g - 1, false
	}
	g, isNew := cg.lookUp(i)
	cg.byCode[k] = g + 1
	return g, isNew
}

// lookUp returns the group of row i, and whether it is new, from the
// numbers of its labels.
func (cg *columnGroups) lookUp(i int) (int32, bool) {
	var ids labelIDs
	for f := range cg.n {
		ids[f] = cg.id(f, i)
	}
	return cg.gs.ofIDs(&ids)
}

// id returns the number of row i's label of the group-by field f.
func (cg *columnGroups) id(f, i int) int32 {
	l, d := &cg.cols[f], &cg.gs.index.dicts[f]
	if cg.ids[f] == nil {
		id, _ := d.idCopy(l.label(i))
		return id
	}
	code := l.code(i)
	if id := cg.ids[f][code]; id != 0 {
		return id - 1
	}
	id, _ := d.idCopy(l.dict[code])
	cg.ids[f][code] = id + 1
	return id
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
