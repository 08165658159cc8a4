package sessionagg

import (
	"fmt"
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

// grid returns c prepared for use. It panics if c.Period is not one of the
// four periods. It is small enough to be inlined, so that a caller that
// does not keep the grid has it on its stack and not on the heap.
func (c Calendar) grid() *grid {
	g := c.makeGrid()
	return &g
}

// makeGrid is grid, by value.
func (c Calendar) makeGrid() grid {
	if !c.Period.valid() {
		panic(fmt.Sprintf("sessionagg: Calendar with invalid period %v", c.Period))
	}
	g := grid{period: c.Period, shift: weekShift(c.WeekStart), loc: c.Location}
	if g.loc == nil {
		g.loc = time.UTC
	}
	g.fixed, g.off = fixedOffset(g.loc)
	if g.fixed {
		switch g.period {
		case Hourly:
			g.step = 3600
		case Daily:
			g.step = 86400
		case Weekly:
			g.step = 7 * 86400
		}
		g.phase = g.off
		if g.period == Weekly {
			g.phase += g.shift * 86400
		}
	}
	return g
}

func (g *grid) time(sec int64) time.Time { return time.Unix(sec, 0).In(g.loc) }

// A cursor is one bucket of a grid, as Unix seconds, and the bucket's key:
// its ordinal (hours, days, weeks or months since the epoch in the zone) for
// fixed-offset zones, and its start for the others.
type cursor struct {
	g          *grid
	key        int64
	start, end int64
}

// stepAt is at for a grid with a step: one division and no call.
func (g *grid) stepAt(sec int64) cursor {
	k := floorDiv(sec+g.phase, g.step)
	start := k*g.step - g.phase
	return cursor{g, k, start, start + g.step}
}

// at returns the cursor of the bucket that contains the Unix second sec
// (and therefore every instant in [sec, sec+1), since boundaries fall on
// whole seconds).
func (g *grid) at(sec int64) cursor {
	if g.fixed {
		n := g.ord(sec)
		s := g.ordStart(n)
		if g.step != 0 {
			return cursor{g, n, s, s + g.step}
		}
		return cursor{g, n, s, g.ordStart(n + 1)}
	}
	s, e := g.bounds(sec)
	return cursor{g, s, s, e}
}

// advance moves c to the next bucket. It reports false, leaving c as it
// was, if the arithmetic would overflow, which happens only far outside the
// years 1 to 9999.
func (c *cursor) advance() bool {
	// In a fixed zone the next bucket is as long as the step, or as the
	// next month: ordStart(c.key+2) with less arithmetic, since this is
	// the hot path of Split.
	key, end := c.key+1, int64(0)
	switch g := c.g; {
	case !g.fixed:
		key, end = c.end, g.nextBoundary(c.end)
	case g.step != 0:
		end = c.end + g.step
	default:
		end = c.end + monthDays(key)*86400
	}
	if end <= c.end {
		return false
	}
	c.key, c.start, c.end = key, c.end, end
	return true
}

// ord returns the ordinal of the bucket containing sec, in a fixed zone.
func (g *grid) ord(sec int64) int64 {
	l := sec + g.off
	switch g.period {
	case Hourly:
		return floorDiv(l, 3600)
	case Daily:
		return floorDiv(l, 86400)
	case Weekly:
		return floorDiv(floorDiv(l, 86400)+g.shift, 7)
	default:
		return monthOrdinal(floorDiv(l, 86400))
	}
}

// ordStart returns the start of the bucket with ordinal n, in a fixed zone.
func (g *grid) ordStart(n int64) int64 {
	switch g.period {
	case Hourly:
		return n*3600 - g.off
	case Daily:
		return n*86400 - g.off
	case Weekly:
		return (n*7-g.shift)*86400 - g.off
	default:
		return monthFirstDay(n)*86400 - g.off
	}
}

// maxZoneOffset bounds the offset of any zone in the tz database, local mean
// times included (Asia/Manila's was -15:56).
const maxZoneOffset = 26 * 3600

// zone returns the offset in force at sec and the bounds [zs, ze) of the
// span of time over which it is in force.
func (g *grid) zone(sec int64) (off, zs, ze int64) {
	t := time.Unix(sec, 0).In(g.loc)
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

func (g *grid) offset(sec int64) int64 {
	_, o := time.Unix(sec, 0).In(g.loc).Zone()
	return int64(o)
}

// firstAtOrAfter returns the first instant at which the wall clock reads
// local (seconds since 1970-01-01 00:00 local) or later: min{u : u +
// offset(u) >= local}. Within one span of constant offset, u + offset(u)
// increases, so the first such u of the span is max(span start, local -
// offset); the walk visits the spans in order.
func (g *grid) firstAtOrAfter(local int64) int64 {
	cur := local - maxZoneOffset - 3600
	for {
		o, _, ze := g.zone(cur)
		u := max(cur, local-o)
		if u < ze {
			return u
		}
		cur = ze
	}
}

// dateOrd and ordFirstDay map day numbers to the ordinal of their day, week
// or month and back.
func (g *grid) dateOrd(day int64) int64 {
	switch g.period {
	case Daily:
		return day
	case Weekly:
		return floorDiv(day+g.shift, 7)
	default:
		return monthOrdinal(day)
	}
}

func (g *grid) ordFirstDay(n int64) int64 {
	switch g.period {
	case Daily:
		return n
	case Weekly:
		return n*7 - g.shift
	default:
		return monthFirstDay(n)
	}
}

// bounds returns the bucket [start, end) that contains sec, for a zone with
// transitions.
func (g *grid) bounds(sec int64) (start, end int64) {
	switch {
	case sec < -farSec || sec > farSec:
		return g.farBounds(sec)
	case g.period == Hourly:
		return g.hourBounds(sec)
	}
	// The bucket of sec's local date starts at or before sec. A later one
	// can too, where clocks went back across midnight; walk forward to the
	// last bucket that starts at or before sec. Dates that a gap skips
	// entirely give empty buckets, which the walk passes over.
	n := g.dateOrd(floorDiv(sec+g.offset(sec), 86400))
	start = g.firstAtOrAfter(g.ordFirstDay(n) * 86400)
	for {
		n++
		end = g.firstAtOrAfter(g.ordFirstDay(n) * 86400)
		if end > sec {
			return start, end
		}
		start = end
	}
}

// nextBoundary returns the first boundary after sec, for a zone with
// transitions.
func (g *grid) nextBoundary(sec int64) int64 {
	if g.period == Hourly && -farSec <= sec && sec <= farSec {
		return g.nextHour(sec)
	}
	_, end := g.bounds(sec)
	return end
}

// farSec bounds the instants at which the general path walks zone spans.
// Beyond ±2^62 s (146 billion years from 1970) its sums of seconds and
// offsets could overflow and the walks never end; there a zone is taken to
// keep the offset it has at the instant, as a fixed zone does.
const farSec = 1 << 62

// farBounds returns the bucket that contains sec, beyond ±farSec.
func (g *grid) farBounds(sec int64) (start, end int64) {
	f := *g
	f.fixed, f.off = true, g.offset(sec)
	n := f.ord(sec)
	return f.ordStart(n), f.ordStart(n + 1)
}

// hourBounds returns the hour bucket containing sec. An hour bucket is
// shorter than two hours (a gap only shortens it; a fall-back away from an
// hh:00 reading adds less than an hour), so a boundary lies in the two
// hours before sec; the loop steps further back only for zone data stranger
// than any on record.
func (g *grid) hourBounds(sec int64) (start, end int64) {
	for back := int64(7200); ; back *= 2 {
		b := g.nextHour(sec - back - 1)
		if b > sec {
			if back > 1<<40 {
				// No boundary at all within 35,000 years: give up
				// with a bucket of this second alone.
				return sec, sec + 1
			}
			continue
		}
		for {
			nb := g.nextHour(b)
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
func (g *grid) nextHour(sec int64) int64 {
	cur := sec + 1
	for {
		o, zs, ze := g.zone(cur)
		if cur == zs {
			// A transition at cur. If the clock jumps forward over an
			// hh:00 reading, the end of the jump is a boundary.
			if po := g.offset(zs - 1); po < o {
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
func (bc *bucketCache) init(g *grid) {
	if g.fixed {
		*bc = bucketCache{off: g.off}
		return
	}
	// Powers of two near an hour, a day, a week and a month.
	*bc = bucketCache{shift: [...]uint{Hourly: 12, Daily: 16, Weekly: 19, Monthly: 21}[g.period]}
}

// at returns g.at(sec), from the cache if it holds the bucket.
func (bc *bucketCache) at(g *grid, sec int64) cursor {
	var i uint64
	if bc.shift == 0 {
		i = uint64(floorDiv(sec+bc.off, 86400))
	} else {
		i = uint64(sec >> bc.shift)
	}
	c := &bc.slots[i%uint64(len(bc.slots))]
	// The zero cursor has start == end == 0 and so holds no instant.
	if sec < c.start || sec >= c.end {
		*c = g.at(sec)
	}
	return *c
}

// count returns the number of buckets that [start, end) touches, counting
// no further than limit.
func (g *grid) count(start int64, end instant, limit int) int {
	c := g.at(start)
	if g.fixed {
		last := g.at(end.sec)
		if end.nsec == 0 && last.start == end.sec {
			return int(min(last.key-c.key, int64(limit)))
		}
		return int(min(last.key-c.key+1, int64(limit)))
	}
	n := 1
	for n < limit && (c.end < end.sec || (c.end == end.sec && end.nsec > 0)) {
		if !c.advance() {
			break
		}
		n++
	}
	return n
}
