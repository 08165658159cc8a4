package sessionagg

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
)

// The binary form of an Aggregator, version 3. Integers are varints
// (encoding/binary's Uvarint and Varint) in their shortest encoding,
// floats are 8 bytes little-endian IEEE 754, and a string is a uvarint
// length then its bytes:
//
//	magic      "SAGG"
//	version    1 byte, 3 (2: as 3 without the stream, which is then
//	           not closed and its range that of the cells)
//	query      string: the query's fingerprint (window, period, week start,
//	           zone name and offset, group-by, statistics, ids)
//	stream     1 byte: bit 0 set if Close has closed buckets, bit 1 if
//	           rows were ever held; with bit 0, the watermark's Unix
//	           seconds varint and nanoseconds uvarint (below 1e9), then
//	           the bucket start up to which empty rows were emitted
//	           varint (see Close); with bit 1, the first start and the
//	           last end of the buckets that ever had rows, 2 varints.
//	           Every cell's bucket lies in that range and, when closed,
//	           ends after the watermark.
//	cells      uvarint n, then n cells, one per row, in the order of the
//	           rows of a Result (by bucket start, then by the group's
//	           labels), no two of the same bucket and group:
//	           group uvarint: the groups are numbered from 0 in the order
//	             of their first cell, and the first cell of group g, whose
//	             number g is the number of groups before it, carries its
//	             labels after it: len(GroupBy) strings, in group-by order;
//	           bucket start varint, bucket end varint (Unix seconds),
//	           count uvarint,
//	           runtime sum, compensation, min, max (4 floats),
//	           cost sum, compensation, min, max (4 floats),
//	           job name string (empty unless grouped by JOB_ID)
//	checksum   4 bytes little-endian: the CRC-32 (Castagnoli) of every
//	           byte before it, from the magic on
//
// The bytes depend on the rows alone, not on the order in which sessions
// came nor on how the rows are held, so that decoding and encoding again
// gives the same bytes. UnmarshalBinary accepts only what an aggregation
// can produce: a cell counts at least one piece; its sums, minimums and
// maximums are finite and not negative (and no value is -0), the mean
// lies between the minimum and the maximum, a piece's runtime is at most
// the length of its bucket (clipped to the window) and its cost at most
// MaxCostInUSD; the bucket's times, clipped to the window, lie in the
// years 1 to 9999 of the query's location; with queue or fleet ids and
// that field in GroupBy, a row's label is one of the ids; a sum's
// compensation is at most what the rounding of its additions can make.
const (
	binaryMagic   = "SAGG"
	binaryVersion = 3
	// minCellLen is the fewest bytes a cell takes: four one-byte
	// integers, eight floats and an empty job name.
	minCellLen = 4 + 8*8 + 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary implements [encoding.BinaryMarshaler]: it encodes the
// rows a has aggregated so far, so that another process can merge them with
// [Aggregator.UnmarshalBinary] and [Aggregator.Merge]. It returns a's error
// if a limit was exceeded.
func (a *Aggregator) MarshalBinary() ([]byte, error) {
	return a.AppendBinary(nil)
}

// AppendBinary is MarshalBinary appending to b. It implements the
// standard library's encoding.BinaryAppender.
func (a *Aggregator) AppendBinary(b []byte) ([]byte, error) {
	a.init()
	if a.err != nil {
		return b, a.err
	}
	refs := a.rows.ordered(a.groups.ranks())
	from := len(b)
	b = append(b, binaryMagic...)
	b = append(b, binaryVersion)
	b = appendString(b, a.fp)
	b = a.appendStream(b)
	b = binary.AppendUvarint(b, uint64(len(refs)))
	// Groups are numbered in the order of their first row; num[g] is
	// group g's number + 1, or 0 before its first row.
	num := make([]int32, a.groups.len())
	used := int32(0)
	v := a.rows.view()
	for i := range refs {
		r := &refs[i]
		c, job := v.sums(r)
		if num[r.group] == 0 {
			used++
			num[r.group] = used
			b = binary.AppendUvarint(b, uint64(used-1))
			for i := range a.q.GroupBy {
				b = appendString(b, a.groups.labels[r.group][i])
			}
		} else {
			b = binary.AppendUvarint(b, uint64(num[r.group]-1))
		}
		b = binary.AppendVarint(b, r.start)
		b = binary.AppendVarint(b, r.end)
		b = binary.AppendUvarint(b, uint64(c.runtime.count))
		for _, s := range [2]*Stats{&c.runtime, &c.cost} {
			for _, f := range [4]float64{s.sum, s.c, s.min, s.max} {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
			}
		}
		b = appendString(b, job)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[from:], castagnoli)), nil
}

