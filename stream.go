package sessionagg

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Close closes a's buckets up to the watermark w: w is the caller's promise
// that every session added later has no piece before w (once clipped to
// the window). Close returns the rows of every bucket that ends at or
// before w, in row order, and forgets them, so that a holds the rows of
// open buckets only. With FillEmpty, the Result also holds the empty rows
// of those buckets that aggregating everything at once would give and
// that the rows seen so far prove (see "Streaming" in the package
// documentation).
//
// Watermarks only move forward: if w is not after the last watermark,
// Close returns an empty Result and changes nothing. A session added
// after Close with a piece in a closed bucket is refused with an error
// wrapping [ErrLate]; see [Aggregator.Add].
//
// The rows of every Close, followed by those of the final
// [Aggregator.Result], are the rows of aggregating every session at once,
// in the same order, up to the last bits of floating-point sums. (One
// exception: with FillEmpty and GroupBy, a group whose first row comes
// after a Close has no empty rows in the buckets closed before it.)
//
// Close returns a's error if a limit was exceeded, and an error wrapping
// [ErrOutOfRange] if w lies outside the years 1 to 9999 of the query's
// location, or a closed row does.
func (a *Aggregator) Close(w time.Time) (*Result, error) {
	a.init()
	if a.err != nil {
		return nil, a.err
	}
	if err := checkYear(w.In(a.sp.gr.loc)); err != nil {
		return nil, fmt.Errorf("%w: watermark %s", err, formatTime(w))
	}
	wm := instantOf(w)
	if a.closed && !a.wm.less(wm) {
		return makeResult(&a.q, a.fp, &a.sp, &a.groups, rowView{}, nil)
	}
	if !a.closed {
		a.closed, a.filled = true, minSec
	}
	a.wm = wm
	rank := a.groups.ranks()
	refs, cells := a.rows.closeTo(wm.sec, rank)
	if a.q.FillEmpty {
		// The buckets that end at or before wm end at or before the
		// start of wm's bucket.
		open := instant{a.sp.gr.at(wm.sec).start, 0}
		if lo, hi, ok := a.fillRange(); ok {
			if open.less(hi) {
				hi = open
			}
			var err error
			if refs, err = fill(&a.q, &a.sp, a.fillGroups(), refs, lo, hi, rank); err != nil {
				a.err = err
				return nil, err
			}
			// The end of the last bucket filled: hi, or the end of
			// the bucket a window's end lies in.
			if c := a.sp.gr.at(hi.sec); c.start != hi.sec || hi.nsec != 0 {
				hi.sec = c.end
			}
			a.filled = max(a.filled, hi.sec)
		}
	}
	return makeResult(&a.q, a.fp, &a.sp, &a.groups, rowView{cells: cells}, refs)
}

// Watermark returns the watermark of the last [Aggregator.Close] that
// closed anything, in the query's location, or the zero Time if there is
// none.
func (a *Aggregator) Watermark() time.Time {
	if !a.closed {
		return time.Time{}
	}
	return time.Unix(a.wm.sec, a.wm.nsec).In(a.sp.gr.loc)
}

// minSec is the start of the range of buckets that no close has filled.
const minSec = -1 << 63

// fillRange returns the range whose empty rows a result fills: the
// window, or on an open side the first or last bucket that ever had a
// row, and after a close no earlier than where the closes filled. It
// reports false if there is none: no row ever, in a window open on a
// side.
func (a *Aggregator) fillRange() (lo, hi instant, ok bool) {
	w, ever := &a.sp.win, &a.rows.ever
	if !ever.has && !(w.hasStart && w.hasEnd) {
		return lo, hi, false
	}
	lo, hi = instant{ever.lo, 0}, instant{ever.hi, 0}
	if w.hasStart {
		lo = w.start
	}
	if w.hasEnd {
		hi = w.end
	}
	if a.closed && lo.sec < a.filled {
		lo = instant{a.filled, 0}
	}
	return lo, hi, lo.less(hi)
}

// fillGroups returns the groups a result fills with empty rows: every
// group, since a group is made for a session's first piece and so has
// had a row; with no group-by, the one group.
func (a *Aggregator) fillGroups() []int32 {
	groups := make([]int32, a.groups.len())
	for g := range groups {
		groups[g] = int32(g)
	}
	return groups
}

// lateError returns the error of the session s, which has a piece in the
// closed bucket cur.
func (a *Aggregator) lateError(s *Session, cur *cursor) error {
	loc := a.sp.gr.loc
	return fmt.Errorf("%w: session %s to %s has a piece in the bucket %s to %s, closed at the watermark %s",
		ErrLate, formatTime(s.Start.In(loc)), formatTime(s.End.In(loc)),
		formatTime(a.sp.win.startTime(cur.start, loc)), formatTime(a.sp.win.endTime(cur.end, loc)), formatTime(a.Watermark()))
}

