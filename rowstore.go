package sessionagg

import (
	"cmp"
	"math"
	"slices"
)

// The row store: where the rows of an aggregation live while sessions are
// added, and how everything after it (Result, the binary form, the shapes)
// reads them.
//
// The words of this package, one meaning each:
//
//   - A bucket is one period of a grid (grid.go), found by a cursor; its
//     key is its number on the grid: its ordinal (hours, days, weeks or
//     months since 1970 on the zone's wall clock) in a fixed-offset zone,
//     its start in Unix seconds in any other zone.
//   - A group is the number, dense from 0 in the order first seen, of a
//     tuple of group-by labels (group.go); the tuple is the group's labels.
//   - A cell is the memory of one (group, bucket) pair: a sums value, and
//     in the table a name. A cell with no piece (a count of 0) is empty.
//   - A row is a cell that is not empty, with its group and bucket: what a
//     Result shows as a Row. (A Result may add empty rows, with no cell.)
//   - A column is the table's dense number of a bucket whose key is not
//     dense (a bucket start); with ordinals, the key is the column.
//   - A ref is where a row's cell lies in a rowView: its group, its bucket
//     and its index in the group's slab or in the table.
//
// A store keeps its cells in one of two layouts, and moves them from the
// first to the second, for good, when the first would hold too many empty
// cells:
//
//   - Slabs (slabs.go), dense: one run of cells per group, in key order,
//     empty cells included, for ordinal keys (a fixed-offset zone) and
//     rows with no name. A piece finds its cell with a subtraction and one
//     load, and the pieces of one session land in neighbouring memory.
//   - A table (table.go), sparse: only the rows, in the order they were
//     made, with an index per group from column to cell. Memory grows
//     with the rows.
//
// A snapshot (for a Result) shares the cells as they are; the store copies
// them before it next writes (own). Rows leave in row order: by bucket
// start, then by the rank of their group (ordered).
//
// A rowStore is not safe for concurrent use.
type rowStore struct {
	gr     grid   // the buckets' grid: keys to bounds
	slabs  *slabs // the dense layout, or nil when the rows are in t
	t      table  // the sparse layout
	limit  int    // the most rows, 0 for no limit
	shared bool   // a snapshot holds the cells: copy them before writing

	// The buckets from the first that has a row to the last: lo is the
	// start of the first, hi the end of the last, n their number as far
	// as buckets has counted them, over [counted.lo, counted.hi).
	hasRows bool
	lo, hi  int64
	counted struct{ lo, hi int64 }
	n       int

	// ever is lo and hi over every row the store has held, closed ones
	// included: the range a result with empty rows fills (see fillRange).
	ever struct {
		has    bool
		lo, hi int64
	}
}

// The layouts a store may start in.
const (
	// denseRows: slabs where keys are ordinals, else the table.
	denseRows = iota
	// namedRows: the table, for rows that carry names (see keepName),
	// with a flat index where keys are ordinals and the window bounded.
	namedRows
	// sparseRows: the table alone, for many groups of few rows each.
	sparseRows
)

// newRowStore returns an empty store, with no group, of rows of the
// buckets of gr in the window w, with at most limit rows (0: no limit),
// in the layout layout.
func newRowStore(gr *grid, w *window, layout int, limit int) *rowStore {
	st := &rowStore{gr: *gr, limit: limit}
	st.t.init(gr.fixed, limit)
	if gr.fixed {
		// The keys of the window's first and last buckets.
		first, last := gr.at(w.start.sec).key, gr.at(w.end.sec).key
		if w.end.nsec == 0 {
			last = gr.at(w.end.sec - 1).key
		}
		switch {
		case layout == denseRows && w.hasStart && w.hasEnd:
			st.slabs = newSlabs(first, last)
		case layout == denseRows:
			st.slabs = newSlabs(math.MinInt64, math.MaxInt64)
		case layout == namedRows && w.hasStart && w.hasEnd:
			st.t.useFlat(first, last-first+1)
		}
	}
	return st
}

// addGroup adds a group, which has no row yet.
func (st *rowStore) addGroup() {
	if st.slabs != nil {
		st.slabs.addGroup()
	}
	st.t.addGroup()
}

// find returns the sums of group g's row in the bucket cur, or nil if
// there is none yet.
func (st *rowStore) find(g int32, cur *cursor) *sums {
	if st.slabs != nil {
		return st.slabs.find(g, cur.key)
	}
	return st.t.find(g, cur)
}

