package sessionagg

import (
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
)

// Grouping: the group of a session is the tuple of its group-by labels,
// numbered densely in the order the tuples are first seen. Finding it is
// on the path of every session, so it is done in two steps that each
// touch little memory: every label is numbered within its field, by a
// labelDict, and the tuple of those numbers is looked up in a table of
// small integers. With one group-by field, a label's number is its group.

// groups numbers the groups of one list of group-by fields. Ungrouped,
// there is one group, 0, from the start. The zero groups is not ready for
// use: make one with newGroups.
type groups struct {
	fields []Field
	labels []labels // labels[g] is the labels of group g
	index  groupIndex
}

// newGroups returns the groups of fields, a list of distinct fields.
func newGroups(fields []Field) groups {
	gs := groups{fields: fields}
	if len(fields) == 0 {
		gs.labels = []labels{{}}
	} else {
		gs.index.init(len(fields))
	}
	return gs
}

// len returns the number of groups.
func (gs *groups) len() int { return len(gs.labels) }

// of returns the group of s, and whether it is new.
func (gs *groups) of(s *Session) (int32, bool) {
	if len(gs.fields) == 0 {
		return 0, false
	}
	var k labels
	for i, f := range gs.fields {
		k[i] = s.label(f)
	}
	return gs.ofLabels(&k)
}

// ofLabels returns the group whose labels are k, and whether it is new.
func (gs *groups) ofLabels(k *labels) (int32, bool) {
	ix := &gs.index
	switch n := len(gs.fields); n {
	case 0:
		return 0, false
	case 1:
		id, isNew := ix.dicts[0].id(k[0])
		if isNew {
			gs.labels = append(gs.labels, labels{k[0]})
		}
		return id, isNew
	default:
		var ids labelIDs
		for i := range n {
			ids[i], _ = ix.dicts[i].id(k[i])
		}
		g, h, ok := ix.find(&ids)
		if !ok {
			g = int32(len(gs.labels))
			gs.labels = append(gs.labels, *k)
			ix.add(g, &ids, h)
		}
		return g, !ok
	}
}

// ofIDs returns the group whose label numbers in their fields are ids
// (see labelDict), and whether it is new: the tuple of numbers that
// ofLabels finds for the strings, for a caller that numbers each distinct
// label once and not once per session (see Aggregator.AddColumns).
func (gs *groups) ofIDs(ids *labelIDs) (int32, bool) {
	ix := &gs.index
	if ix.n == 1 {
		// A label's number is its group, made with it.
		if g := ids[0]; int(g) < len(gs.labels) {
			return g, false
		}
		gs.labels = append(gs.labels, labels{ix.dicts[0].names[ids[0]]})
		return ids[0], true
	}
	g, h, ok := ix.find(ids)
	if !ok {
		var k labels
		for i := range ix.n {
			k[i] = ix.dicts[i].names[ids[i]]
		}
		g = int32(len(gs.labels))
		gs.labels = append(gs.labels, k)
		ix.add(g, ids, h)
	}
	return g, !ok
}

// find returns the group whose labels are k, and whether there is one;
// unlike ofLabels, it adds nothing.
func (gs *groups) find(k *labels) (int32, bool) {
	ix := &gs.index
	n := len(gs.fields)
	if n == 0 {
		return 0, true
	}
	var ids labelIDs
	for i := range n {
		id, ok := ix.dicts[i].ids[k[i]]
		if !ok {
			return 0, false
		}
		ids[i] = id
	}
	if n == 1 {
		return ids[0], true
	}
	g, _, ok := ix.find(&ids)
	return g, ok
}

// ranks returns the rank of every group: rank[g] is g's place when the
// groups are sorted by their labels, compared as byte strings in group-by
// order. Rows sort by it within a bucket.
func (gs *groups) ranks() []int32 {
	order := make([]int32, len(gs.labels))
	for i := range order {
		order[i] = int32(i)
	}
	n := len(gs.fields)
	slices.SortFunc(order, func(x, y int32) int {
		return slices.Compare(gs.labels[x][:n], gs.labels[y][:n])
	})
	rank := make([]int32, len(order))
	for i, g := range order {
		rank[g] = int32(i)
	}
	return rank
}

// find returns the group of the label numbers ids and true, or their hash
// and false if there is no such group.
func (ix *groupIndex) find(ids *labelIDs) (int32, uint64, bool) {
	h := ix.hashIDs(ids)
	if len(ix.slots) > 0 {
		tag, mask := ix.tag(ids, h), uint64(len(ix.slots)-1)
		for i := h >> ix.shift; ix.slots[i].g != 0; i = (i + 1) & mask {
			if sl := &ix.slots[i]; sl.tag == tag && (ix.n <= 2 || sameIDs(&ix.tuples[sl.g-1], ids, ix.n)) {
				return sl.g - 1, h, true
			}
		}
	}
	return 0, h, false
}

// add adds the group g, the next number, whose label numbers are ids and
// their hash h.
func (ix *groupIndex) add(g int32, ids *labelIDs, h uint64) {
	ix.tuples = append(ix.tuples, *ids)
	if 2*len(ix.tuples) > len(ix.slots) {
		ix.grow(len(ix.tuples))
	} else {
		ix.insert(g, h, ix.tag(ids, h))
	}
}

