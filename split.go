package sessionagg

import (
	"fmt"
	"math"
	"time"
)

// A splitter cuts sessions into pieces on the buckets of one Calendar,
// inside one window: the split step of grid.go, after clipping. The
// Aggregator writes its loop out (see Aggregator.addPending); the shapes
// call each.
type splitter struct {
	gr  grid
	win window
	// maxPieces bounds the pieces of one session (0: no bound), so that a
	// session of a thousand years fails fast instead of filling memory.
	maxPieces int
	// The seconds whose buckets, clipped to the window, have times that
	// a Result can write (years 1 to 9999 in the zone): a clipped session
	// must start at or after lo and end its last second before hi. They
	// bound only an open side of the window: Query.Validate checks the
	// bounds of the other.
	lo, hi int64

	// recent holds buckets in which sessions started, so that the next
	// session starting in one of them need not look it up: finding a
	// bucket costs date arithmetic for months, and zone lookups in a zone
	// with daylight saving time.
	recent bucketCache
}

// newSplitter returns a splitter on c's buckets inside w, which cuts a
// session into at most maxPieces pieces (0: no limit). It panics if
// c.Period is not one of the four periods.
func newSplitter(c Calendar, w window, maxPieces int) splitter {
	sp := splitter{gr: c.makeGrid(), win: w, maxPieces: maxPieces, lo: math.MinInt64, hi: math.MaxInt64}
	sp.recent.init(&sp.gr)
	if !w.hasStart {
		// The first bucket that starts in year 1.
		t := time.Date(1, 1, 1, 0, 0, 0, 0, sp.gr.loc).Unix()
		if sp.lo = sp.gr.at(t).start; sp.lo < t {
			sp.lo = sp.gr.at(t).end
		}
	}
	if !w.hasEnd {
		// The bucket of the last second of year 9999 ends in year
		// 10000: the buckets before it.
		sp.hi = sp.gr.at(time.Date(10000, 1, 1, 0, 0, 0, 0, sp.gr.loc).Unix() - 1).start
	}
	return sp
}

// checkYears returns an error wrapping ErrOutOfRange if the session [s,
// e), clipped to the window, has a piece in a bucket whose times a Result
// could not write: outside the years 1 to 9999 in the zone.
func (sp *splitter) checkYears(s, e instant) error {
	last := e.sec // the last second of the session
	if e.nsec == 0 && s.less(e) {
		last--
	}
	if s.sec < sp.lo || last >= sp.hi {
		t := time.Unix(s.sec, s.nsec)
		if last >= sp.hi {
			t = time.Unix(e.sec, e.nsec)
		}
		return fmt.Errorf("%w: a piece of the session at %s lies in a bucket outside the years 1 to 9999 in %s: bound the window",
			ErrOutOfRange, formatTime(t.In(sp.gr.loc)), sp.gr.loc)
	}
	return nil
}

// first returns the bucket of the second sec, where a clipped session
// starts.
func (sp *splitter) first(sec int64) cursor {
	if gr := &sp.gr; gr.step != 0 {
		// Hours, days or weeks at a fixed offset: a division, cheaper
		// than a look-up in the cache.
		return gr.stepAt(sec)
	}
	return sp.recent.at(&sp.gr, sec)
}

// each calls f for every piece of the session [s, e), clipped to the
// window, with the piece's bucket and its length in seconds. A zero-length
// session whose start lies in the window gives one piece of length 0. An
// error from f stops the split and is returned; so is an error wrapping
// ErrTooLarge for more than maxPieces pieces, or for a session that
// reaches where the bucket arithmetic overflows.
func (sp *splitter) each(s, e instant, f func(cur cursor, secs float64) error) error {
	s, e, ok := sp.win.clipSession(s, e)
	if !ok {
		return nil
	}
	cur := sp.first(s.sec)
	if !cur.holds(s.sec) {
		return errEndOfTime
	}
	if sp.maxPieces > 0 && sp.tooLong(s, e) {
		return errTooManyPieces
	}
	for n := 1; ; n++ {
		if sp.maxPieces > 0 && n > sp.maxPieces {
			return errTooManyPieces
		}
		pe, last := cur.cut(e)
		if err := f(cur, s.secondsTo(pe)); err != nil || last {
			return err
		}
		s = pe
		if !cur.advance() {
			return errEndOfTime
		}
	}
}

// tooLong reports whether the clipped session [s, e) has more than
// maxPieces pieces, which must be positive, counting its buckets before
// any piece is made. Bucket boundaries are whole seconds, so a session
// touches at most e.sec - s.sec + 1 buckets: only one of maxPieces
// seconds or more is counted, and the check costs the others a
// subtraction (in uint64, exact where the int64 one would wrap).
func (sp *splitter) tooLong(s, e instant) bool {
	m := sp.maxPieces
	return uint64(e.sec)-uint64(s.sec) >= uint64(m) && sp.gr.count(s.sec, e, m+1) > m
}
