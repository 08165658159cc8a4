package sessionagg

import (
	"fmt"
	"iter"
	"time"
)

// A Bucket is one period of the wall clock in a zone: the half-open
// interval [Start, End) of absolute time. Buckets made by a [Calendar] have
// Start and End in the calendar's location.
type Bucket struct {
	Start, End time.Time
}

// Contains reports whether t lies in [b.Start, b.End).
func (b Bucket) Contains(t time.Time) bool {
	return !t.Before(b.Start) && t.Before(b.End)
}

// Duration returns b.End.Sub(b.Start): 23, 24 or 25 hours for a day in a
// zone with daylight saving time, 30 to 90 minutes for an hour in a zone
// whose clocks move by half an hour.
func (b Bucket) Duration() time.Duration { return b.End.Sub(b.Start) }

// String returns the bucket as "[start, end)" in RFC 3339.
func (b Bucket) String() string {
	return "[" + formatTime(b.Start) + ", " + formatTime(b.End) + ")"
}

// A Piece is the part of an interval that lies in one bucket: [Start, End)
// is contained in Bucket.
type Piece struct {
	Bucket     Bucket
	Start, End time.Time
}

// A Calendar divides time into buckets of one Period as read on the wall
// clock of one Location. It is a plain value: the zero Calendar has no
// period and must not be used, and a Calendar is safe for concurrent use.
//
// Buckets follow the wall clock, not a fixed duration, and they tile time:
// every instant lies in exactly one bucket, and each bucket ends where the
// next begins.
//
//   - Hours: a bucket starts at every instant at which the wall clock reads
//     hh:00:00. Where a daylight saving gap skips such a reading (clocks
//     jumping from 02:00 to 03:00, or from 02:00 to 02:30 on
//     Australia/Lord_Howe), the end of the gap starts the bucket instead.
//     A repeated hour after clocks go back is two buckets; an hour in which
//     clocks go back by 30 minutes is one bucket of 90 minutes.
//   - Days, weeks and months: a bucket holds every instant whose local date
//     lies in that day, week or month, and starts at the first such
//     instant. A day that begins in a gap (America/Santiago) starts when the
//     gap ends; a midnight that repeats (America/Havana) does not split the
//     day, which is then 25 hours long.
//
// Weeks run Monday to Sunday (ISO 8601) unless WeekStart is [Sunday].
//
// For a fixed-offset Location, such as those of [ParseTimezone] and
// [time.UTC], buckets are computed with integer arithmetic alone. For other
// locations Calendar asks the Location for its zone transitions, so the
// results are exactly those of the zone data the caller loaded; Calendar
// never reads the zone database itself. It does not use [time.Time.Truncate],
// which rounds absolute time and is wrong for a zone such as UTC+05:30.
//
// Instants outside the years 1 to 9999 are accepted but get no promise
// beyond this: no method panics or fails to return.
type Calendar struct {
	Period    Period
	Location  *time.Location // nil means UTC
	WeekStart WeekStart      // first day of a Weekly bucket
}

// Bucket returns the bucket that contains t.
// It panics if c.Period is not one of the four periods.
func (c Calendar) Bucket(t time.Time) Bucket {
	gr := c.makeGrid()
	cur := gr.at(t.Unix())
	return Bucket{gr.time(cur.start), gr.time(cur.end)}
}

// Next returns the first bucket boundary strictly after t: the end of the
// bucket that contains t, in c's location.
// It panics if c.Period is not one of the four periods.
func (c Calendar) Next(t time.Time) time.Time {
	gr := c.makeGrid()
	return gr.time(gr.at(t.Unix()).end)
}

// Buckets returns the buckets that tile the window [start, end), in order,
// with the first and the last clipped to the window, so that the first
// starts at start and the last ends at end. If end is not after start, the
// sequence is empty. The sequence is lazy: a window of a century yields
// its hours one at a time, and the caller may stop early.
// It panics if c.Period is not one of the four periods.
func (c Calendar) Buckets(start, end time.Time) iter.Seq[Bucket] {
	return func(yield func(Bucket) bool) {
		for p := range c.Split(start, end) {
			if !start.Before(end) || !yield(Bucket{p.Start, p.End}) {
				return
			}
		}
	}
}

// Split returns the pieces of the interval [start, end) cut at every bucket
// boundary, in order. Each piece lies in one bucket, which it carries whole
// (not clipped); the pieces are contiguous and together cover [start, end)
// exactly. If start equals end, Split yields one empty piece in the bucket
// that contains start, as the aggregation counts a zero-length session; if
// end is before start, the sequence is empty. The sequence is lazy and the
// caller may stop early. Times are in c's location.
// It panics if c.Period is not one of the four periods.
func (c Calendar) Split(start, end time.Time) iter.Seq[Piece] {
	// Split is small enough to inline, and so is its closure: a range over
	// Split then runs the loop below in the caller, with the grid, the
	// cursor and the loop body on the caller's stack. A split allocates
	// nothing. The loop is the split step of grid.go, on times.
	gr := c.makeGrid()
	return func(yield func(Piece) bool) {
		if end.Before(start) {
			return
		}
		start, end := start.In(gr.loc), end.In(gr.loc)
		e := instantOf(end)
		cur := gr.at(start.Unix())
		if cur.end <= cur.start {
			// Only within days of the ends of int64 seconds, where the
			// bucket's end overflows: one piece, rather than a loop.
			yield(Piece{Bucket{start, end}, start, end})
			return
		}
		bs := gr.time(cur.start)
		from := start
		for {
			be := gr.time(cur.end)
			if _, last := cur.cut(e); last {
				yield(Piece{Bucket{bs, be}, from, end})
				return
			}
			if !yield(Piece{Bucket{bs, be}, from, be}) {
				return
			}
			if !cur.advance() {
				// Only for instants far outside the years 1 to 9999,
				// where the arithmetic would overflow: end the split
				// with one last piece rather than loop.
				yield(Piece{Bucket{be, end}, be, end})
				return
			}
			bs, from = be, be
		}
	}
}

// grid returns c prepared for use. It panics if c.Period is not one of the
// four periods. It is small enough to be inlined, so that a caller that
// does not keep the grid has it on its stack and not on the heap.
func (c Calendar) grid() *grid {
	gr := c.makeGrid()
	return &gr
}

// makeGrid is grid, by value. It is not inlined, which keeps Split small
// enough to be.
func (c Calendar) makeGrid() grid {
	if !c.Period.valid() {
		panic(fmt.Sprintf("sessionagg: Calendar with invalid period %v", c.Period))
	}
	gr := grid{period: c.Period, shift: weekShift(c.WeekStart), loc: c.Location}
	if gr.loc == nil {
		gr.loc = time.UTC
	}
	gr.fixed, gr.off = fixedOffset(gr.loc)
	if gr.fixed {
		switch gr.period {
		case Hourly:
			gr.step = 3600
		case Daily:
			gr.step = 86400
		case Weekly:
			gr.step = 7 * 86400
		}
		gr.phase = gr.off
		if gr.period == Weekly {
			gr.phase += gr.shift * 86400
		}
	}
	return gr
}