// sameIDs reports whether the first n numbers of x and y are equal: a
// loop, which for the few numbers of a tuple is faster than comparing the
// arrays, a call to the runtime.
func sameIDs(x, y *labelIDs, n int) bool {
	for i := range n {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// A groupIndex finds the group of a tuple of labels: a labelDict for each
// group-by field, and, with two fields or more, an open-addressing hash
// table, probed linearly, from the tuple of label numbers to the group.
type groupIndex struct {
	n     int // group-by fields
	dicts [len(labels{})]labelDict

	seed   uint64      // for hashIDs
	slots  []tupleSlot // the length is a power of two
	shift  uint        // 64 - log2(len(slots)): a hash's slot is its top bits
	tuples []labelIDs  // tuples[g] holds the label numbers of group g
}

// A tupleSlot is a group number + 1, or 0 for none, and its tag.
type tupleSlot struct {
	tag uint64
	g   int32
}

// labelIDs are the numbers of a group's labels in their fields, in
// group-by order, and 0 after them.
type labelIDs [len(labels{})]int32

// init sets ix up for n group-by fields.
func (ix *groupIndex) init(n int) {
	ix.n = n
	ix.seed = rand.Uint64()
	for i := range n {
		ix.dicts[i].ids = make(map[string]int32)
	}
}

// hashIDs returns the hash of a tuple of label numbers. The numbers are
// assigned in order of appearance and cannot be chosen by whoever writes
// the labels, but which tuples occur can be; the random seed keeps the
// slots they take from being predictable.
func (ix *groupIndex) hashIDs(ids *labelIDs) uint64 {
	h := ix.seed
	for _, id := range ids[:ix.n] {
		h = (h ^ uint64(uint32(id))) * 0x9e3779b97f4a7c15
		h ^= h >> 32
	}
	return h * 0xbf58476d1ce4e5b9
}

// tag returns what a slot keeps of the tuple ids, whose hash is h: with
// one or two fields the numbers themselves, so that a look-up compares
// them without reading the tuple; with more, the hash.
func (ix *groupIndex) tag(ids *labelIDs, h uint64) uint64 {
	if ix.n <= 2 {
		return uint64(uint32(ids[0]))<<32 | uint64(uint32(ids[1]))
	}
	return h
}

// insert puts group g, of hash h and tag tag, in a free slot.
func (ix *groupIndex) insert(g int32, h, tag uint64) {
	mask := uint64(len(ix.slots) - 1)
	i := h >> ix.shift
	for ix.slots[i].g != 0 {
		i = (i + 1) & mask
	}
	ix.slots[i] = tupleSlot{tag, g + 1}
}

// grow makes room for groups groups, keeping the slots at most half full.
func (ix *groupIndex) grow(groups int) {
	n := max(16, 2*len(ix.slots))
	ix.slots = make([]tupleSlot, n)
	ix.shift = uint(64 - bits.TrailingZeros(uint(n)))
	for g := range groups {
		ids := &ix.tuples[g]
		h := ix.hashIDs(ids)
		ix.insert(int32(g), h, ix.tag(ids, h))
	}
}

// A labelDict numbers the labels of one field, densely in the order they
// are first seen. A small direct-mapped cache, indexed by a cheap hash of
// a label's ends, answers most look-ups with one string comparison; the
// map behind it answers the rest. The cheap hash is only ever a cache
// index: labels built to collide in it cost a map look-up each, never a
// wrong number, and no probe sequence grows with them.
type labelDict struct {
	recent []dictEntry // nil until the first label; the length is a power of two
	shift  uint        // 64 - log2(len(recent)): a label's entry is its quickHash's top bits
	ids    map[string]int32
	names  []string // names[id] is the label numbered id
}

// A dictEntry is a label and its number + 1; 0 is an empty entry.
type dictEntry struct {
	v  string
	id int32
}

// dictRecent bounds the size of a labelDict's cache: 4096 entries, 96 KB.
const dictRecent = 4096

// id returns the number of the label v, and whether v is new.
func (d *labelDict) id(v string) (int32, bool) {
	h := quickHash(v)
	if len(d.recent) > 0 {
		if e := &d.recent[h>>d.shift]; e.id != 0 && e.v == v {
			return e.id - 1, false
		}
	}
	id, ok := d.ids[v]
	if !ok {
		id = int32(len(d.ids))
		d.ids[v] = id
		d.names = append(d.names, v)
		// Keep the cache four times the labels, so that few of them
		// share an entry.
		if n := len(d.recent); n < dictRecent && 4*len(d.ids) > n {
			n = min(dictRecent, max(64, 2*n))
			d.recent, d.shift = make([]dictEntry, n), uint(64-bits.TrailingZeros(uint(n)))
		}
	}
	d.recent[h>>d.shift] = dictEntry{v, id + 1}
	return id, !ok
}

// idCopy is id for a label v whose memory may change after the call: a
// new label is kept as a copy of v.
func (d *labelDict) idCopy(v string) (int32, bool) {
	if len(d.recent) > 0 {
		if e := &d.recent[quickHash(v)>>d.shift]; e.id != 0 && e.v == v {
			return e.id - 1, false
		}
	}
	if id, ok := d.ids[v]; ok {
		return id, false
	}
	return d.id(strings.Clone(v))
}

// quickHash returns a hash of the length and the first and last eight
// bytes of v, which tell apart the labels of real data (names and numbers,
// UUIDs, ids with a common prefix) at a fraction of the cost of hashing
// every byte. Its top bits are the well mixed ones.
func quickHash(v string) uint64 {
	n := len(v)
	var x uint64
	switch {
	case n >= 8:
		x = load64(v[:8]) ^ bits.RotateLeft64(load64(v[n-8:]), 29)
	case n >= 4:
		x = uint64(load32(v[:4])) | uint64(load32(v[n-4:]))<<32
	case n > 0:
		x = uint64(v[0]) | uint64(v[n/2])<<8 | uint64(v[n-1])<<16
	}
	return (x ^ uint64(n)) * 0x9e3779b97f4a7c15
}

// load64 returns the first eight bytes of s, little-endian; the compiler
// makes it one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 returns the first four bytes of s, little-endian.
func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
