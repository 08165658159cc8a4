package sessionagg

import (
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// A Row is the statistics of the pieces of one group in one bucket, as in
// the cloud API's GetSessionsStatisticsAggregation response.
type Row struct {
	// Start and End are the bucket's, clipped to the query's window where
	// it is bounded, in the query's location.
	Start, End time.Time

	// The group: the labels the query groups by are set, the others are
	// empty. JobName is set when grouping by JobID: the smallest non-empty
	// job name, in byte order, among the row's sessions.
	QueueID        string
	FleetID        string
	JobID          string
	JobName        string
	UserID         string
	UsageType      string
	LicenseProduct string
	InstanceType   string

	// Count is the number of pieces in the row: a session that spans three
	// buckets counts once in each.
	Count int64

	// RuntimeInSeconds and CostInUSD summarise the pieces' lengths and
	// their prorated costs. Each has Count values.
	RuntimeInSeconds Stats
	CostInUSD        Stats
}

// Label returns the row's value of the group-by field f.
func (r *Row) Label(f Field) string {
	if p := r.labelPtr(f); p != nil {
		return *p
	}
	return ""
}

func (r *Row) setLabel(f Field, v string) {
	if p := r.labelPtr(f); p != nil {
		*p = v
	}
}

// labelPtr returns the field of r that holds the label f, or nil.
func (r *Row) labelPtr(f Field) *string {
	switch f {
	case QueueID:
		return &r.QueueID
	case FleetID:
		return &r.FleetID
	case JobID:
		return &r.JobID
	case UserID:
		return &r.UserID
	case UsageType:
		return &r.UsageType
	case InstanceType:
		return &r.InstanceType
	case LicenseProduct:
		return &r.LicenseProduct
	}
	return nil
}

// A Result is the rows of a query, ordered by bucket start and then by the
// group's labels compared as byte strings in group-by order. A Result is
// immutable and safe for concurrent use.
//
// A Result does not hold its rows as Row values, which take some 260
// bytes each, but an index into the aggregator's rows as they were when it
// was made: an Aggregator that goes on adding sessions copies its rows
// first. Rows and Page make the Row values as they are read.
type Result struct {
	q      Query
	fp     string
	win    window
	loc    *time.Location
	groups []labels // labels of every group, which never change
	view   rowView
	refs   []rowRef

	// The digest of the rows, for page tokens: see rowsDigest.
	digestOnce sync.Once
	digest     []byte
}

// makeResult returns the Result of the rows refs, in order, whose cells
// are in view. The query's fingerprint is fp, its buckets and window those
// of sp, its groups gs.
func makeResult(q *Query, fp string, sp *splitter, gs *groups, view rowView, refs []rowRef) (*Result, error) {
	if n := len(refs); n > 0 {
		// Rows are in order of their start, and so of their end: the
		// first starts first and the last ends last.
		w, loc := &sp.win, sp.gr.loc
		for _, t := range [...]time.Time{w.startTime(refs[0].start, loc), w.endTime(refs[n-1].end, loc)} {
			if err := checkYear(t); err != nil {
				return nil, fmt.Errorf("%w: a row at %s: bound the window", err, formatTime(t))
			}
		}
	}
	return &Result{
		q:      *q,
		fp:     fp,
		win:    sp.win,
		loc:    sp.gr.loc,
		groups: slices.Clip(gs.labels),
		view:   view,
		refs:   refs,
	}, nil
}

// row returns row i.
func (r *Result) row(i int) Row {
	ref := &r.refs[i]
	var row Row
	row.Start = r.win.startTime(ref.start, r.loc)
	row.End = r.win.endTime(ref.end, r.loc)
	r.fillRow(&row, ref)
	return row
}

// fillRow sets the labels and statistics of row, the row of ref.
func (r *Result) fillRow(row *Row, ref *rowRef) {
	for k, f := range r.q.GroupBy {
		row.setLabel(f, r.groups[ref.group][k])
	}
	if ref.cell >= 0 {
		s, job := r.view.sums(ref)
		row.JobName = job
		row.Count = s.runtime.count
		row.RuntimeInSeconds, row.CostInUSD = s.runtime, s.cost
	}
}

// rows returns rows [i, j) in a new slice.
func (r *Result) rows(i, j int) []Row {
	rows := make([]Row, 0, j-i)
	r.read(i, j, func(k int) bool {
		rows = append(rows, r.row(k))
		return true
	})
	return rows
}

// readAhead is the number of rows whose memory read loads at once.
const readAhead = 32

// read calls f for each row from i to j, in order, until f returns false.
//
// Rows are in bucket order, and their cells in group order, each group's
// in its own slab: reading them in row order misses the cache on almost
// every row once the cells outgrow it, and waits for each miss in turn.
// So read first loads the cells and labels of readAhead rows in a short
// loop, whose misses the processor waits for together (as addBatch does
// with the cells of a batch), then calls f for them.
func (r *Result) read(i, j int, f func(k int) bool) {
	var sum int64
	for lo := i; lo < j; lo += readAhead {
		hi := min(j, lo+readAhead)
		sum += r.load(lo, hi)
		for k := lo; k < hi; k++ {
			if !f(k) {
				j = 0
				break
			}
		}
	}
	// Keep the loads: the compiler may drop those whose values are not
	// used.
	readSink.Add(sum)
}

// load loads the cells and labels of rows [i, j), and returns a value
// made of them; see read.
func (r *Result) load(i, j int) int64 {
	var sum int64
	for k := i; k < j; k++ {
		ref := &r.refs[k]
		sum += int64(len(r.groups[ref.group][0]))
		if ref.cell >= 0 {
			s, _ := r.view.sums(ref)
			sum += s.runtime.count
		}
	}
	return sum
}

var readSink atomic.Int64

// fill adds to refs, rows in order, an empty row for every bucket that
// [lo, hi) touches and every group of groups that has no row there, and
// sorts them by rank. See Aggregator.fillRange for the range.
func fill(q *Query, sp *splitter, groups []int32, refs []rowRef, lo, hi instant, rank []int32) ([]rowRef, error) {
	if len(groups) == 0 || !lo.less(hi) {
		return refs, nil
	}
	type key struct {
		group int32
		start int64
	}
	have := make(map[key]bool, len(refs))
	for _, r := range refs {
		have[key{r.group, r.start}] = true
	}
	// From a bounded side of the window to the rows: Validate counted the
	// buckets of a window bounded on both sides, and checkBuckets those
	// between the first row and the last, but not these.
	if m := q.maxBuckets(); m > 0 && sp.gr.count(lo.sec, hi, m+1) > m {
		return nil, fmt.Errorf("%w: the empty buckets to fill span more than %d buckets%s", ErrTooLarge, m, defaultNote(q.MaxBuckets))
	}
	n := len(refs)
	for c := range sp.gr.walk(lo.sec, hi) {
		for _, g := range groups {
			if !have[key{g, c.start}] {
				if q.MaxRows > 0 && len(refs) >= q.MaxRows {
					return nil, errTooManyRows
				}
				refs = append(refs, rowRef{c.start, c.end, g, -1})
			}
		}
	}
	if len(refs) > n {
		sortRefs(refs, rank)
	}
	return refs, nil
}

// Len returns the number of rows.
func (r *Result) Len() int { return len(r.refs) }

// Rows returns the rows in order. Each Row is made as it is read; to read
// many rows into columns instead, see [Result.AppendColumns].
func (r *Result) Rows() iter.Seq[Row] {
	return func(yield func(Row) bool) {
		// read, written out: Rows is the hot path of most callers. Rows
		// of one bucket share its times.
		var sum int64
		var row, bucket Row
		n := len(r.refs)
		for lo := 0; lo < n; lo += readAhead {
			hi := min(n, lo+readAhead)
			sum += r.load(lo, hi)
			for k := lo; k < hi; k++ {
				ref := &r.refs[k]
				if k == 0 || ref.start != r.refs[k-1].start || ref.end != r.refs[k-1].end {
					bucket.Start, bucket.End = r.win.startTime(ref.start, r.loc), r.win.endTime(ref.end, r.loc)
				}
				row = bucket
				r.fillRow(&row, ref)
				if !yield(row) {
					readSink.Add(sum)
					return
				}
			}
		}
		readSink.Add(sum)
	}
}

// RowColumns holds rows of a [Result] column by column, as
// [Result.AppendColumns] appends them: row k of the columns is the Row
// whose Start is Start[k], whose Count is Count[k], and so on. A caller
// that reads many rows into columns (to write them out, or to hand them
// to a columnar library) makes no Row per row, and can reuse the columns'
// memory from one call to the next with Reset.
type RowColumns struct {
	// Start and End are the rows' buckets, as in [Row].
	Start, End []time.Time

	// Labels holds a column per field of the query's GroupBy, in
	// GroupBy order: Labels[f][k] is row k's label of GroupBy[f].
	// JobName holds the rows' job names if the query groups by JobID,
	// and is empty otherwise.
	Labels  [][]string
	JobName []string

	// Count, RuntimeInSeconds and CostInUSD are the rows' statistics.
	Count            []int64
	RuntimeInSeconds []Stats
	CostInUSD        []Stats
}

// Reset empties c's columns, keeping their memory for the next rows.
func (c *RowColumns) Reset() {
	c.Start, c.End = c.Start[:0], c.End[:0]
	for f := range c.Labels {
		c.Labels[f] = c.Labels[f][:0]
	}
	c.JobName, c.Count = c.JobName[:0], c.Count[:0]
	c.RuntimeInSeconds, c.CostInUSD = c.RuntimeInSeconds[:0], c.CostInUSD[:0]
}

// AppendColumns appends rows [i, j) of r, in order, to the columns of c,
// which may hold rows already (of this Result or another of the same
// GroupBy): the rows that [Result.Rows] yields from the i-th to the one
// before the j-th, column by column. c.Labels is given a column per
// group-by field if it has none. AppendColumns panics if i or j is out of
// range or j < i, as slicing does.
func (r *Result) AppendColumns(c *RowColumns, i, j int) {
	_ = r.refs[i:j] // the panic of a bad range, before anything changes
	n := len(r.q.GroupBy)
	if len(c.Labels) < n {
		c.Labels = append(c.Labels, make([][]string, n-len(c.Labels))...)
	}
	byJob := slices.Contains(r.q.GroupBy, JobID)
	// Grow every column once, then set the rows in place.
	m := j - i
	at := len(c.Count)
	c.Start, c.End = slices.Grow(c.Start, m)[:at+m], slices.Grow(c.End, m)[:at+m]
	for f := range n {
		c.Labels[f] = slices.Grow(c.Labels[f], m)[:len(c.Labels[f])+m]
	}
	if byJob {
		c.JobName = slices.Grow(c.JobName, m)[:len(c.JobName)+m]
	}
	c.Count = slices.Grow(c.Count, m)[:at+m]
	c.RuntimeInSeconds = slices.Grow(c.RuntimeInSeconds, m)[:at+m]
	c.CostInUSD = slices.Grow(c.CostInUSD, m)[:at+m]
	var st, et time.Time // the bucket of the last row: rows share them
	var sum int64
	for lo := i; lo < j; lo += readAhead {
		hi := min(j, lo+readAhead)
		sum += r.load(lo, hi)
		for k := lo; k < hi; k++ {
			ref, o := &r.refs[k], at+k-i
			if k == i || ref.start != r.refs[k-1].start || ref.end != r.refs[k-1].end {
				st, et = r.win.startTime(ref.start, r.loc), r.win.endTime(ref.end, r.loc)
			}
			c.Start[o], c.End[o] = st, et
			ls := &r.groups[ref.group]
			for f := range n {
				c.Labels[f][len(c.Labels[f])-m+k-i] = ls[f]
			}
			var s sums
			job := ""
			if ref.cell >= 0 {
				p, name := r.view.sums(ref)
				s, job = *p, name
			}
			if byJob {
				c.JobName[len(c.JobName)-m+k-i] = job
			}
			c.Count[o] = s.runtime.count
			c.RuntimeInSeconds[o], c.CostInUSD[o] = s.runtime, s.cost
		}
	}
	readSink.Add(sum)
}

// Query returns the query that made r.
func (r *Result) Query() Query { return r.q.clone() }
