package sessionagg

// A splitter cuts sessions into pieces on one grid, inside one window.
type splitter struct {
	g   grid
	win window
	// maxPieces bounds the pieces of one session (0: no bound), so that a
	// session of a thousand years fails fast instead of filling memory.
	maxPieces int
}

func newSplitter(q *Query) splitter {
	return splitter{g: *q.calendar().grid(), win: windowOf(q), maxPieces: q.maxBuckets()}
}

// each calls f for every piece of the session [s, e), clipped to the
// window, with the bucket's key, start and end, and the piece's length in
// seconds. A zero-length session whose start lies in the window gives one
// piece of length 0. An error from f stops the walk and is returned.
func (sp *splitter) each(s, e instant, f func(key, bstart, bend int64, secs float64) error) error {
	if s == e {
		if !sp.win.contains(s) {
			return nil
		}
	} else {
		var ok bool
		if s, e, ok = sp.win.clip(s, e); !ok {
			return nil
		}
	}
	c := sp.g.at(s.sec)
	if s.sec < c.start || s.sec >= c.end {
		return errEndOfTime // the bucket arithmetic overflowed
	}
	if s == e {
		return f(c.key, c.start, c.end, 0)
	}
	for n := 1; ; n++ {
		if sp.maxPieces > 0 && n > sp.maxPieces {
			return errTooManyPieces
		}
		// The piece ends at e if e <= c.end, which holds when e.sec <
		// c.end, or e.sec == c.end with no nanoseconds.
		if e.sec < c.end || (e.sec == c.end && e.nsec == 0) {
			return f(c.key, c.start, c.end, s.secondsTo(e))
		}
		end := instant{c.end, 0}
		if err := f(c.key, c.start, c.end, s.secondsTo(end)); err != nil {
			return err
		}
		s = end
		if !c.advance() {
			return errEndOfTime
		}
	}
}
