package sessionagg

import (
	"iter"
	"math"
	"time"
)

// grid is a Calendar prepared for use: the period, the week shift and
// whether the location has one fixed offset.
type grid struct {
	period Period
	shift  int64 // weekShift(WeekStart)
	loc    *time.Location
	fixed  bool
	off    int64 // seconds east of UTC, when fixed
	step   int64 // the length of every bucket, when fixed and not Monthly
	// With a step, the bucket of sec has the key floorDiv(sec+phase,
	// step) and starts at key*step - phase.
	phase int64
}

func (gr *grid) time(sec int64) time.Time { return time.Unix(sec, 0).In(gr.loc) }

// A cursor is one bucket of a grid: its bounds [start, end) in Unix
// seconds, and its key (see rowstore.go): its ordinal (hours, days, weeks
// or months since the epoch in the zone) for fixed-offset zones, and its
// start for the others.
type cursor struct {
	gr         *grid
	key        int64
	start, end int64
}

// stepAt is at for a grid with a step: one division and no call.
func (gr *grid) stepAt(sec int64) cursor {
	k := floorDiv(sec+gr.phase, gr.step)
	start := k*gr.step - gr.phase
	return cursor{gr, k, start, start + gr.step}
}

// at returns the cursor of the bucket that contains the Unix second sec
// (and therefore every instant in [sec, sec+1), since boundaries fall on
// whole seconds).
func (gr *grid) at(sec int64) cursor {
	if gr.fixed {
		n := gr.ord(sec)
		s := gr.ordStart(n)
		if gr.step != 0 {
			return cursor{gr, n, s, s + gr.step}
		}
		return cursor{gr, n, s, gr.ordStart(n + 1)}
	}
	s, e := gr.bounds(sec)
	return cursor{gr, s, s, e}
}

// The split step. Splitting an interval [s, e) whose start lies in the
// bucket c is, until cut reports the last piece: cut the piece [s, pe)
// off, then move s to pe and c to the next bucket with advance. Every
// split of the package takes this step: Calendar.Split, splitter.each, the
// Aggregator's loop, and walk, which keeps only the buckets.

// holds reports whether the second sec lies in c: false only where the
// bucket arithmetic overflowed, some 292 billion years from 1970.
func (c *cursor) holds(sec int64) bool { return c.start <= sec && sec < c.end }

// cut returns the end of the piece of [s, e) that lies in c, for an s in
// c, and whether it is the last piece: e if e <= c.end, and c.end if not.
func (c *cursor) cut(e instant) (instant, bool) {
	// e <= c.end holds when e.sec < c.end, or e.sec == c.end with no
	// nanoseconds.
	if e.sec < c.end || (e.sec == c.end && e.nsec == 0) {
		return e, true
	}
	return instant{c.end, 0}, false
}

// advance moves c to the next bucket. It reports false, leaving c as it
// was, if the arithmetic would overflow, which happens only far outside the
// years 1 to 9999. A fixed step is taken inline; the rest in next.
func (c *cursor) advance() bool {
	if step := c.gr.step; step != 0 && c.end+step > c.end {
		c.key, c.start, c.end = c.key+1, c.end, c.end+step
		return true
	}
	return c.next()
}

// next is advance for any grid.
func (c *cursor) next() bool {
	// In a fixed zone the next bucket is as long as the step, or as the
	// next month: ordStart(c.key+2) with less arithmetic.
	key, end := c.key+1, int64(0)
	switch gr := c.gr; {
	case !gr.fixed:
		key, end = c.end, gr.nextBoundary(c.end)
	case gr.step != 0:
		end = c.end + gr.step
	default:
		end = c.end + monthDays(key)*86400
	}
	if end <= c.end {
		return false
	}
	c.key, c.start, c.end = key, c.end, end
	return true
}

// walk returns the buckets that [lo, hi) touches, in order: the bucket of
// the second lo, and every later one that starts before hi. It is the
// split step with the pieces left out. It stops early, after the bucket
// where the arithmetic would overflow.
func (gr *grid) walk(lo int64, hi instant) iter.Seq[cursor] {
	return func(yield func(cursor) bool) {
		for c := gr.at(lo); yield(c); {
			if _, last := c.cut(hi); last || !c.advance() {
				return
			}
		}
	}
}