// UnmarshalBinary implements [encoding.BinaryUnmarshaler]: it replaces
// what a has aggregated with the rows encoded in data by MarshalBinary. a
// must be of the same query as the aggregator that encoded data (the zero
// Aggregator is of the zero Query): data of another query is an error
// wrapping [ErrMismatch] that says what differs. Data that is truncated or
// corrupted (its checksum does not match), or that no aggregation could
// have produced (see the layout above: rows out of order or repeated, a
// bucket that is not one of the query's, a count of zero, a value that is
// negative, not finite, or out of bounds), is an error wrapping
// [ErrInvalidData]; more rows than the query's MaxRows, or on an open side
// of the window more buckets than its limit, wraps [ErrTooLarge].
//
// On error a is left unchanged. The data is checked whole before a row is
// built, so decoding allocates in proportion to the rows of valid data and
// refuses invalid data, however long, without building any.
func (a *Aggregator) UnmarshalBinary(data []byte) error {
	a.init()
	body, err := a.checkHeader(data)
	if err != nil {
		return err
	}
	var st streamState
	if data[len(binaryMagic)] == binaryVersion {
		if body, err = st.decode(body, &a.sp.gr); err != nil {
			return err
		}
	}
	// First check everything, building nothing: each cell and the order
	// of the buckets, then the groups' labels, sorted once, then the
	// order of the rows, by bucket and the groups' ranks; then build.
	groups, err := a.decodeCells(body, nil, st.checkCell)
	if err != nil {
		return err
	}
	rank, err := rankGroups(body, groups, len(a.q.GroupBy))
	if err != nil {
		return err
	}
	if _, err := a.decodeCells(body, rank, nil); err != nil {
		return err
	}
	b, err := NewAggregator(a.q)
	if err != nil {
		return err
	}
	st.restore(b)
	var k labels
	var to []int32 // b's group numbers of the data's groups
	_, err = a.decodeCells(body, rank, func(g int, lbl [][]byte, start, end int64, c *cell) error {
		if g == len(to) {
			for i, l := range lbl {
				k[i] = string(l)
			}
			to = append(to, b.groupsOf([]labels{k})[0])
		}
		return b.mergeCell(to[g], start, end, &c.sums, c.name)
	})
	if err == nil {
		err = b.checkBuckets()
	}
	if err != nil {
		return err
	}
	*a = *b
	return nil
}

// checkHeader checks data's magic, version, checksum and query, and
// returns the cells: what lies between the query and the checksum.
func (a *Aggregator) checkHeader(data []byte) ([]byte, error) {
	if len(data) < len(binaryMagic) || string(data[:len(binaryMagic)]) != binaryMagic {
		return nil, fmt.Errorf("%w: not an Aggregator's binary form", ErrInvalidData)
	}
	if len(data) < len(binaryMagic)+1+4 {
		return nil, fmt.Errorf("%w: truncated", ErrInvalidData)
	}
	if v := data[len(binaryMagic)]; v != binaryVersion && v != 2 {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrInvalidData, v, binaryVersion)
	}
	n := len(data) - 4
	if sum := binary.LittleEndian.Uint32(data[n:]); sum != crc32.Checksum(data[:n], castagnoli) {
		return nil, fmt.Errorf("%w: the checksum does not match: the data is truncated or corrupt", ErrInvalidData)
	}
	d := decoder{data: data[len(binaryMagic)+1 : n]}
	if fp := d.bytes(); d.err == nil && string(fp) != a.fp {
		return nil, fmt.Errorf("%w: the data is of a query with another %s", ErrMismatch, differences(string(fp), a.fp))
	}
	return d.data, d.err
}

