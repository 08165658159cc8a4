package sessionagg

import (
	"cmp"
	"math"
	"slices"
)

// Slabs hold the rows of an Aggregator in a fixed-offset zone, where a
// bucket's key is its ordinal. Each group has one slab: the sums of a run
// of consecutive keys, in key order, whether or not they have pieces yet.
// A piece finds its row with a subtraction and one load, and the pieces of
// one session, hours or days in a row, land in neighbouring memory, as in
// a hand-written loop over a two-dimensional array. The sums hold no
// pointers, so the garbage collector does not scan them.
//
// A slab grows to cover the keys its group touches, no further than the
// window's. When the slabs hold many more empty cells than rows (groups
// whose sessions are far apart in time), the Aggregator moves its rows to
// a table, whose memory grows with the rows alone, and goes on there.
type slabs struct {
	groups []slab
	rows   int   // cells that have pieces
	size   int   // cells held, empty ones included
	lo, hi int64 // the keys a slab may cover: the window's, or any
}

type slab struct {
	base  int64 // key of cells[0]
	cells []sums
	rows  int // cells that have pieces
}

// The slabs may hold slabBudget cells (80 MB) whatever their rows, so
// that sessions in random order, which leave gaps in every slab at first,
// do not send the rows to the table before they fill the gaps; beyond it,
// slabRatio cells per row. One group's slab may hold groupBudget cells
// (5 MB, seven years of hours) whatever its rows, beyond that groupRatio
// per row, so that a few sessions of one group decades apart send the
// rows to the table at once.
const (
	slabBudget  = 1 << 20
	slabRatio   = 8
	groupBudget = 1 << 16
	groupRatio  = 16
)

// slabWhole is the number of buckets up to which a window is given whole
// to a group's slab on its first row (at 80 bytes a cell, 20 KB).
const slabWhole = 256

// newSlabs returns empty slabs for keys in [lo, hi].
func newSlabs(lo, hi int64) *slabs { return &slabs{lo: lo, hi: hi} }

// addGroup adds a group with an empty slab.
func (sl *slabs) addGroup() { sl.groups = append(sl.groups, slab{}) }

// cell returns group g's cell for key, growing its slab to cover key, or
// false if that would hold too many empty cells.
func (sl *slabs) cell(g int32, key int64) (*sums, bool) {
	s := &sl.groups[g]
	if i := uint64(key - s.base); i < uint64(len(s.cells)) {
		return &s.cells[i], true
	}
	if key < sl.lo || key > sl.hi {
		return nil, false // not a key of the window: not for slabs
	}
	// The new run of keys [lo, hi]: at least twice the old one, so that
	// a slab is copied a logarithmic number of times, within [sl.lo,
	// sl.hi].
	lo, hi := key, key
	span := uint64(sl.hi - sl.lo) // unsigned: an open window's span overflows
	if span < slabWhole {
		// A short window: the whole of it at once, never to be copied.
		lo, hi = sl.lo, sl.hi
	} else if n := int64(len(s.cells)); n > 0 {
		lo, hi = min(key, s.base), max(key, s.base+n-1)
		if grow := 2*n - (hi - lo + 1); grow > 0 {
			if key < s.base {
				lo = max(sl.lo, lo-grow)
			} else {
				hi = min(sl.hi, hi+grow)
			}
		}
		if uint64(hi-lo+1) > span/4 {
			// A quarter of the window: sessions in random order soon
			// need the rest, so take it now rather than copy the
			// cells twice more on the way.
			lo, hi = sl.lo, sl.hi
		}
	}
	n := hi - lo + 1
	if n <= 0 || n > math.MaxInt32 {
		return nil, false
	}
	if n > max(groupBudget, groupRatio*int64(s.rows+1)) {
		return nil, false
	}
	if size := int64(sl.size) - int64(len(s.cells)) + n; size > max(slabBudget, slabRatio*int64(sl.rows+1)) {
		return nil, false
	}
	cells := make([]sums, n)
	if len(s.cells) > 0 {
		copy(cells[s.base-lo:], s.cells)
	}
	sl.size += len(cells) - len(s.cells)
	s.base, s.cells = lo, cells
	return &s.cells[key-lo], true
}

// row returns the sums of group g's row for the bucket [start, end) with
// key, creating the row if need be, and the row's cell in the table when
// the rows are there (with the slabs, nil). Creating a row may exceed the
// query's MaxRows, an error; or move the rows from the slabs to the table.
func (a *Aggregator) row(g int32, key, start, end int64) (*sums, *cell, error) {
	if sl := a.slabs; sl != nil {
		if s, ok := sl.cell(g, key); ok {
			if s.runtime.count == 0 {
				if a.q.MaxRows > 0 && sl.rows >= a.q.MaxRows {
					return nil, nil, errTooManyRows
				}
				sl.rows++
				sl.groups[g].rows++
				a.t.noteRow(start, end)
			}
			return s, nil, nil
		}
		if err := a.unslab(); err != nil {
			return nil, nil, err
		}
	}
	c, err := a.t.cell(g, key, start, end)
	if err != nil {
		return nil, nil, err
	}
	return &c.sums, c, nil
}

// unslab moves the rows from the slabs to the table, for good.
func (a *Aggregator) unslab() error {
	err := a.cells(func(g, _ int32, start, end int64, s *sums, _ string) error {
		c, err := a.t.cell(g, a.sp.g.ord(start), start, end)
		if err == nil {
			c.sums = *s
		}
		return err
	})
	a.slabs = nil
	return err
}

// cells calls f for every row a has, in no particular order: its group,
// its index in its store (see rowEntry), its bucket, sums and job name.
// It stops at f's first error and returns it.
func (a *Aggregator) cells(f func(g, i int32, start, end int64, s *sums, job string) error) error {
	if sl := a.slabs; sl != nil {
		for g := range sl.groups {
			s := &sl.groups[g]
			for i := range s.cells {
				if s.cells[i].runtime.count == 0 {
					continue
				}
				key := s.base + int64(i)
				if err := f(int32(g), int32(i), a.sp.g.ordStart(key), a.sp.g.ordStart(key+1), &s.cells[i], ""); err != nil {
					return err
				}
			}
		}
		return nil
	}
	t := a.t
	for i := range t.cells {
		w, c := &t.where[i], &t.cells[i]
		if err := f(w.group, int32(i), w.start, w.end, &c.sums, c.jobName); err != nil {
			return err
		}
	}
	return nil
}

// rowCount returns the number of rows a has.
func (a *Aggregator) rowCount() int {
	if a.slabs != nil {
		return a.slabs.rows
	}
	return len(a.t.cells)
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

// order returns the indexes of t's cells sorted by bucket start, then by
// group number.
func (t *table[C]) order() []int32 {
	idx := make([]int32, len(t.cells))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(x, y int32) int {
		wx, wy := &t.where[x], &t.where[y]
		if c := cmp.Compare(wx.start, wy.start); c != 0 {
			return c
		}
		return cmp.Compare(wx.group, wy.group)
	})
	return idx
}

// sums is what a row accumulates, but for its job name.
type sums struct{ runtime, cost Stats }

// cell is a row in the table: its sums and, with JOB_ID, its job name.
type cell struct {
	sums
	jobName string
}
