package sessionagg

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// The engine under every aggregation: clipping a session to the window,
// walking its pieces on a grid without time.Time, and finding the cell of a
// (group, bucket) pair by index rather than by hashing instants.

// An instant is a time as Unix seconds and nanoseconds in [0, 1e9).
type instant struct{ sec, nsec int64 }

func instantOf(t time.Time) instant { return instant{t.Unix(), int64(t.Nanosecond())} }

// ok reports whether a is an instant that Validate accepts: not the zero
// time.Time, and not one whose Unix seconds wrapped around. A time.Time
// counts seconds from year 1, and Unix subtracts 62,135,596,800 from
// them: for the times of the first 1,970 years after time.Time's minimum
// (such as time.Unix(math.MaxInt64, 0), whose own seconds overflow) the
// result wraps to within that much of MaxInt64, and no other time's Unix
// seconds come that close; Before and Unix then disagree on its order.
func (a instant) ok() bool {
	return a.sec <= math.MaxInt64-unixToInternal && (a.sec != -unixToInternal || a.nsec != 0)
}

// unixToInternal is the seconds from 0001-01-01, time.Time's zero, to 1970.
const unixToInternal = 62135596800

func (a instant) less(b instant) bool {
	return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec)
}

// secondsTo returns b - a in seconds. The nanoseconds are brought into
// [0, 1e9) first, so that the two terms do not cancel: 2 ns across a whole
// second is 2e-9, not 1 - 0.999999998.
func (a instant) secondsTo(b instant) float64 {
	sec, nsec := b.sec-a.sec, b.nsec-a.nsec
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	return float64(sec) + float64(nsec)*1e-9
}

// A window is the query's [start, end), open on a side whose flag is false.
type window struct {
	start, end       instant
	hasStart, hasEnd bool
}

func windowOf(q *Query) window {
	w := window{hasStart: !q.Start.IsZero(), hasEnd: !q.End.IsZero()}
	if w.hasStart {
		w.start = instantOf(q.Start)
	}
	if w.hasEnd {
		w.end = instantOf(q.End)
	}
	return w
}

// clip returns the part of [s, e) inside w, and whether any of it is.
func (w *window) clip(s, e instant) (instant, instant, bool) {
	if w.hasStart && s.less(w.start) {
		s = w.start
	}
	if w.hasEnd && w.end.less(e) {
		e = w.end
	}
	return s, e, s.less(e)
}

// contains reports whether t lies in w.
func (w *window) contains(t instant) bool {
	return (!w.hasStart || !t.less(w.start)) && (!w.hasEnd || t.less(w.end))
}

// A splitter cuts sessions into pieces on one grid, inside one window.
type splitter struct {
	g   grid
	win window
	// maxPieces bounds the pieces of one session (0: no bound), so that a
	// session of a thousand years fails fast instead of filling memory.
	maxPieces int
}

func newSplitter(q *Query) splitter {
	return splitter{g: *q.calendar().grid(), win: windowOf(q), maxPieces: q.maxBuckets()}
}

// errTooManyPieces is returned by each when a session has more pieces than
// maxPieces.
var errTooManyPieces = fmt.Errorf("%w: a session spans more buckets than the limit (Query.MaxBuckets, or DefaultMaxBuckets on a window open on a side)", ErrTooLarge)

// errEndOfTime is returned by each, and by Aggregator.Add, for a session
// that reaches where the bucket arithmetic would overflow, some 292
// billion years from 1970.
var errEndOfTime = fmt.Errorf("%w: a session reaches the end of representable time", ErrTooLarge)