// row returns the sums of group g's row in the bucket cur, making the row
// if it is new: the cell stays empty until the caller adds to it, and must
// then be added to. A new row beyond the limit is an error wrapping
// ErrTooLarge; a new row may move the rows from the slabs to the table.
// The sums are valid until the next call of row.
//
// On the hot path, callers try st.slabs.find first, which is inlined.
func (st *rowStore) row(g int32, cur *cursor) (*sums, error) {
	if sl := st.slabs; sl != nil {
		if s, ok := sl.cell(g, cur.key); ok {
			if s.runtime.count == 0 {
				if st.limit > 0 && sl.rows >= st.limit {
					return nil, errTooManyRows
				}
				sl.rows++
				sl.groups[g].rows++
				st.noteRow(cur.start, cur.end)
			}
			return s, nil
		}
		if err := st.unslab(); err != nil {
			return nil, err
		}
	}
	c, isNew, err := st.t.cell(g, cur)
	if err != nil {
		return nil, err
	}
	if isNew {
		st.noteRow(cur.start, cur.end)
	}
	return &c.sums, nil
}

// keepName keeps name as the name of the row that find or row returned
// last, if it is smaller than the row's name in byte order or the row has
// none. Only the table names rows: with slabs it does nothing.
func (st *rowStore) keepName(name string) {
	if st.slabs == nil && name != "" {
		if c := &st.t.cells[st.t.last]; c.name == "" || name < c.name {
			c.name = name
		}
	}
}

// unslab moves the rows from the slabs to the table, for good.
func (st *rowStore) unslab() error {
	sl := st.slabs
	st.slabs = nil
	return st.slabRows(sl, func(g, _ int32, cur cursor, s *sums) error {
		c, _, err := st.t.cell(g, &cur)
		if err == nil {
			c.sums = *s
		}
		return err
	})
}

