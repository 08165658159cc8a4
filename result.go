package sessionagg

import (
	"fmt"
	"iter"
	"slices"
	"sync"
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

// newResult returns the rows of st, with the empty ones if q asks for
// them, in order. The query's fingerprint is fp, its buckets and window
// those of sp, its groups gs. The Result keeps a snapshot of st's cells.
func newResult(q *Query, fp string, sp *splitter, gs *groups, st *rowStore) (*Result, error) {
	rank := gs.ranks()
	refs := st.ordered(rank)
	if q.FillEmpty {
		var err error
		if refs, err = fill(q, sp, gs.len(), refs); err != nil {
			return nil, err
		}
		sortRefs(refs, rank)
	}
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
		view:   st.snapshot(),
		refs:   refs,
	}, nil
}

// row returns row i.
func (r *Result) row(i int) Row {
	ref := &r.refs[i]
	var row Row
	row.Start = r.win.startTime(ref.start, r.loc)
	row.End = r.win.endTime(ref.end, r.loc)
	for k, f := range r.q.GroupBy {
		row.setLabel(f, r.groups[ref.group][k])
	}
	if ref.cell >= 0 {
		s, job := r.view.sums(ref)
		row.JobName = job
		row.Count = s.runtime.Count()
		row.RuntimeInSeconds, row.CostInUSD = s.runtime, s.cost
	}
	return row
}

// rows returns rows [i, j) in a new slice.
func (r *Result) rows(i, j int) []Row {
	rows := make([]Row, j-i)
	for k := range rows {
		rows[k] = r.row(i + k)
	}
	return rows
}

// fill adds to refs, the rows of q's ngroups groups, an empty row for
// every bucket of the range, and every group that has a row, that has no
// row. The range is the window, or on an open side the first or last
// bucket that has a row. Ungrouped, the one group is filled even with no
// rows at all. The rows added are not in order.
func fill(q *Query, sp *splitter, ngroups int, refs []rowRef) ([]rowRef, error) {
	win := &sp.win
	type key struct {
		group int32
		start int64
	}
	have := make(map[key]bool, len(refs))
	var groups []int32
	seen := make([]bool, ngroups)
	if len(q.GroupBy) == 0 {
		groups, seen[0] = append(groups, 0), true
	}
	var lo, hi instant // the range to fill
	for i, r := range refs {
		have[key{r.group, r.start}] = true
		if !seen[r.group] {
			seen[r.group] = true
			groups = append(groups, r.group)
		}
		if i == 0 || r.start < lo.sec {
			lo = instant{r.start, 0}
		}
		if i == 0 || r.end > hi.sec {
			hi = instant{r.end, 0}
		}
	}
	if win.hasStart {
		lo = win.start
	}
	if win.hasEnd {
		hi = win.end
	}
	if len(refs) == 0 && !(win.hasStart && win.hasEnd) || !lo.less(hi) {
		return refs, nil
	}
	// From a bounded side of the window to the rows: Validate counted the
	// buckets of a window bounded on both sides, and checkBuckets those
	// between the first row and the last, but not these.
	if m := q.maxBuckets(); m > 0 && sp.gr.count(lo.sec, hi, m+1) > m {
		return nil, fmt.Errorf("%w: the empty buckets to fill span more than %d buckets%s", ErrTooLarge, m, defaultNote(q.MaxBuckets))
	}
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
	return refs, nil
}

// Len returns the number of rows.
func (r *Result) Len() int { return len(r.refs) }

// Rows returns the rows in order.
func (r *Result) Rows() iter.Seq[Row] {
	return func(yield func(Row) bool) {
		for i := range r.refs {
			if !yield(r.row(i)) {
				return
			}
		}
	}
}

// Query returns the query that made r.
func (r *Result) Query() Query { return r.q.clone() }
