package sessionagg

import (
	"math"
	"slices"
)

// A table holds the rows of a store sparsely: see rowStore. Each group
// keeps a run of cell indexes over the columns it has seen, so a piece
// finds its cell with a subtraction and two loads.
type table struct {
	groups []groupCells
	cells  []cell
	where  []place // where[i] is the group and bucket of cells[i]
	dense  bool    // keys are columns already (ordinals)
	cols   map[int64]int64
	starts []int64 // with cols: starts[col] is the start of bucket col
	limit  int     // maximum number of cells, 0 for none
	last   int     // the index of the cell that find or cell returned last

	// With cols, the last bucket looked up: pieces of one session, and
	// sessions in time order, come to the same bucket in a row.
	lastStart, lastCol int64

	// A flat index, for columns known to lie in [first, first+span): a
	// fixed zone and a bounded window. flat[g*span + col-first] is the
	// cell index + 1 of group g and col: one load, where the groups'
	// runs below take two that depend on each other. It is dropped when
	// groups × span outgrows flatBudget, as with a group per job over a
	// window of many hours; the groups' runs are kept up to date either
	// way.
	flat        []int32
	first, span int64
}

type groupCells struct {
	base   int64   // column of idx[0]
	idx    []int32 // cell index + 1, or 0 for no cell
	n      int     // cells of this group
	sparse map[int64]int32
}

// A group whose columns spread much wider than its cells (sessions years
// apart in an open window, or a job's few sessions months apart) keeps
// its cell indexes in a map instead, so memory grows with rows, not with
// the time between them. (At 4096, 50,000 jobs of three sessions 2,000
// hours apart took 867 MB; at 64, 58 MB.)
const denseSpan = 64

// A place is where a table's cell lies: its group, its bucket's column,
// and the bucket's bounds.
type place struct {
	group      int32
	col        int64
	start, end int64
}

// init empties t, for columns that are keys (dense) or bucket starts.
func (t *table) init(dense bool, limit int) {
	*t = table{dense: dense, limit: limit, lastCol: -1}
	if !dense {
		t.cols = make(map[int64]int64)
	}
}

// addGroup adds a group.
func (t *table) addGroup() {
	t.groups = append(t.groups, groupCells{})
	if t.span > 0 {
		if n := int64(len(t.flat)) + t.span; n > max(flatBudget, 8*int64(len(t.cells))) {
			t.flat, t.span = nil, 0
		} else {
			t.flat = append(t.flat, make([]int32, t.span)...)
		}
	}
}

// flatBudget is the number of entries up to which a flat index is kept
// whatever the number of cells: 4 MB.
const flatBudget = 1 << 20

// useFlat starts a flat index over the columns [first, first+span), for a
// table with no groups yet.
func (t *table) useFlat(first, span int64) {
	if t.dense && len(t.groups) == 0 && span > 0 && span <= flatBudget {
		t.first, t.span = first, span
	}
}

// column returns the column of the bucket cur.
func (t *table) column(cur *cursor) int64 {
	if t.dense {
		return cur.key
	}
	start := cur.start
	if start == t.lastStart && t.lastCol >= 0 {
		return t.lastCol
	}
	col, ok := t.cols[start]
	if !ok {
		col = int64(len(t.starts))
		t.cols[start] = col
		t.starts = append(t.starts, start)
	}
	t.lastStart, t.lastCol = start, col
	return col
}

// find returns the sums of group g's cell in the bucket cur, or nil.
func (t *table) find(g int32, cur *cursor) *sums {
	j := t.index(g, t.column(cur))
	if j == 0 {
		return nil
	}
	t.last = int(j - 1)
	return &t.cells[j-1].sums
}

// index returns the cell index + 1 of group g's cell in col, or 0: from
// the flat index if it covers col, else from the group's.
func (t *table) index(g int32, col int64) int32 {
	if t.span > 0 {
		if i := uint64(col - t.first); i < uint64(t.span) {
			return t.flat[uint64(g)*uint64(t.span)+i]
		}
	}
	gc := &t.groups[g]
	if i := col - gc.base; uint64(i) < uint64(len(gc.idx)) {
		return gc.idx[i]
	}
	if gc.sparse != nil {
		return gc.sparse[col]
	}
	return 0
}

// cell returns the cell of group g in the bucket cur, and whether it is
// new: then it is empty. The pointer is valid until the next call.
func (t *table) cell(g int32, cur *cursor) (*cell, bool, error) {
	col := t.column(cur)
	if j := t.index(g, col); j != 0 {
		t.last = int(j - 1)
		return &t.cells[j-1], false, nil
	}
	if t.limit > 0 && len(t.cells) >= t.limit {
		return nil, false, errTooManyRows
	}
	if len(t.cells) >= math.MaxInt32-1 {
		return nil, false, errTooManyRows
	}
	gc := &t.groups[g]
	switch i := col - gc.base; {
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
		gc.base = col
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
	t.cells = append(t.cells, cell{})
	t.where = append(t.where, place{g, col, cur.start, cur.end})
	gc.n++
	j := int32(len(t.cells))
	if gc.sparse != nil {
		gc.sparse[col] = j
	} else {
		gc.idx[col-gc.base] = j
	}
	if t.span > 0 {
		if i := col - t.first; i >= 0 && i < t.span {
			t.flat[int64(g)*t.span+i] = j
		} else {
			t.flat, t.span = nil, 0 // not the columns it was made for
		}
	}
	t.last = int(j - 1)
	return &t.cells[j-1], true, nil
}

// cell is a table's cell: the sums, and a name (the smallest non-empty job
// name of the row's sessions, for a query grouped by JOB_ID).
type cell struct {
	sums
	name string
}