// slabRows calls f for every row in sl, group by group, with its group,
// its index in the group's slab, its bucket and its sums. It stops at f's
// first error and returns it.
func (st *rowStore) slabRows(sl *slabs, f func(g, i int32, cur cursor, s *sums) error) error {
	for g := range sl.groups {
		s := &sl.groups[g]
		for i := range s.cells {
			if s.cells[i].runtime.count == 0 {
				continue
			}
			cur := st.slabCursor(s.base + int64(i))
			if err := f(int32(g), int32(i), cur, &s.cells[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// slabCursor returns the bucket whose key is the ordinal key.
func (st *rowStore) slabCursor(key int64) cursor {
	return cursor{&st.gr, key, st.gr.ordStart(key), st.gr.ordStart(key + 1)}
}

// own makes the cells st's own again after a snapshot: callers call it
// before they change any cell that find or add returns.
func (st *rowStore) own() {
	if st.shared {
		st.unshare()
	}
}

func (st *rowStore) unshare() {
	st.shared = false
	if st.slabs != nil {
		groups := make([]slab, len(st.slabs.groups), cap(st.slabs.groups))
		for g, s := range st.slabs.groups {
			groups[g] = slab{s.base, slices.Clone(s.cells), s.rows}
		}
		st.slabs.groups = groups
		return
	}
	st.t.cells = slices.Clip(slices.Clone(st.t.cells))
}

// len returns the number of rows.
func (st *rowStore) len() int {
	if st.slabs != nil {
		return st.slabs.rows
	}
	return len(st.t.cells)
}

// dense returns the number of cells in slabs, empty ones included, or -1
// when the rows are in the table.
func (st *rowStore) dense() int {
	if st.slabs != nil {
		return st.slabs.size
	}
	return -1
}

// load reads group g's cell of key from the slabs, if it is there, and
// returns a value made of it: see Aggregator.addBatch, which loads the
// cells of a batch before it adds to them.
func (st *rowStore) load(g int32, key int64) int64 {
	s := &st.slabs.groups[g]
	if k := uint64(key - s.base); k < uint64(len(s.cells)) {
		// A cell is 80 bytes, often across two cache lines: load from
		// both.
		c := &s.cells[k]
		return c.runtime.count ^ int64(math.Float64bits(c.cost.max))
	}
	return 0
}

// each calls f for every row, in no particular order, with its ref and its
// cell's sums and name. It stops at f's first error and returns it.
func (st *rowStore) each(f func(r rowRef, s *sums, name string) error) error {
	if sl := st.slabs; sl != nil {
		return st.slabRows(sl, func(g, i int32, cur cursor, s *sums) error {
			return f(rowRef{cur.start, cur.end, g, i}, s, "")
		})
	}
	t := &st.t
	for i := range t.cells {
		p, c := &t.where[i], &t.cells[i]
		if err := f(rowRef{p.start, p.end, p.group, int32(i)}, &c.sums, c.name); err != nil {
			return err
		}
	}
	return nil
}

// A rowRef is a row in a rowView: its bucket [start, end), its group, and
// the index of its cell in the group's slab or in the table; -1 for an
// empty row, which has no cell.
type rowRef struct {
	start, end int64
	group      int32
	cell       int32
}

// ordered returns a ref of every row in row order: by bucket start, then
// by the rank of the group (rank[g] is group g's place among the groups).
func (st *rowStore) ordered(rank []int32) []rowRef {
	if refs, ok := st.slabOrdered(rank); ok {
		return refs
	}
	refs := make([]rowRef, 0, st.len())
	st.each(func(r rowRef, _ *sums, _ string) error {
		refs = append(refs, r)
		return nil
	})
	sortRefs(refs, rank)
	return refs
}

// sortRefs sorts refs in row order.
func sortRefs(refs []rowRef, rank []int32) {
	slices.SortFunc(refs, func(x, y rowRef) int {
		if c := cmp.Compare(x.start, y.start); c != 0 {
			return c
		}
		return int(rank[x.group] - rank[y.group])
	})
}

// slabOrdered is ordered for rows in slabs that cover their keys densely
// enough to be read key by key, each key's groups by rank, which gives the
// refs in order with no sort. It reports false if that would not pay.
func (st *rowStore) slabOrdered(rank []int32) ([]rowRef, bool) {
	sl := st.slabs
	if sl == nil {
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
	if keys := uint64(hi - lo + 1); keys > uint64(1+4*sl.size/len(rank)) {
		return nil, false
	}
	order := make([]int32, len(rank)) // order[i] is the group of rank i
	for g, r := range rank {
		order[r] = int32(g)
	}
	refs := make([]rowRef, 0, sl.rows)
	for key := lo; key <= hi; key++ {
		cur := st.slabCursor(key)
		for _, g := range order {
			s := &sl.groups[g]
			if i := key - s.base; uint64(i) < uint64(len(s.cells)) && s.cells[i].runtime.count != 0 {
				refs = append(refs, rowRef{cur.start, cur.end, g, int32(i)})
			}
		}
	}
	return refs, true
}

// copyOrdered returns a ref of every row in row order, as ordered does,
// and a view of the rows for good, as snapshot does: for rows in slabs
// that cover their keys densely enough, a copy of their sums in row
// order, which a ref's cell then indexes, and which the store need not
// copy again before it next writes. Reading rows in row order from the
// slabs, a group's slab after another's, misses the cache on almost every
// row once the slabs outgrow it; this reads the slabs in memory order,
// twice: once to count each key's rows, once to copy them into place,
// the groups in rank order. It falls back to ordered and snapshot.
func (st *rowStore) copyOrdered(rank []int32) ([]rowRef, rowView) {
	sl := st.slabs
	if sl == nil || len(rank) == 0 {
		return st.ordered(rank), st.snapshot()
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for g := range sl.groups {
		if s := &sl.groups[g]; s.rows > 0 {
			lo, hi = min(lo, s.base), max(hi, s.base+int64(len(s.cells))-1)
		}
	}
	if lo > hi {
		return nil, rowView{rows: []sums{}}
	}
	if keys := uint64(hi - lo + 1); keys > uint64(1+4*sl.size) {
		return st.ordered(rank), st.snapshot()
	}
	at := make([]int32, hi-lo+2) // at[k-lo]: where the next row of key k goes
	for g := range sl.groups {
		s := &sl.groups[g]
		for i := range s.cells {
			if s.cells[i].runtime.count != 0 {
				at[s.base-lo+int64(i)+1]++
			}
		}
	}
	for k := 1; k < len(at); k++ {
		at[k] += at[k-1]
	}
	order := make([]int32, len(rank)) // order[i] is the group of rank i
	for g, r := range rank {
		order[r] = int32(g)
	}
	refs, rows := make([]rowRef, sl.rows), make([]sums, sl.rows)
	for _, g := range order {
		s := &sl.groups[g]
		for i := range s.cells {
			if c := &s.cells[i]; c.runtime.count != 0 {
				key := s.base + int64(i)
				j := at[key-lo]
				at[key-lo]++
				refs[j] = rowRef{st.gr.ordStart(key), st.gr.ordStart(key + 1), g, j}
				rows[j] = *c
			}
		}
	}
	return refs, rowView{rows: rows}
}

// A rowView is the cells of a store as they were when it was made: from
// view, until the store next changes; from snapshot or copyOrdered, for
// good.
type rowView struct {
	slabs []slab
	cells []cell
	rows  []sums // from copyOrdered: the rows' sums, a ref's cell the index
}

// view returns st's cells as they are now, to read before st changes.
func (st *rowStore) view() rowView {
	if st.slabs != nil {
		return rowView{slabs: st.slabs.groups}
	}
	return rowView{cells: st.t.cells}
}

// snapshot returns st's cells as they are now, for good: st copies them
// before it changes them again (see own).
func (st *rowStore) snapshot() rowView {
	st.shared = true
	return st.view()
}

// sums returns the sums and the name of the row r, which is not empty.
func (v *rowView) sums(r *rowRef) (*sums, string) {
	if v.rows != nil {
		return &v.rows[r.cell], ""
	}
	if v.slabs != nil {
		return &v.slabs[r.group].cells[r.cell], ""
	}
	c := &v.cells[r.cell]
	return &c.sums, c.name
}

// noteRow extends the buckets that have rows to [start, end).
func (st *rowStore) noteRow(start, end int64) {
	st.noteEver(start, end)
	if !st.hasRows {
		st.lo, st.hi, st.hasRows = start, end, true
	} else {
		st.lo, st.hi = min(st.lo, start), max(st.hi, end)
	}
}

// buckets returns the number of buckets from the first that has a row to
// the last, counting no further than limit. It counts only the buckets
// added to either end since it last counted, so that calling it after
// every session costs time in proportion to the span, not to the number
// of calls.
func (st *rowStore) buckets(limit int) int {
	gr := &st.gr
	switch {
	case !st.hasRows:
		return 0
	case st.n == 0:
		st.n = gr.count(st.lo, instant{st.hi, 0}, limit)
		st.counted.lo, st.counted.hi = st.lo, st.hi
	}
	// Boundaries are whole seconds, so the buckets of [lo, counted.lo)
	// and of [counted.hi, hi) are exactly the ones added at either end.
	if st.lo < st.counted.lo && st.n < limit {
		st.n += gr.count(st.lo, instant{st.counted.lo, 0}, limit-st.n)
		st.counted.lo = st.lo
	}
	if st.hi > st.counted.hi && st.n < limit {
		st.n += gr.count(st.counted.hi, instant{st.hi, 0}, limit-st.n)
		st.counted.hi = st.hi
	}
	return st.n
}

// closeTo removes the rows of the buckets that end at or before the
// second sec, and returns them in row order, with copies of their cells:
// refs[i].cell is i, an index into cells. The memory of the rows goes for
// real: the slabs slide their cells down and forget the closed keys, the
// table is rebuilt with the rows that remain. rank is as for ordered.
func (st *rowStore) closeTo(sec int64, rank []int32) ([]rowRef, []cell) {
	refs := st.ordered(rank)
	// Rows are in order of their start, and so of their end.
	n, _ := slices.BinarySearchFunc(refs, sec, func(r rowRef, sec int64) int {
		if r.end <= sec {
			return -1
		}
		return 1
	})
	if n == 0 {
		return nil, nil
	}
	closed, cells := refs[:n:n], make([]cell, n)
	v := st.view()
	for i := range closed {
		s, name := v.sums(&closed[i])
		cells[i] = cell{*s, name}
		closed[i].cell = int32(i)
	}
	st.own()
	if st.slabs != nil {
		// The bucket of sec is the first that stays open.
		st.slabs.drop(st.gr.at(sec).key)
	} else {
		st.t = st.t.without(&st.gr, sec)
	}
	// The buckets that have rows are now those of the open rows.
	st.hasRows, st.n = false, 0
	st.each(func(r rowRef, _ *sums, _ string) error {
		st.noteRow(r.start, r.end)
		return nil
	})
	return closed, cells
}

// without returns a new table of the cells of t whose buckets end after
// the second sec, in the order they were made: a table that shrinks.
func (t *table) without(gr *grid, sec int64) table {
	var u table
	u.init(t.dense, t.limit)
	if t.span > 0 {
		u.useFlat(t.first, t.span)
	}
	for range t.groups {
		u.addGroup()
	}
	for i := range t.cells {
		p := &t.where[i]
		if p.end <= sec {
			continue
		}
		key := p.start
		if t.dense {
			key = p.col
		}
		cur := cursor{gr, key, p.start, p.end}
		c, _, _ := u.cell(p.group, &cur) // fewer cells than t: no limit is reached
		*c = t.cells[i]
	}
	return u
}

// noteEver extends the buckets that ever had rows to [start, end).
func (st *rowStore) noteEver(start, end int64) {
	if !st.ever.has {
		st.ever.lo, st.ever.hi, st.ever.has = start, end, true
	} else {
		st.ever.lo, st.ever.hi = min(st.ever.lo, start), max(st.ever.hi, end)
	}
}