// each calls f for every piece of the session [s, e), clipped to the
// window, with the bucket's key, start and end, and the piece's length in
// seconds. A zero-length session whose start lies in the window gives one
// piece of length 0. An error from f stops the walk and is returned.
func (sp *splitter) each(s, e instant, f func(key, bstart, bend int64, secs float64) error) error {
	if s == e {
		if !sp.win.contains(s) {
			return nil
		}
	} else {
		var ok bool
		if s, e, ok = sp.win.clip(s, e); !ok {
			return nil
		}
	}
	c := sp.g.at(s.sec)
	if s.sec < c.start || s.sec >= c.end {
		return errEndOfTime // the bucket arithmetic overflowed
	}
	if s == e {
		return f(c.key, c.start, c.end, 0)
	}
	for n := 1; ; n++ {
		if sp.maxPieces > 0 && n > sp.maxPieces {
			return errTooManyPieces
		}
		// The piece ends at e if e <= c.end, which holds when e.sec <
		// c.end, or e.sec == c.end with no nanoseconds.
		if e.sec < c.end || (e.sec == c.end && e.nsec == 0) {
			return f(c.key, c.start, c.end, s.secondsTo(e))
		}
		end := instant{c.end, 0}
		if err := f(c.key, c.start, c.end, s.secondsTo(end)); err != nil {
			return err
		}
		s = end
		if !c.advance() {
			return errEndOfTime
		}
	}
}

// A bucketCache remembers buckets of one grid by the instants they hold:
// a direct-mapped cache whose slot for an instant is a function of the
// instant alone, about one bucket wide, so that neighbouring buckets take
// different slots. In a fixed zone, where only months use it, the slot is
// the local day's: a day lies in one month, so months never share a slot.
// It must be set up by init.
type bucketCache struct {
	shift uint // log2 of a slot's span of seconds, or 0 for a fixed zone
	off   int64
	slots [256]cursor
}

// init empties bc and sets it up for g.
func (bc *bucketCache) init(g *grid) {
	if g.fixed {
		*bc = bucketCache{off: g.off}
		return
	}
	// Powers of two near an hour, a day, a week and a month.
	*bc = bucketCache{shift: [...]uint{Hourly: 12, Daily: 16, Weekly: 19, Monthly: 21}[g.period]}
}

// at returns g.at(sec), from the cache if it holds the bucket.
func (bc *bucketCache) at(g *grid, sec int64) cursor {
	var i uint64
	if bc.shift == 0 {
		i = uint64(floorDiv(sec+bc.off, 86400))
	} else {
		i = uint64(sec >> bc.shift)
	}
	c := &bc.slots[i%uint64(len(bc.slots))]
	// The zero cursor has start == end == 0 and so holds no instant.
	if sec < c.start || sec >= c.end {
		*c = g.at(sec)
	}
	return *c
}

// count returns the number of buckets that [start, end) touches, counting
// no further than limit.
func (g *grid) count(start int64, end instant, limit int) int {
	c := g.at(start)
	if g.fixed {
		last := g.at(end.sec)
		if end.nsec == 0 && last.start == end.sec {
			return int(min(last.key-c.key, int64(limit)))
		}
		return int(min(last.key-c.key+1, int64(limit)))
	}
	n := 1
	for n < limit && (c.end < end.sec || (c.end == end.sec && end.nsec > 0)) {
		if !c.advance() {
			break
		}
		n++
	}
	return n
}

// A table holds one cell of type C per (group, bucket) pair that has a
// piece. Groups are small integers that the caller assigns. Buckets are
// found by key: for fixed-offset zones the key is the bucket's ordinal,
// dense already; for other zones a dictionary maps bucket starts to dense
// ids. Each group keeps a window of cell indexes over the keys it has seen,
// so a piece finds its cell with a subtraction and two loads.
type table[C any] struct {
	groups []groupCells
	cells  []C
	where  []cellKey // where[i] is the group and key of cells[i]
	dense  bool      // keys are dense already
	ids    map[int64]int64
	starts []int64 // with ids: starts[id] is the start of bucket id
	limit  int     // maximum number of cells, 0 for none

	// With ids, the last bucket looked up: pieces of one session, and
	// sessions in time order, come to the same bucket in a row.
	lastStart, lastID int64

	// A flat index, for keys known to lie in [first, first+span): a
	// fixed zone and a bounded window. flat[g*span + key-first] is the
	// cell index + 1 of group g and key: one load, where the groups'
	// windows below take two that depend on each other. It is dropped
	// when groups × span outgrows flatBudget, as with a group per job
	// over a window of many hours; the groups' windows are kept up to
	// date either way.
	flat        []int32
	first, span int64

	// The buckets from the first to the last that has a row (a cell, or
	// a row that the caller keeps and tells of with noteRow): lo is the
	// start of the first, hi the end of the last, n their number as far
	// as buckets has counted them, over [counted.lo, counted.hi).
	hasRows bool
	lo, hi  int64
	counted struct{ lo, hi int64 }
	n       int
}

