package sessionagg

import (
	"math"
	"time"
)

// An instant is a time as Unix seconds and nanoseconds in [0, 1e9).
type instant struct{ sec, nsec int64 }

func instantOf(t time.Time) instant { return instant{t.Unix(), int64(t.Nanosecond())} }

// ok reports whether a is an instant that Validate accepts: not the zero
// time.Time, and not one whose Unix seconds wrapped around. A time.Time
// counts seconds from year 1, and Unix subtracts 62,135,596,800 from
// them: for the times of the first 1,970 years after time.Time's minimum
// (such as time.Unix(math.MaxInt64, 0), whose own seconds overflow) the
// result wraps to within that much of MaxInt64, and no other time's Unix
// seconds come that close; Before and Unix then disagree on its order.
func (a instant) ok() bool {
	return a.sec <= math.MaxInt64-unixToInternal && (a.sec != -unixToInternal || a.nsec != 0)
}

// unixToInternal is the seconds from 0001-01-01, time.Time's zero, to 1970.
const unixToInternal = 62135596800

func (a instant) less(b instant) bool {
	return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec)
}

// secondsTo returns b - a in seconds. The nanoseconds are brought into
// [0, 1e9) first, so that the two terms do not cancel: 2 ns across a whole
// second is 2e-9, not 1 - 0.999999998.
func (a instant) secondsTo(b instant) float64 {
	sec, nsec := b.sec-a.sec, b.nsec-a.nsec
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	return float64(sec) + float64(nsec)*1e-9
}

// A window is the query's [start, end), open on a side whose flag is false.
type window struct {
	start, end       instant
	hasStart, hasEnd bool
}

func windowOf(q *Query) window {
	w := window{hasStart: !q.Start.IsZero(), hasEnd: !q.End.IsZero()}
	if w.hasStart {
		w.start = instantOf(q.Start)
	}
	if w.hasEnd {
		w.end = instantOf(q.End)
	}
	return w
}

// clip returns the part of [s, e) inside w, and whether any of it is.
func (w *window) clip(s, e instant) (instant, instant, bool) {
	if w.hasStart && s.less(w.start) {
		s = w.start
	}
	if w.hasEnd && w.end.less(e) {
		e = w.end
	}
	return s, e, s.less(e)
}

// contains reports whether t lies in w.
func (w *window) contains(t instant) bool {
	return (!w.hasStart || !t.less(w.start)) && (!w.hasEnd || t.less(w.end))
}

// clipTime returns the bucket boundary sec, clipped to the window's bound
// w if there is one: raised to it for a start, lowered for an end.
func clipTime(sec int64, w instant, bounded bool, loc *time.Location, isStart bool) time.Time {
	b := instant{sec, 0}
	if bounded && (isStart && b.less(w) || !isStart && w.less(b)) {
		b = w
	}
	return time.Unix(b.sec, b.nsec).In(loc)
}

// formatTime writes t in RFC 3339, with fractional seconds only when they
// are not zero.
func formatTime(t time.Time) string { return t.Format(time.RFC3339Nano) }