// decodeCells reads the cells of the binary form in one of two passes.
// With a nil rank it checks each cell, that the buckets come in order and
// that the groups are numbered as they should be, and returns the offsets
// in data of the groups' labels (for rankGroups). With rank, the groups'
// ranks by their labels, it checks that the rows come in order, each once
// (by bucket start, then by rank: two integers per cell, so that checking
// costs the same whatever the labels' length). In either pass it calls
// add, if not nil, for each cell, with the cell's group number, and the
// group's labels if the cell is the group's first (else nil); the labels
// and the cell are valid until add returns.
func (a *Aggregator) decodeCells(data []byte, rank []int32, add func(g int, lbl [][]byte, start, end int64, c *cell) error) ([]int, error) {
	d := decoder{data: data}
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.data)/minCellLen) {
		return nil, fmt.Errorf("%w: %d cells in %d bytes", ErrInvalidData, n, len(d.data))
	}
	if m := a.q.MaxRows; m > 0 && n > uint64(m) {
		return nil, fmt.Errorf("%w: the data holds %d rows, more than MaxRows %d", ErrTooLarge, n, m)
	}
	var (
		groups     []int // groups[g] is the offset in data of group g's labels
		ngroups    int
		lbl        = make([][]byte, len(a.q.GroupBy))
		prevG      = -1
		prevStart  int64
		firstStart int64 // the start of the first cell's bucket
		lastEnd    int64 // the end of the last cell's bucket
		fields     = len(a.q.GroupBy)
		c          cell // out of the loop: add makes it escape
	)
	for i := uint64(0); i < n && d.err == nil; i++ {
		g := d.uvarint()
		isNew := g == uint64(ngroups)
		if g > uint64(ngroups) {
			return nil, fmt.Errorf("%w: cell %d: group %d before group %d", ErrInvalidData, i, g, ngroups)
		}
		if isNew {
			ngroups++
			if rank == nil {
				groups = append(groups, len(data)-len(d.data))
			}
			for j := range fields {
				lbl[j] = d.bytes()
				if f := a.q.GroupBy[j]; f == a.filter && d.err == nil && !a.accepts(string(lbl[j])) {
					return nil, fmt.Errorf("%w: cell %d: %v %q is not one of the query's", ErrInvalidData, i, f, lbl[j])
				}
			}
		}
		start, end := d.varint(), d.varint()
		count := d.uvarint()
		c = cell{}
		for _, s := range [2]*Stats{&c.runtime, &c.cost} {
			s.count = int64(count)
			s.sum, s.c, s.min, s.max = d.float(), d.float(), d.float(), d.float()
		}
		job := d.bytes()
		if d.err != nil {
			break
		}
		if i == 0 {
			firstStart = start
		}
		lastEnd = end
		if rank == nil {
			if err := a.checkCell(start, end, count, &c, len(job) > 0); err != nil {
				return nil, fmt.Errorf("%w: cell %d: %v", ErrInvalidData, i, err)
			}
			if i > 0 && start < prevStart {
				return nil, fmt.Errorf("%w: cell %d is out of order", ErrInvalidData, i)
			}
		} else if i > 0 && start == prevStart && rank[prevG] >= rank[g] {
			// The rows must come in order, each once: by bucket start,
			// then by the group's labels.
			return nil, fmt.Errorf("%w: cell %d is out of order or repeats a row", ErrInvalidData, i)
		}
		prevG, prevStart = int(g), start
		if add != nil {
			c.name = string(job)
			l := lbl
			if !isNew {
				l = nil
			}
			if err := add(int(g), l, start, end, &c); err != nil {
				return nil, err
			}
		}
	}
	if d.err == nil && len(d.data) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last cell", ErrInvalidData, len(d.data))
	}
	if d.err != nil {
		return nil, d.err
	}
	if m := a.maxBuckets; rank == nil && m > 0 && n > 0 && (!a.sp.win.hasStart || !a.sp.win.hasEnd) {
		if a.sp.gr.count(firstStart, instant{lastEnd, 0}, m+1) > m {
			return nil, fmt.Errorf("%w: the data's rows span more than %d buckets", ErrTooLarge, m)
		}
	}
	return groups, nil
}