type groupCells struct {
	base   int64   // key of idx[0]
	idx    []int32 // cell index + 1, or 0 for no cell
	n      int     // cells of this group
	sparse map[int64]int32
}

// A group whose keys spread much wider than its cells (sessions years
// apart in an open window, or a job's few sessions months apart) keeps
// its cell indexes in a map instead, so memory grows with rows, not with
// the time between them. (At 4096, 50,000 jobs of three sessions 2,000
// hours apart took 867 MB; at 64, 58 MB.)
const denseSpan = 64

type cellKey struct {
	group int32
	key   int64 // bucket key
	start int64 // bucket start
	end   int64 // bucket end
}

var errTooManyRows = fmt.Errorf("%w: more rows than the limit", ErrTooLarge)

func newTable[C any](dense bool, limit int) *table[C] {
	t := &table[C]{dense: dense, limit: limit, lastID: -1}
	if !dense {
		t.ids = make(map[int64]int64)
	}
	return t
}

// addGroup adds a group and returns its number.
func (t *table[C]) addGroup() int32 {
	t.groups = append(t.groups, groupCells{})
	if t.span > 0 {
		if n := int64(len(t.flat)) + t.span; n > max(flatBudget, 8*int64(len(t.cells))) {
			t.flat, t.span = nil, 0
		} else {
			t.flat = append(t.flat, make([]int32, t.span)...)
		}
	}
	return int32(len(t.groups) - 1)
}

// flatBudget is the number of entries up to which a flat index is kept
// whatever the number of cells: 4 MB.
const flatBudget = 1 << 20

// useFlat starts a flat index over the keys [first, first+span), for a
// table with no groups yet.
func (t *table[C]) useFlat(first, span int64) {
	if t.dense && len(t.groups) == 0 && span > 0 && span <= flatBudget {
		t.first, t.span = first, span
	}
}

// cell returns the cell of group g and the bucket [start, end) with key,
// creating it if need be. The pointer is valid until the next call.
// (Aggregator.add writes the first half out, for a cell that exists.)
func (t *table[C]) cell(g int32, key, start, end int64) (*C, error) {
	if !t.dense {
		key = t.id(start)
	}
	gc := &t.groups[g]
	if i := key - gc.base; uint64(i) < uint64(len(gc.idx)) {
		if j := gc.idx[i]; j != 0 {
			return &t.cells[j-1], nil
		}
	}
	return t.lookup(gc, g, key, start, end)
}

// id returns the dense id of the bucket that starts at start, for a table
// whose keys are not dense.
func (t *table[C]) id(start int64) int64 {
	if start == t.lastStart && t.lastID >= 0 {
		return t.lastID
	}
	id, ok := t.ids[start]
	if !ok {
		id = int64(len(t.starts))
		t.ids[start] = id
		t.starts = append(t.starts, start)
	}
	t.lastStart, t.lastID = start, id
	return id
}

// lookup is the rest of cell: a group whose cells are in a map, or a cell
// that does not exist yet.
func (t *table[C]) lookup(gc *groupCells, g int32, key, start, end int64) (*C, error) {
	if gc.sparse != nil {
		if j := gc.sparse[key]; j != 0 {
			return &t.cells[j-1], nil
		}
	}
	return t.newCell(gc, g, key, start, end)
}

