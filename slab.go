package sessionagg

import "math"

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