// streamState is the part of an Aggregator's binary form that a stream
// adds: see the layout in binary.go.
type streamState struct {
	closed bool
	wm     instant
	filled int64
	ever   bool
	lo, hi int64
}

// The stream byte's bits.
const (
	streamClosed = 1 << iota
	streamEver
)

// appendStream appends a's stream state to b.
func (a *Aggregator) appendStream(b []byte) []byte {
	var flags byte
	if a.closed {
		flags |= streamClosed
	}
	if a.rows.ever.has {
		flags |= streamEver
	}
	b = append(b, flags)
	if a.closed {
		b = binary.AppendVarint(b, a.wm.sec)
		b = binary.AppendUvarint(b, uint64(a.wm.nsec))
		b = binary.AppendVarint(b, a.filled)
	}
	if a.rows.ever.has {
		b = binary.AppendVarint(b, a.rows.ever.lo)
		b = binary.AppendVarint(b, a.rows.ever.hi)
	}
	return b
}

// decode reads the stream state from the start of data, checks it on the
// grid gr, and returns the rest of data.
func (st *streamState) decode(data []byte, gr *grid) ([]byte, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: truncated", ErrInvalidData)
	}
	flags := data[0]
	if flags&^(streamClosed|streamEver) != 0 {
		return nil, fmt.Errorf("%w: stream flags %#x", ErrInvalidData, flags)
	}
	d := decoder{data: data[1:]}
	st.closed, st.ever = flags&streamClosed != 0, flags&streamEver != 0
	if st.closed {
		st.wm.sec = d.varint()
		nsec := d.uvarint()
		st.filled = d.varint()
		if d.err == nil && nsec >= 1e9 {
			return nil, fmt.Errorf("%w: watermark nanoseconds %d", ErrInvalidData, nsec)
		}
		st.wm.nsec = int64(nsec)
		if d.err == nil {
			if err := checkYear(time.Unix(st.wm.sec, st.wm.nsec).In(gr.loc)); err != nil {
				return nil, fmt.Errorf("%w: watermark: %v", ErrInvalidData, err)
			}
			if st.filled != minSec && st.filled > gr.at(st.wm.sec).start {
				return nil, fmt.Errorf("%w: empty rows emitted beyond the watermark", ErrInvalidData)
			}
		}
	}
	if st.ever {
		st.lo, st.hi = d.varint(), d.varint()
		if d.err == nil && st.lo >= st.hi {
			return nil, fmt.Errorf("%w: the rows' range [%d, %d) is empty", ErrInvalidData, st.lo, st.hi)
		}
	}
	return d.data, d.err
}

// checkCell checks that the cell of the bucket [start, end) is one that
// the stream state allows: in the range of rows ever held, and open.
func (st *streamState) checkCell(_ int, _ [][]byte, start, end int64, _ *cell) error {
	if st.ever && (start < st.lo || end > st.hi) {
		return fmt.Errorf("%w: a row outside the range of the rows", ErrInvalidData)
	}
	if st.closed && end <= st.wm.sec {
		return fmt.Errorf("%w: a row of a closed bucket", ErrInvalidData)
	}
	return nil
}

// restore sets a's stream state to st's: a has no rows yet.
func (st *streamState) restore(a *Aggregator) {
	a.closed, a.wm, a.filled = st.closed, st.wm, st.filled
	if st.ever {
		a.rows.ever.has, a.rows.ever.lo, a.rows.ever.hi = true, st.lo, st.hi
	}
}

// checkStream returns an error wrapping ErrMismatch unless o is closed at
// a's watermark, or neither is closed.
func (a *Aggregator) checkStream(o *Aggregator) error {
	if a.closed != o.closed || a.wm != o.wm {
		return fmt.Errorf("%w: merging an aggregator closed at another watermark: the watermarks differ (%s and %s)",
			ErrMismatch, watermarkString(o), watermarkString(a))
	}
	return nil
}

// mergeStream merges o's stream state into a's: the range of rows ever
// held, and how far the closes filled.
func (a *Aggregator) mergeStream(o *Aggregator) {
	a.filled = max(a.filled, o.filled)
	if e := &o.rows.ever; e.has {
		a.rows.noteEver(e.lo, e.hi)
	}
}

func watermarkString(a *Aggregator) string {
	if !a.closed {
		return "none"
	}
	return formatTime(a.Watermark())
}
