package sessionagg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The binary form of an Aggregator, version 1. Integers are varints
// (encoding/binary's Uvarint and Varint), floats are 8 bytes little-endian
// IEEE 754, and a string is a uvarint length then its bytes:
//
//	magic      "SAGG"
//	version    1 byte, 1
//	query      string: the query's fingerprint (window, period, week start,
//	           zone name and offset, group-by, statistics, ids)
//	groups     uvarint n, then n groups of len(GroupBy) strings each,
//	           numbered from 0 in the order of their first cell
//	cells      uvarint n, then n cells:
//	           group uvarint, bucket start varint, bucket end varint
//	           (Unix seconds), count uvarint,
//	           runtime sum, compensation, min, max (4 floats),
//	           cost sum, compensation, min, max (4 floats),
//	           job name string
//
// Nothing follows the last cell.
const (
	binaryMagic   = "SAGG"
	binaryVersion = 1
)

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
	if a.err != nil {
		return b, a.err
	}
	b = append(b, binaryMagic...)
	b = append(b, binaryVersion)
	b = appendString(b, a.fp)
	// The rows are written in their order in a Result, and only the
	// groups that have rows, numbered in the order of their first row,
	// so that the bytes depend on the rows alone: not on the order in
	// which sessions came, nor on how the rows are held.
	entries, err := a.entries(false)
	if err != nil {
		return b, err
	}
	num := make([]int32, len(a.groups))
	var used []int32
	for _, e := range entries {
		if num[e.group] == 0 {
			used = append(used, e.group)
			num[e.group] = int32(len(used))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(used)))
	for _, g := range used {
		for i := range a.q.GroupBy {
			b = appendString(b, a.groups[g][i])
		}
	}
	b = binary.AppendUvarint(b, uint64(len(entries)))
	st := a.store()
	for i := range entries {
		e := &entries[i]
		c, job := st.sums(e)
		b = binary.AppendUvarint(b, uint64(num[e.group]-1))
		b = binary.AppendVarint(b, e.start)
		b = binary.AppendVarint(b, e.end)
		b = binary.AppendUvarint(b, uint64(c.runtime.count))
		for _, s := range [2]*Stats{&c.runtime, &c.cost} {
			for _, f := range [4]float64{s.sum, s.c, s.min, s.max} {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
			}
		}
		b = appendString(b, job)
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// UnmarshalBinary implements [encoding.BinaryUnmarshaler]: it replaces
// what a has aggregated with the rows encoded in data by MarshalBinary. a
// must have been made by NewAggregator with the same query as the
// aggregator that encoded data: data of another query is an error wrapping
// [ErrMismatch]. Data that is truncated, corrupted or inconsistent (a bucket
// that is not one of the query's, a count of zero, a negative or infinite
// value) is an error wrapping [ErrInvalidData]; more rows than the query's
// MaxRows, or on an open side of the window more than its MaxBuckets,
// wraps [ErrTooLarge]. On error a is left unchanged.
func (a *Aggregator) UnmarshalBinary(data []byte) error {
	b, err := NewAggregator(a.q)
	if err != nil {
		return err
	}
	d := decoder{data: data}
	if string(d.bytes(len(binaryMagic))) != binaryMagic {
		return fmt.Errorf("%w: not an Aggregator's binary form", ErrInvalidData)
	}
	if v := d.byte(); v != binaryVersion {
		if d.err != nil {
			return d.err
		}
		return fmt.Errorf("%w: version %d, want %d", ErrInvalidData, v, binaryVersion)
	}
	if fp := d.string(); d.err == nil && fp != a.fp {
		return fmt.Errorf("%w: the data is of another query than %s", ErrMismatch, describe(&a.q))
	}
	ng := d.count()
	groups := make([]labels, 0, min(ng, 1024))
	for i := 0; i < ng && d.err == nil; i++ {
		var k labels
		for j := range a.q.GroupBy {
			k[j] = d.string()
		}
		groups = append(groups, k)
	}
	var to []int32 // b's group numbers of groups
	if d.err == nil {
		to = b.groupsOf(groups)
	}
	nc := d.count()
	for i := 0; i < nc && d.err == nil; i++ {
		g := d.uvarint()
		start, end := d.varint(), d.varint()
		n := d.uvarint()
		var c cell
		for _, s := range [2]*Stats{&c.runtime, &c.cost} {
			s.count = int64(n)
			s.sum, s.c, s.min, s.max = d.float(), d.float(), d.float(), d.float()
		}
		c.jobName = d.string()
		if d.err != nil {
			break
		}
		if err := b.checkCell(g, uint64(len(groups)), start, end, n, &c); err != nil {
			return fmt.Errorf("%w: cell %d: %v", ErrInvalidData, i, err)
		}
		if err := b.mergeCell(to[g], start, end, &c.sums, c.jobName); err != nil {
			return err
		}
	}
	if d.err == nil && len(d.data) != 0 {
		d.err = fmt.Errorf("%w: %d bytes after the last cell", ErrInvalidData, len(d.data))
	}
	if d.err != nil {
		return d.err
	}
	if err := b.checkBuckets(); err != nil {
		return err
	}
	*a = *b
	return nil
}

// checkCell reports what is wrong with a decoded cell, or nil.
func (a *Aggregator) checkCell(g, ngroups uint64, start, end int64, n uint64, c *cell) error {
	if g >= ngroups {
		return fmt.Errorf("group %d of %d", g, ngroups)
	}
	if n == 0 || n > math.MaxInt64/2 {
		return fmt.Errorf("count %d", n)
	}
	if start >= end {
		return fmt.Errorf("bucket [%d, %d) is empty", start, end)
	}
	if cur := a.sp.g.at(start); cur.start != start || cur.end != end {
		return fmt.Errorf("[%d, %d) is not a bucket of the query", start, end)
	}
	w := &a.sp.win
	if w.hasEnd && !(instant{start, 0}).less(w.end) || w.hasStart && !w.start.less(instant{end, 0}) {
		return fmt.Errorf("bucket [%d, %d) lies outside the window", start, end)
	}
	for _, s := range [2]*Stats{&c.runtime, &c.cost} {
		for _, f := range [4]float64{s.sum, s.c, s.min, s.max} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return errors.New("a value is not finite")
			}
		}
		if s.min < 0 || s.min > s.max || s.Sum() < 0 {
			return fmt.Errorf("min %v, max %v, sum %v are inconsistent", s.min, s.max, s.Sum())
		}
	}
	if c.jobName != "" && !a.byJob {
		return errors.New("a job name in a query not grouped by JOB_ID")
	}
	return nil
}

// decoder reads the binary form; after the first error every read returns
// a zero value and the error stays in err.
type decoder struct {
	data []byte
	err  error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or malformed %s", ErrInvalidData, what)
	}
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.data) {
		d.fail("data")
		return nil
	}
	b := d.data[:n]
	d.data = d.data[n:]
	return b
}

func (d *decoder) byte() byte {
	if b := d.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.fail("integer")
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.data)
	if n <= 0 {
		d.fail("integer")
		return 0
	}
	d.data = d.data[n:]
	return v
}

// count reads a number of items, each of which takes at least one byte, so
// a count larger than what remains is malformed (and no huge allocation is
// made for it).
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.data)) {
		d.fail("count")
		return 0
	}
	return int(n)
}

func (d *decoder) float() float64 {
	if b := d.bytes(8); b != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return 0
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.data)) {
		d.fail("string")
		return ""
	}
	return string(d.bytes(int(n)))
}
