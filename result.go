package sessionagg

import (
	"fmt"
	"iter"
	"math"
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
	q       Query
	fp      string
	win     window
	loc     *time.Location
	groups  []labels // labels of every group, which never change
	store   store
	entries []rowEntry

	// The digest of the rows, for page tokens: see rowsDigest.
	digestOnce sync.Once
	digest     []byte
}

// newResult returns a's rows, with the empty ones if the query asks for
// them, in order.
func newResult(a *Aggregator) (*Result, error) {
	entries, err := a.entries(a.q.FillEmpty)
	if err != nil {
		return nil, err
	}
	if n := len(entries); n > 0 {
		// Rows are in order of their start, and so of their end: the
		// first starts first and the last ends last.
		w, loc := &a.sp.win, a.sp.g.loc
		for _, t := range [...]time.Time{
			clipTime(entries[0].start, w.start, w.hasStart, loc, true),
			clipTime(entries[n-1].end, w.end, w.hasEnd, loc, false),
		} {
			if err := checkYear(t); err != nil {
				return nil, fmt.Errorf("%w: a row at %s: bound the window", err, formatTime(t))
			}
		}
	}
	return &Result{
		q:       a.q,
		fp:      a.fp,
		win:     a.sp.win,
		loc:     a.sp.g.loc,
		groups:  slices.Clip(a.groups),
		store:   a.snapshot(),
		entries: entries,
	}, nil
}

// row returns row i.
func (r *Result) row(i int) Row {
	e := &r.entries[i]
	var row Row
	row.Start = clipTime(e.start, r.win.start, r.win.hasStart, r.loc, true)
	row.End = clipTime(e.end, r.win.end, r.win.hasEnd, r.loc, false)
	for k, f := range r.q.GroupBy {
		row.setLabel(f, r.groups[e.group][k])
	}
	if e.cell >= 0 {
		s, job := r.store.sums(e)
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

// entries returns a row entry for every row of a, and with fill for every
// empty row too, in the order of rows: by bucket start, then by the
// group's labels.
func (a *Aggregator) entries(fill bool) ([]rowEntry, error) {
	// Rank the groups once, so that sorting rows compares integers.
	order := make([]int32, len(a.groups))
	for i := range order {
		order[i] = int32(i)
	}
	n := len(a.q.GroupBy)
	slices.SortFunc(order, func(x, y int32) int {
		return slices.Compare(a.groups[x][:n], a.groups[y][:n])
	})
	if entries, ok := a.slabEntries(order, fill); ok {
		return entries, nil
	}
	rank := make([]int32, len(order))
	for i, g := range order {
		rank[g] = int32(i)
	}
	entries := make([]rowEntry, 0, a.rowCount())
	a.cells(func(g, i int32, start, end int64, _ *sums, _ string) error {
		entries = append(entries, rowEntry{start, end, g, i})
		return nil
	})
	if fill {
		var err error
		if entries, err = a.fill(entries); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(entries, func(x, y rowEntry) int {
		if x.start != y.start {
			if x.start < y.start {
				return -1
			}
			return 1
		}
		return int(rank[x.group] - rank[y.group])
	})
	return entries, nil
}

// slabEntries is entries for rows in slabs that cover their keys densely
// enough to be read key by key, each key's groups in order, which gives
// the entries in order with no sort. It reports false if that would not
// pay.
func (a *Aggregator) slabEntries(order []int32, fill bool) ([]rowEntry, bool) {
	sl := a.slabs
	if sl == nil || fill {
		return nil, false
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for g := range sl.groups {
		if s := &sl.groups[g]; len(s.cells) > 0 {
			lo, hi = min(lo, s.base), max(hi, s.base+int64(len(s.cells))-1)
		}
	}
	if lo > hi {
		return nil, true
	}
	if keys := uint64(hi - lo + 1); keys > uint64(1+4*sl.size/len(order)) {
		return nil, false
	}
	entries := make([]rowEntry, 0, sl.rows)
	for key := lo; key <= hi; key++ {
		start, end := a.sp.g.ordStart(key), a.sp.g.ordStart(key+1)
		for _, g := range order {
			s := &sl.groups[g]
			if i := key - s.base; uint64(i) < uint64(len(s.cells)) && s.cells[i].runtime.count != 0 {
				entries = append(entries, rowEntry{start, end, g, int32(i)})
			}
		}
	}
	return entries, true
}

// fill adds an empty entry for every bucket of the range, and every group
// that has a row, that has no row. The range is the window, or on an open
// side the first or last bucket that has a row. Ungrouped, the one group
// is filled even with no rows at all.
func (a *Aggregator) fill(entries []rowEntry) ([]rowEntry, error) {
	win := &a.sp.win
	type key struct {
		group int32
		start int64
	}
	have := make(map[key]bool, len(entries))
	var groups []int32
	seen := make([]bool, len(a.groups))
	if len(a.q.GroupBy) == 0 {
		groups, seen[0] = append(groups, 0), true
	}
	var lo, hi instant // the range to fill
	for i, e := range entries {
		have[key{e.group, e.start}] = true
		if !seen[e.group] {
			seen[e.group] = true
			groups = append(groups, e.group)
		}
		if i == 0 || e.start < lo.sec {
			lo = instant{e.start, 0}
		}
		if i == 0 || e.end > hi.sec {
			hi = instant{e.end, 0}
		}
	}
	if win.hasStart {
		lo = win.start
	}
	if win.hasEnd {
		hi = win.end
	}
	if len(entries) == 0 && !(win.hasStart && win.hasEnd) || !lo.less(hi) {
		return entries, nil
	}
	// From a bounded side of the window to the rows: Validate counted the
	// buckets of a window bounded on both sides, and checkBuckets those
	// between the first row and the last, but not these.
	if m := a.maxBuckets; m > 0 && a.sp.g.count(lo.sec, hi, m+1) > m {
		return nil, fmt.Errorf("%w: the empty buckets to fill span more than %d buckets%s", ErrTooLarge, m, defaultNote(a.q.MaxBuckets))
	}
	for c := a.sp.g.at(lo.sec); ; {
		for _, g := range groups {
			if !have[key{g, c.start}] {
				if a.q.MaxRows > 0 && len(entries) >= a.q.MaxRows {
					return nil, errTooManyRows
				}
				entries = append(entries, rowEntry{c.start, c.end, g, -1})
			}
		}
		if !(instant{c.end, 0}).less(hi) || !c.advance() {
			return entries, nil
		}
	}
}

// Len returns the number of rows.
func (r *Result) Len() int { return len(r.entries) }

// Rows returns the rows in order.
func (r *Result) Rows() iter.Seq[Row] {
	return func(yield func(Row) bool) {
		for i := range r.entries {
			if !yield(r.row(i)) {
				return
			}
		}
	}
}

// Query returns the query that made r.
func (r *Result) Query() Query { return r.q.clone() }

// MarshalJSON writes all of r in the cloud API's response shape, with
// status COMPLETED and no nextToken: see [Page.MarshalJSON].
func (r *Result) MarshalJSON() ([]byte, error) {
	return Page{Rows: r.rows(0, r.Len()), r: r}.MarshalJSON()
}