// rankGroups returns the ranks of the groups of the binary form whose
// labels start at the offsets groups of data, in the order of their
// labels, and an error if two groups have the same labels. It sorts once:
// O(g log g) comparisons of labels, however the cells interleave.
func rankGroups(data []byte, groups []int, fields int) ([]int32, error) {
	byLabels := make([]int32, len(groups))
	for g := range byLabels {
		byLabels[g] = int32(g)
	}
	slices.SortFunc(byLabels, func(x, y int32) int { return compareLabels(data, groups[x], groups[y], fields) })
	rank := make([]int32, len(groups))
	for i, g := range byLabels {
		if i > 0 && compareLabels(data, groups[byLabels[i-1]], groups[g], fields) == 0 {
			return nil, fmt.Errorf("%w: two groups have the same labels", ErrInvalidData)
		}
		rank[g] = int32(i)
	}
	return rank, nil
}

// compareLabels compares the labels of two groups of the binary form,
// which start at the offsets x and y of data and have been read once
// already, as byte strings in group-by order.
func compareLabels(data []byte, x, y, fields int) int {
	dx, dy := decoder{data: data[x:]}, decoder{data: data[y:]}
	for range fields {
		if c := bytes.Compare(dx.bytes(), dy.bytes()); c != 0 {
			return c
		}
	}
	return 0
}

// checkCell reports what is wrong with a decoded cell, or nil.
func (a *Aggregator) checkCell(start, end int64, n uint64, c *cell, hasJob bool) error {
	if n == 0 || n > math.MaxInt64 {
		return fmt.Errorf("count %d", n)
	}
	if start >= end {
		return fmt.Errorf("bucket [%d, %d) is empty", start, end)
	}
	if cur := a.sp.gr.at(start); cur.start != start || cur.end != end {
		return fmt.Errorf("[%d, %d) is not a bucket of the query", start, end)
	}
	w := &a.sp.win
	if w.hasEnd && !(instant{start, 0}).less(w.end) || w.hasStart && !w.start.less(instant{end, 0}) {
		return fmt.Errorf("bucket [%d, %d) lies outside the window", start, end)
	}
	if start < a.sp.lo || end > a.sp.hi {
		return fmt.Errorf("bucket [%d, %d) lies outside the years 1 to 9999", start, end)
	}
	// The longest a piece can be: the bucket, clipped to the window.
	bs, be, _ := w.clip(instant{start, 0}, instant{end, 0})
	for i, s := range [2]*Stats{&c.runtime, &c.cost} {
		name, most := "runtime", bs.secondsTo(be)
		if i == 1 {
			name, most = "cost", MaxCostInUSD
		}
		for _, f := range [4]float64{s.sum, s.c, s.min, s.max} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("a %s value is not finite", name)
			}
			// Aggregation makes 0, never -0 (the compensation may be
			// negative, but not -0): one value, one encoding.
			if f == 0 && math.Signbit(f) {
				return fmt.Errorf("a %s value is -0", name)
			}
		}
		sum := s.Sum()
		if !(s.sum >= 0 && math.Abs(s.c) <= s.sum && sum >= 0) || math.IsInf(sum, 0) {
			return fmt.Errorf("%s sum %v (compensation %v) is inconsistent", name, s.sum, s.c)
		}
		// The compensation gathers the rounding errors of the additions
		// that made the sum: fewer than 3n of them for n values (n-1
		// adds, and two for each of at most n-1 merges), each at most
		// 2^-53 of a partial sum, which is at most the sum (the values
		// are not negative) up to that same rounding. So |c| <= 3n *
		// 2^-53 * sum, less than 2^-50 * n * sum with room for the
		// rounding of the partial sums and of this bound.
		if math.Abs(s.c) > 0x1p-50*float64(n)*s.sum {
			return fmt.Errorf("%s sum %v has a compensation %v larger than its rounding can make", name, s.sum, s.c)
		}
		if !(0 <= s.min && s.min <= s.max && s.max <= most) {
			return fmt.Errorf("%s min %v, max %v: want 0 <= min <= max <= %v", name, s.min, s.max, most)
		}
		// The mean lies between the minimum and the maximum, up to the
		// rounding of the sum.
		avg, tol := sum/float64(n), 1e-9*s.max
		if !(avg >= s.min-tol && avg <= s.max+tol) {
			return fmt.Errorf("%s mean %v lies outside [min %v, max %v]", name, avg, s.min, s.max)
		}
	}
	if hasJob && !a.byJob {
		return fmt.Errorf("a job name in a query not grouped by JOB_ID")
	}
	return nil
}
