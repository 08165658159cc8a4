package sessionagg

import "math"

// Slabs hold the rows of a store densely: see rowStore. A slab grows to
// cover the keys its group touches, no further than the window's. The
// sums hold no pointers, so the garbage collector does not scan them.
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

// find returns the sums of group g's row of key, or nil if there is none
// or sl is nil. It is small enough to be inlined.
func (sl *slabs) find(g int32, key int64) *sums {
	if sl == nil {
		return nil
	}
	s := &sl.groups[g]
	if i := uint64(key - s.base); i < uint64(len(s.cells)) {
		if c := &s.cells[i]; c.runtime.count != 0 {
			return c
		}
	}
	return nil
}

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
	if len(s.cells) > 0 && lo >= s.base && hi-s.base < int64(cap(s.cells)) {
		// Room left by drop, whose cells it cleared: extend into it.
		n := hi - s.base + 1
		sl.size += int(n) - len(s.cells)
		s.cells = s.cells[:n]
		return &s.cells[key-s.base], true
	}
	cells := make([]sums, n)
	if len(s.cells) > 0 {
		copy(cells[s.base-lo:], s.cells)
	}
	sl.size += len(cells) - len(s.cells)
	s.base, s.cells = lo, cells
	return &s.cells[key-lo], true
}

// drop forgets the cells of keys below key, for good: each slab slides
// its later cells down to the start of its memory and clears the rest,
// which cell then reuses, and keys below key are no longer the slabs'.
func (sl *slabs) drop(key int64) {
	sl.lo = max(sl.lo, key)
	for g := range sl.groups {
		s := &sl.groups[g]
		k := int(min(max(key-s.base, 0), int64(len(s.cells))))
		if k == 0 {
			continue
		}
		for i := range s.cells[:k] {
			if s.cells[i].runtime.count != 0 {
				s.rows--
				sl.rows--
			}
		}
		n := copy(s.cells, s.cells[k:])
		clear(s.cells[n:])
		s.cells = s.cells[:n]
		s.base += int64(k)
		sl.size -= k
	}
}
