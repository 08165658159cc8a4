package sessionagg

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sessionagg/sessionagg/internal/jsonfloat"
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

// A store is the rows of an Aggregator, as a Result sees them: either in
// slabs or in cells, as the Aggregator held them.
type store struct {
	slabs []slab
	cells []cell
}

// A rowEntry is a row to be: a bucket, a group, and the index of the row's
// sums in a store (in its group's slab, or in cells), or -1 for an empty
// row.
type rowEntry struct {
	start, end int64
	group      int32
	cell       int32
}

// sums returns the sums and the job name of e, which is not empty.
func (st *store) sums(e *rowEntry) (*sums, string) {
	if st.slabs != nil {
		return &st.slabs[e.group].cells[e.cell], ""
	}
	c := &st.cells[e.cell]
	return &c.sums, c.jobName
}

// store returns a's rows as they are now, to read before a changes.
func (a *Aggregator) store() store {
	if a.slabs != nil {
		return store{slabs: a.slabs.groups}
	}
	return store{cells: a.t.cells}
}

// snapshot returns a's rows as they are now, for a Result to keep: a
// copies them before it changes them again (see unshare).
func (a *Aggregator) snapshot() store {
	a.shared = true
	return a.store()
}

// unshare gives a its own copy of the rows that a Result shares.
func (a *Aggregator) unshare() {
	a.shared = false
	if a.slabs != nil {
		groups := make([]slab, len(a.slabs.groups), cap(a.slabs.groups))
		for g, s := range a.slabs.groups {
			groups[g] = slab{s.base, slices.Clone(s.cells), s.rows}
		}
		a.slabs.groups = groups
		return
	}
	a.t.cells = slices.Clip(slices.Clone(a.t.cells))
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

// clipTime returns the bucket boundary sec, clipped to the window's bound
// w if there is one: raised to it for a start, lowered for an end.
func clipTime(sec int64, w instant, bounded bool, loc *time.Location, isStart bool) time.Time {
	b := instant{sec, 0}
	if bounded && (isStart && b.less(w) || !isStart && w.less(b)) {
		b = w
	}
	return time.Unix(b.sec, b.nsec).In(loc)
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

// fingerprint returns what identifies q's rows: everything but its limits.
// Two aggregators merge, and a page token is honoured, only when their
// fingerprints are equal. It is a version, then each of q's parts (see
// queryParts) as a uvarint length and bytes, so that two fingerprints can
// be compared part by part to say what differs.
func fingerprint(q *Query) string {
	b := []byte(fingerprintVersion)
	for _, p := range queryParts(q, false) {
		b = binary.AppendUvarint(b, uint64(len(p.key)))
		b = append(b, p.key...)
	}
	return string(b)
}

const fingerprintVersion = "sessionagg/2"

// A queryPart is one thing that identifies a query's rows: its name in
// error messages, its bytes in the fingerprint, and its value for people.
type queryPart struct {
	name string
	key  []byte
	show string
}

// queryParts returns the parts of q that make its fingerprint, in order;
// with their values for people only if show is true, since a fingerprint
// is made for every Aggregator and a message rarely.
func queryParts(q *Query, show bool) []queryPart {
	var parts [10]queryPart
	var buf [16]int64
	vals := buf[:0]
	add := func(i int, name, value string, b []byte) {
		for _, v := range vals {
			b = binary.AppendVarint(b, v)
		}
		parts[i] = queryPart{name, b, value}
		vals = buf[:0]
	}
	for i, side := range [2]struct {
		name string
		t    time.Time
	}{{"startTime", q.Start}, {"endTime", q.End}} {
		value := "open"
		if side.t.IsZero() {
			vals = append(vals, 0)
		} else {
			vals = append(vals, 1, side.t.Unix(), int64(side.t.Nanosecond()))
			if show {
				value = formatTime(side.t)
			}
		}
		add(i, side.name, value, nil)
	}
	vals = append(vals, int64(q.period()))
	add(2, "period", q.period().String(), nil)
	vals = append(vals, int64(q.WeekStart))
	add(3, "weekStart", q.WeekStart.String(), nil)
	loc := q.location()
	off := int64(math.MinInt64)
	if fixed, o := fixedOffset(loc); fixed {
		off = o
	}
	vals = append(vals, off)
	add(4, "timezone", loc.String(), []byte(loc.String()))
	for _, f := range q.GroupBy {
		vals = append(vals, int64(f))
	}
	value := ""
	if show {
		value = fmt.Sprint(q.GroupBy)
	}
	add(5, "groupBy", value, nil)
	vals = append(vals, int64(q.statistics()))
	if show {
		var stats []Statistic
		for s := Sum; s <= Avg; s++ {
			if q.statistics()&(1<<s) != 0 {
				stats = append(stats, s)
			}
		}
		value = fmt.Sprint(stats)
	}
	add(6, "statistics", value, nil)
	fill := int64(0)
	if q.FillEmpty {
		fill = 1
	}
	vals = append(vals, fill)
	add(7, "fillEmpty", strconv.FormatBool(q.FillEmpty), nil)
	for i, f := range [2]struct {
		name string
		ids  []string
	}{{"queueIds", q.QueueIDs}, {"fleetIds", q.FleetIDs}} {
		ids := slices.Clone(f.ids)
		slices.Sort(ids)
		var b []byte
		for _, id := range ids {
			b = appendString(b, id)
		}
		if show {
			value = fmt.Sprintf("%q", ids)
		}
		add(8+i, f.name, value, b)
	}
	return parts[:]
}

// differences returns the names of the parts in which the fingerprints x
// and y differ, as "period and statistics".
func differences(x, y string) string {
	split := func(fp string) [][]byte {
		rest, ok := strings.CutPrefix(fp, fingerprintVersion)
		if !ok {
			return nil
		}
		d := decoder{data: []byte(rest)}
		var parts [][]byte
		for len(d.data) > 0 && d.err == nil {
			parts = append(parts, d.bytes())
		}
		return parts
	}
	px, py := split(x), split(y)
	names := queryParts(&Query{}, false)
	if len(px) != len(names) || len(py) != len(names) {
		return "version of this package"
	}
	var diff []string
	for i := range names {
		if !bytes.Equal(px[i], py[i]) {
			diff = append(diff, names[i].name)
		}
	}
	return joinAnd(diff)
}

// mismatch describes how the queries x and y differ, as "period HOURLY,
// want DAILY".
func mismatch(x, y *Query) string {
	px, py := queryParts(x, true), queryParts(y, true)
	var diff []string
	for i := range px {
		if !bytes.Equal(px[i].key, py[i].key) {
			diff = append(diff, px[i].name+" "+px[i].show+", want "+py[i].show)
		}
	}
	return strings.Join(diff, "; ")
}

// describe returns a short account of q for messages.
func describe(q *Query) string {
	var b strings.Builder
	b.WriteString("query{")
	b.WriteString(q.period().String())
	b.WriteString(" in ")
	b.WriteString(q.location().String())
	if len(q.GroupBy) > 0 {
		b.WriteString(" by ")
		for i, f := range q.GroupBy {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.String())
		}
	}
	b.WriteByte('}')
	return b.String()
}

// joinAnd joins words as "a, b and c".
func joinAnd(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// appendJSONFloat appends f as encoding/json writes a float64.
func appendJSONFloat(b []byte, f float64) []byte { return jsonfloat.Append(b, f) }

// appendJSONString appends s as encoding/json writes a string.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			// Escapes, HTML-safe characters and invalid UTF-8 as
			// encoding/json has them.
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
