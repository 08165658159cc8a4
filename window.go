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

// secondsTo returns b - a in seconds, for a not after b. The nanoseconds
// are brought into [0, 1e9) first, so that the two terms do not cancel:
// 2 ns across a whole second is 2e-9, not 1 - 0.999999998. Between
// instants that ok accepts the seconds may exceed an int64 (from year 0
// to 292 billion years after 1970): their difference is then taken in
// float64, where it is some 1.8e19 seconds, not a wrapped negative one.
func (a instant) secondsTo(b instant) float64 {
	sec, nsec := b.sec-a.sec, b.nsec-a.nsec
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	if sec < 0 && a.sec < b.sec {
		return float64(b.sec) - float64(a.sec)
	}
	return float64(sec) + float64(nsec)*1e-9
}

// A window is a query's [start, end), open on a side whose flag is false.
type window struct {
	start, end       instant
	hasStart, hasEnd bool
}

// newWindow returns the window [start, end), open on a side whose time is
// zero.
func newWindow(start, end time.Time) window {
	w := window{hasStart: !start.IsZero(), hasEnd: !end.IsZero()}
	if w.hasStart {
		w.start = instantOf(start)
	}
	if w.hasEnd {
		w.end = instantOf(end)
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

// clipSession returns the part of the session [s, e) that has pieces:
// the part inside w, or, for a zero-length session whose start lies in w,
// the session itself. It reports false if there is none.
func (w *window) clipSession(s, e instant) (instant, instant, bool) {
	if s == e {
		return s, e, w.contains(s)
	}
	return w.clip(s, e)
}

// contains reports whether t lies in w.
func (w *window) contains(t instant) bool {
	return (!w.hasStart || !t.less(w.start)) && (!w.hasEnd || t.less(w.end))
}

// startTime returns the bucket start sec in loc, raised to w's start if w
// starts after it.
func (w *window) startTime(sec int64, loc *time.Location) time.Time {
	b := instant{sec, 0}
	if w.hasStart && b.less(w.start) {
		b = w.start
	}
	return time.Unix(b.sec, b.nsec).In(loc)
}

// endTime returns the bucket end sec in loc, lowered to w's end if w ends
// before it.
func (w *window) endTime(sec int64, loc *time.Location) time.Time {
	b := instant{sec, 0}
	if w.hasEnd && w.end.less(b) {
		b = w.end
	}
	return time.Unix(b.sec, b.nsec).In(loc)
}

// formatTime writes t in RFC 3339, with fractional seconds only when they
// are not zero.
func formatTime(t time.Time) string { return t.Format(time.RFC3339Nano) }