func (t *table[C]) newCell(gc *groupCells, g int32, key, start, end int64) (*C, error) {
	if t.limit > 0 && len(t.cells) >= t.limit {
		return nil, errTooManyRows
	}
	if len(t.cells) >= math.MaxInt32-1 {
		return nil, errTooManyRows
	}
	switch i := key - gc.base; {
	case gc.sparse != nil:
	case len(gc.idx) > 0 && (i < 0 || i >= int64(len(gc.idx))) && max(i+1, int64(len(gc.idx))-i) > max(denseSpan, 16*int64(gc.n)):
		gc.sparse = make(map[int64]int32, gc.n+1)
		for k, j := range gc.idx {
			if j != 0 {
				gc.sparse[gc.base+int64(k)] = j
			}
		}
		gc.idx = nil
	case len(gc.idx) == 0:
		gc.base = key
		gc.idx = make([]int32, 1, 8)
	case i < 0:
		// Grow downward, leaving room for more.
		grow := max(-i, int64(len(gc.idx)))
		idx := make([]int32, grow+int64(len(gc.idx)))
		copy(idx[grow:], gc.idx)
		gc.base -= grow
		gc.idx = idx
	case i >= int64(len(gc.idx)):
		need := i + 1
		if need <= int64(cap(gc.idx)) {
			gc.idx = gc.idx[:need]
		} else {
			idx := make([]int32, need, max(need, 2*int64(cap(gc.idx))))
			copy(idx, gc.idx)
			gc.idx = idx
		}
	}
	if len(t.cells) == cap(t.cells) {
		// Double, rather than append's 1.25 for large slices: the cells
		// are copied half as often, and a table of many rows is built
		// with a third of the allocation.
		n := max(64, len(t.cells))
		if t.limit > 0 {
			n = max(1, min(n, t.limit-len(t.cells)))
		}
		t.cells = slices.Grow(t.cells, n)
		t.where = slices.Grow(t.where, n)
	}
	var zero C
	t.cells = append(t.cells, zero)
	t.where = append(t.where, cellKey{g, key, start, end})
	gc.n++
	if gc.sparse != nil {
		gc.sparse[key] = int32(len(t.cells))
	} else {
		gc.idx[key-gc.base] = int32(len(t.cells))
	}
	if t.span > 0 {
		if i := key - t.first; i >= 0 && i < t.span {
			t.flat[int64(g)*t.span+i] = int32(len(t.cells))
		} else {
			t.flat, t.span = nil, 0 // not the keys it was made for
		}
	}
	t.noteRow(start, end)
	return &t.cells[len(t.cells)-1], nil
}

// noteRow extends the buckets that have rows to [start, end).
func (t *table[C]) noteRow(start, end int64) {
	if !t.hasRows {
		t.lo, t.hi, t.hasRows = start, end, true
	} else {
		t.lo, t.hi = min(t.lo, start), max(t.hi, end)
	}
}

// buckets returns the number of buckets of g from the first that has a
// cell to the last, counting no further than limit. It counts only the
// buckets added to either end since it last counted, so that calling it
// after every session costs time in proportion to the span, not to the
// number of calls.
func (t *table[C]) buckets(g *grid, limit int) int {
	switch {
	case !t.hasRows:
		return 0
	case t.n == 0:
		t.n = g.count(t.lo, instant{t.hi, 0}, limit)
		t.counted.lo, t.counted.hi = t.lo, t.hi
	}
	// Boundaries are whole seconds, so the buckets of [lo, counted.lo)
	// and of [counted.hi, hi) are exactly the ones added at either end.
	if t.lo < t.counted.lo && t.n < limit {
		t.n += g.count(t.lo, instant{t.counted.lo, 0}, limit-t.n)
		t.counted.lo = t.lo
	}
	if t.hi > t.counted.hi && t.n < limit {
		t.n += g.count(t.counted.hi, instant{t.hi, 0}, limit-t.n)
		t.counted.hi = t.hi
	}
	return t.n
}