// count returns the number of buckets that [start, end) touches, counting
// no further than limit.
func (gr *grid) count(start int64, end instant, limit int) int {
	if gr.fixed {
		first, last := gr.at(start), gr.at(end.sec)
		if end.nsec == 0 && last.start == end.sec {
			return int(min(last.key-first.key, int64(limit)))
		}
		return int(min(last.key-first.key+1, int64(limit)))
	}
	n := 0
	for range gr.walk(start, end) {
		if n++; n >= limit {
			break
		}
	}
	return n
}

// ord returns the ordinal of the bucket containing sec, in a fixed zone.
func (gr *grid) ord(sec int64) int64 {
	l := sec + gr.off
	switch gr.period {
	case Hourly:
		return floorDiv(l, 3600)
	case Daily:
		return floorDiv(l, 86400)
	case Weekly:
		return floorDiv(floorDiv(l, 86400)+gr.shift, 7)
	default:
		return monthOrdinal(floorDiv(l, 86400))
	}
}

// ordStart returns the start of the bucket with ordinal n, in a fixed zone.
func (gr *grid) ordStart(n int64) int64 {
	switch gr.period {
	case Hourly:
		return n*3600 - gr.off
	case Daily:
		return n*86400 - gr.off
	case Weekly:
		return (n*7-gr.shift)*86400 - gr.off
	default:
		return monthFirstDay(n)*86400 - gr.off
	}
}

// maxZoneOffset bounds the offset of any zone in the tz database, local mean
// times included (Asia/Manila's was -15:56).
const maxZoneOffset = 26 * 3600

// zone returns the offset in force at sec and the bounds [zs, ze) of the
// span of time over which it is in force.
func (gr *grid) zone(sec int64) (off, zs, ze int64) {
	t := time.Unix(sec, 0).In(gr.loc)
	_, o := t.Zone()
	s, e := t.ZoneBounds()
	zs, ze = math.MinInt64, math.MaxInt64
	if !s.IsZero() {
		zs = s.Unix()
	}
	if !e.IsZero() {
		ze = e.Unix()
	}
	if ze <= sec {
		// After a zone's last listed transition the time package applies
		// the zone's POSIX TZ rule, and there (time/zoneinfo.go, tzset,
		// through Go 1.26 at least) it ends the span that follows the
		// autumn transition at the start of the year plus 365 days: in a
		// leap year that is 00:00 UTC on 31 December, before sec. The
		// offset cannot change again before the year ends, so end the span
		// at the next 00:00 UTC instead; a walk from span to span would
		// otherwise never advance (golang.org/issue/81583). Slim zone data,
		// such as time/tzdata's, reaches the rule after 2007 in most zones,
		// fat data after 2037.
		ze = (floorDiv(sec, 86400) + 1) * 86400
	}
	return int64(o), zs, ze
}

func (gr *grid) offset(sec int64) int64 {
	_, o := time.Unix(sec, 0).In(gr.loc).Zone()
	return int64(o)
}

// firstAtOrAfter returns the first instant at which the wall clock reads
// local (seconds since 1970-01-01 00:00 local) or later: min{u : u +
// offset(u) >= local}. Within one span of constant offset, u + offset(u)
// increases, so the first such u of the span is max(span start, local -
// offset); the walk visits the spans in order.
func (gr *grid) firstAtOrAfter(local int64) int64 {
	cur := local - maxZoneOffset - 3600
	for {
		o, _, ze := gr.zone(cur)
		u := max(cur, local-o)
		if u < ze {
			return u
		}
		cur = ze
	}
}

// dateOrd and ordFirstDay map day numbers to the ordinal of their day, week
// or month and back.
func (gr *grid) dateOrd(day int64) int64 {
	switch gr.period {
	case Daily:
		return day
	case Weekly:
		return floorDiv(day+gr.shift, 7)
	default:
		return monthOrdinal(day)
	}
}

func (gr *grid) ordFirstDay(n int64) int64 {
	switch gr.period {
	case Daily:
		return n
	case Weekly:
		return n*7 - gr.shift
	default:
		return monthFirstDay(n)
	}
}

// bounds returns the bucket [start, end) that contains sec, for a zone with
// transitions.
func (gr *grid) bounds(sec int64) (start, end int64) {
	switch {
	case sec < -farSec || sec > farSec:
		return gr.farBounds(sec)
	case gr.period == Hourly:
		return gr.hourBounds(sec)
	}
	// The bucket of sec's local date starts at or before sec. A later one
	// can too, where clocks went back across midnight; walk forward to the
	// last bucket that starts at or before sec. Dates that a gap skips
	// entirely give empty buckets, which the walk passes over.
	n := gr.dateOrd(floorDiv(sec+gr.offset(sec), 86400))
	start = gr.firstAtOrAfter(gr.ordFirstDay(n) * 86400)
	for {
		n++
		end = gr.firstAtOrAfter(gr.ordFirstDay(n) * 86400)
		if end > sec {
			return start, end
		}
		start = end
	}
}

// nextBoundary returns the first boundary after sec, for a zone with
// transitions.
func (gr *grid) nextBoundary(sec int64) int64 {
	if gr.period == Hourly && -farSec <= sec && sec <= farSec {
		return gr.nextHour(sec)
	}
	_, end := gr.bounds(sec)
	return end
}

// farSec bounds the instants at which the general path walks zone spans.
// Beyond ±2^62 s (146 billion years from 1970) its sums of seconds and
// offsets could overflow and the walks never end; there a zone is taken to
// keep the offset it has at the instant, as a fixed zone does.
const farSec = 1 << 62

// farBounds returns the bucket that contains sec, beyond ±farSec.
func (gr *grid) farBounds(sec int64) (start, end int64) {
	f := *gr
	f.fixed, f.off = true, gr.offset(sec)
	n := f.ord(sec)
	return f.ordStart(n), f.ordStart(n + 1)
}

// hourBounds returns the hour bucket containing sec. An hour bucket is
// shorter than two hours (a gap only shortens it; a fall-back away from an
// hh:00 reading adds less than an hour), so a boundary lies in the two
// hours before sec; the loop steps further back only for zone data stranger
// than any on record.
func (gr *grid) hourBounds(sec int64) (start, end int64) {
	for back := int64(7200); ; back *= 2 {
		b := gr.nextHour(sec - back - 1)
		if b > sec {
			if back > 1<<40 {
				// No boundary at all within 35,000 years: give up
				// with a bucket of this second alone.
				return sec, sec + 1
			}
			continue
		}
		for {
			nb := gr.nextHour(b)
			if nb > sec {
				return b, nb
			}
			b = nb
		}
	}
}

// nextHour returns the first hour boundary after sec: the first instant
// after sec at which the wall clock reads hh:00:00, or at which a gap that
// skips such a reading ends.
func (gr *grid) nextHour(sec int64) int64 {
	cur := sec + 1
	for {
		o, zs, ze := gr.zone(cur)
		if cur == zs {
			// A transition at cur. If the clock jumps forward over an
			// hh:00 reading, the end of the jump is a boundary.
			if po := gr.offset(zs - 1); po < o {
				if ceilMultiple(zs+po, 3600) <= zs+o {
					return zs
				}
			}
		}
		if u := ceilMultiple(cur+o, 3600) - o; u < ze {
			return u
		}
		cur = ze
	}
}

// ceilMultiple returns the least multiple of m that is >= x, for m > 0.
func ceilMultiple(x, m int64) int64 { return -floorDiv(-x, m) * m }

// A bucketCache remembers buckets of one grid by the instants they hold:
// a direct-mapped cache whose slot for an instant is a function of the
// instant alone, about one bucket wide, so that neighbouring buckets take
// different slots. In a fixed zone, where only months use it, the slot is
// the local day's: a day lies in one month, so months never share a slot.
// It must be set up by init.
type bucketCache struct {
	shift uint // log2 of a slot's span of seconds, or 0 for a fixed zone
	off   int64
	slots [256]cursor
}

// init empties bc and sets it up for g.
func (bc *bucketCache) init(gr *grid) {
	if gr.fixed {
		*bc = bucketCache{off: gr.off}
		return
	}
	// Powers of two near an hour, a day, a week and a month.
	*bc = bucketCache{shift: [...]uint{Hourly: 12, Daily: 16, Weekly: 19, Monthly: 21}[gr.period]}
}

// at returns g.at(sec), from the cache if it holds the bucket.
func (bc *bucketCache) at(gr *grid, sec int64) cursor {
	var i uint64
	if bc.shift == 0 {
		i = uint64(floorDiv(sec+bc.off, 86400))
	} else {
		i = uint64(sec >> bc.shift)
	}
	c := &bc.slots[i%uint64(len(bc.slots))]
	// The zero cursor has start == end == 0 and so holds no instant.
	if sec < c.start || sec >= c.end {
		*c = gr.at(sec)
	}
	return *c
}
