package sessionagg

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"runtime"
	"slices"
	"sync"
)

// An Aggregator aggregates sessions, one at a time ([Aggregator.Add]) or a
// sequence at a time ([Aggregator.AddAll]), into the rows of one [Query].
// Aggregators of the same query merge, so that shards of the
// sessions can be aggregated separately, in goroutines or in other
// processes (see MarshalBinary), and combined: merging is associative and
// commutative, an empty Aggregator is its identity, and any grouping and
// order of shards gives the same rows as aggregating all sessions at once,
// up to the last bits of floating-point rounding in sums.
//
// Memory grows with the number of rows and groups, never with the number of
// sessions. (In a fixed-offset zone each group's rows are kept in bucket
// order with room for the empty buckets between them, the fastest layout
// to add to: room for up to a million buckets, 80 MB, or eight per row if
// that is more. Sparser rows move to a table that holds only them.) An
// Aggregator is not safe for concurrent use; give each goroutine its own
// and merge them. The zero Aggregator is an empty Aggregator of the zero
// Query, ready to use.
type Aggregator struct {
	q      Query
	fp     string // fingerprint of q: what must match to merge
	sp     splitter
	groups groups
	rows   *rowStore
	byJob  bool  // the rows carry job names
	err    error // sticky: a limit was exceeded while a session was added

	maxBuckets int // q.maxBuckets(): the limit that applies, or 0

	// The stream's state (stream.go): whether Close has closed buckets,
	// up to which watermark, up to where the empty rows of closed
	// buckets have been emitted (filled, a bucket start).
	closed bool
	wm     instant
	filled int64

	// The queue or fleet filter: the field and the accepted ids.
	filter Field
	ids    []string

	// addSeq batches when the slabs hold batchFrom cells or more, and
	// loads the rows first from touchFrom (tests lower both); it keeps the
	// sum of what it loads in touched.
	batchFrom, touchFrom int
	touched              int64
}

// NewAggregator returns an empty Aggregator for q, or q's validation error
// (see [Query.Validate]).
func NewAggregator(q Query) (*Aggregator, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	q = q.clone()
	a := &Aggregator{q: q, fp: fingerprint(&q), sp: q.splitter(), maxBuckets: q.maxBuckets(), groups: newGroups(q.GroupBy), batchFrom: batchCells, touchFrom: touchCells}
	a.byJob = slices.Contains(q.GroupBy, JobID)
	layout := denseRows
	if a.byJob {
		layout = namedRows
	}
	a.rows = newRowStore(&a.sp.gr, &a.sp.win, layout, q.MaxRows)
	for range a.groups.len() {
		a.rows.addGroup()
	}
	switch {
	case len(q.QueueIDs) > 0:
		a.filter, a.ids = QueueID, q.QueueIDs
	case len(q.FleetIDs) > 0:
		a.filter, a.ids = FleetID, q.FleetIDs
	}
	return a, nil
}

// init makes the zero Aggregator an empty Aggregator of the zero Query.
func (a *Aggregator) init() {
	if a.rows == nil {
		b, _ := NewAggregator(Query{}) // the zero Query is valid
		*a = *b
	}
}

// Query returns the query a aggregates.
func (a *Aggregator) Query() Query { return a.q.clone() }

// Add adds the pieces of s that lie in the query's window to their rows. A
// session that the query's queue or fleet ids exclude is skipped. An
// invalid session (see [Session.Validate]) is an error and leaves a
// unchanged. If the session would exceed the query's limit of buckets or
// rows, or reaches some 292 billion years from 1970, where the arithmetic of
// buckets in seconds overflows, Add returns an error wrapping [ErrTooLarge],
// and a is then unusable: every later call returns the same error. A
// session with a piece in a bucket outside the years 1 to 9999 of the
// query's location (only possible on an open side of the window), whose
// row times could not be written, is an error wrapping [ErrOutOfRange]
// that leaves a unchanged. After [Aggregator.Close], a session with a
// piece in a closed bucket is an error wrapping [ErrLate] and leaves a
// unchanged; a goes on.
func (a *Aggregator) Add(s Session) error { return a.addSession(&s) }

// addSession is Add for a session that the caller need not copy.
func (a *Aggregator) addSession(s *Session) error {
	if a.rows == nil {
		a.init()
	}
	if a.err != nil {
		return a.err
	}
	a.rows.own()
	var p pending
	if ok, err := a.prepare(s, &p); !ok {
		return err // an invalid session leaves a as it was
	}
	if err := a.addPending(&p); err != nil {
		a.err = err
		return err
	}
	return nil
}

// checkBuckets returns an error wrapping ErrTooLarge if the window is open
// and the buckets from the first piece to the last are more than
// MaxBuckets. (A bounded window's buckets are counted by Validate.)
func (a *Aggregator) checkBuckets() error {
	if m := a.maxBuckets; m > 0 && (!a.sp.win.hasStart || !a.sp.win.hasEnd) && a.rows.buckets(m+1) > m {
		return fmt.Errorf("%w: the sessions span more than %d buckets%s", ErrTooLarge, m, defaultNote(a.q.MaxBuckets))
	}
	return nil
}

// A pending session is one that prepare has checked, filtered, grouped and
// clipped to the window, with its first bucket found: what addPending
// needs to add its pieces.
type pending struct {
	g     int32   // the session's group
	s, e  instant // the session, clipped to the window
	total float64 // the whole session's length in seconds
	cost  float64
	job   string
	cur   cursor // the bucket of s
	index int    // the session's number, for AddAll's errors
}

// prepare fills p for the session s and reports whether it has pieces to
// add. It returns s's validation error, if any.
func (a *Aggregator) prepare(s *Session, p *pending) (bool, error) {
	// Session.Validate's checks, on the instants that the pieces need
	// anyway; it makes the error.
	start, end := instantOf(s.Start), instantOf(s.End)
	if c := s.CostInUSD; end.less(start) || !(c >= 0 && c <= MaxCostInUSD) || !start.ok() || !end.ok() {
		return false, s.Validate()
	}
	if a.filter != 0 && !a.accepts(s.label(a.filter)) {
		return false, nil
	}
	cs, ce, ok := a.sp.win.clipSession(start, end)
	if !ok {
		return false, nil
	}
	if err := a.sp.checkYears(cs, ce); err != nil {
		return false, err // before the session's group is made
	}
	p.cur = a.sp.first(cs.sec)
	if a.closed && p.cur.end <= a.wm.sec {
		return false, a.lateError(s, &p.cur)
	}
	p.g = 0
	if len(a.q.GroupBy) > 0 {
		var isNew bool
		if p.g, isNew = a.groups.of(s); isNew {
			a.rows.addGroup()
		}
	}
	p.s, p.e = cs, ce
	p.total = start.secondsTo(end)
	p.cost, p.job = s.CostInUSD, s.JobName
	if p.cost == 0 {
		p.cost = 0 // -0 is 0: no row shows "-0", and the binary form is unique
	}
	return true, nil
}

// addPending adds the pieces of p to their rows, and checks the query's
// limits. It is splitter.each written out for the hot path, with the same
// split step (cursor.cut, then cursor.advance) and so the same pieces: no
// function call per piece where the rows are in slabs. The property test
// TestAddMatchesEach holds it to each.
func (a *Aggregator) addPending(p *pending) error {
	s, e, cur, total, cost, g := p.s, p.e, p.cur, p.total, p.cost, p.g
	if !cur.holds(s.sec) {
		return errEndOfTime
	}
	maxPieces := a.sp.maxPieces
	if maxPieces > 0 && a.sp.tooLong(s, e) {
		return errTooManyPieces // before any of its rows is made
	}
	added := false // whether a row was added, which may widen the span
	for n := 1; ; n++ {
		if maxPieces > 0 && n > maxPieces {
			return errTooManyPieces
		}
		pe, last := cur.cut(e)
		secs := s.secondsTo(pe)
		c := a.rows.slabs.find(g, cur.key) // inlined
		if c == nil {
			var err error
			if c, err = a.rows.row(g, &cur); err != nil {
				return err
			}
			added = true
		}
		// The piece's share of the cost, prorated over the session's
		// whole length. A whole session keeps its cost exactly, and a
		// zero-length one has one piece that carries all of it.
		share := cost
		if secs != total {
			share = cost * (secs / total)
		}
		// c.runtime.Add(secs) and c.cost.Add(share), written out
		// with one test for the first piece.
		r, k := &c.runtime, &c.cost
		if r.count == 0 {
			r.min, r.max, k.min, k.max = secs, secs, share, share
		} else {
			r.min, r.max = min(r.min, secs), max(r.max, secs)
			k.min, k.max = min(k.min, share), max(k.max, share)
		}
		r.count++
		k.count++
		r.addSum(secs)
		k.addSum(share)
		if a.byJob {
			a.rows.keepName(p.job)
		}
		if last {
			break
		}
		s = pe
		// cur.advance(), with its fixed step written out.
		if step := cur.gr.step; step != 0 && cur.end+step > cur.end {
			cur.key, cur.start, cur.end = cur.key+1, cur.end, cur.end+step
		} else if !cur.next() {
			return errEndOfTime
		}
	}
	if added && a.maxBuckets > 0 {
		return a.checkBuckets()
	}
	return nil
}

// batchLen is the number of sessions addSeq prepares before it adds them.
const batchLen = 16

// AddAll adds sessions as Add adds each of them, in order, and stops at
// the first that Add would reject: the sessions before it are added, and
// the error says which session it is, counting from 0.
//
// When the rows outgrow the processor's cache, AddAll is faster than Add
// in a loop: it prepares several sessions before it adds any, so that the
// processor waits for their rows' memory together rather than once per
// session.
func (a *Aggregator) AddAll(sessions iter.Seq[Session]) error { return a.addSeq(sessions, 0) }

// addSeq is AddAll with the sessions numbered from first. It works in
// batches: it prepares a batch (checks, groups, clips and finds the first
// bucket of each session), then adds them, each session's pieces in a
// short loop; the loads of rows in one batch are independent of one
// another, so the processor waits for their cache misses together, where
// one session at a time would wait for each miss in turn, with a few
// hundred instructions between them. In rows far larger than the cache,
// that is not enough: there the batch first loads the row of each
// session's first piece, in a loop of a few instructions, and then adds.
func (a *Aggregator) addSeq(sessions iter.Seq[Session], first int) error {
	a.init()
	if a.err != nil {
		return a.err
	}
	a.rows.own()
	var b batch
	i := first
	for s := range sessions {
		if err := a.feed(&b, &s, i); err != nil {
			return err
		}
		i++
	}
	return a.addBatch(b.pending[:b.n])
}

// addSlice is addSeq for a slice, whose sessions it need not copy.
func (a *Aggregator) addSlice(sessions []Session, first int) error {
	a.init()
	if a.err != nil {
		return a.err
	}
	a.rows.own()
	var b batch
	for i := range sessions {
		if err := a.feed(&b, &sessions[i], first+i); err != nil {
			return err
		}
	}
	return a.addBatch(b.pending[:b.n])
}

// A batch is the sessions that addSeq or addSlice has prepared and not
// yet added.
type batch struct {
	pending [batchLen]pending
	n       int
}

// feed prepares the session s, numbered i, into b, and adds b's sessions
// when b is full, or s at once when a does not batch.
func (a *Aggregator) feed(b *batch, s *Session, i int) error {
	ok, err := a.prepare(s, &b.pending[b.n])
	switch {
	case err != nil:
		// The sessions before this one come first, and may fail first.
		if err := a.addBatch(b.pending[:b.n]); err != nil {
			return err
		}
		return fmt.Errorf("session %d: %w", i, err)
	case ok:
		if j, err := a.queue(b, i); err != nil {
			a.err = fmt.Errorf("session %d: %w", j, err)
			return a.err
		}
	}
	return nil
}

// queue takes the session that b.pending[b.n] holds, prepared and
// numbered i, into b, and adds b's sessions when b is full, or the session
// at once when a does not batch. On a limit, it returns the number of the
// session that exceeded it and the error, which the caller wraps.
func (a *Aggregator) queue(b *batch, i int) (int, error) {
	p := &b.pending[b.n]
	if b.n == 0 && !a.batches() {
		return i, a.addPending(p)
	}
	p.index = i
	if b.n++; b.n == len(b.pending) {
		b.n = 0
		return a.addPendings(b.pending[:])
	}
	return 0, nil
}

// batches reports whether addSeq should batch: whether the rows are in
// slabs too large for the processor's cache. In smaller ones, or in the
// table, the loads of a batch mostly hit, and batching costs more than it
// gains.
func (a *Aggregator) batches() bool {
	return a.rows.dense() >= a.batchFrom
}

// batchCells is the size of the slabs, in cells, from which addSeq
// batches: 640 KB, the order of a core's L2 cache. From touchCells (5 MB,
// the order of a core's share of L3) it loads the rows first.
//
// Measured on the benchmarks' data: the first load of each row makes
// daily rows in 31 MB 16% faster (127 against 151 ns a session), and
// hourly rows in 3.7 MB 6% slower (66 against 62).
const (
	batchCells = 8 << 10
	touchCells = 64 << 10
)

// addBatch adds the pending sessions of a batch; see addSeq.
func (a *Aggregator) addBatch(batch []pending) error {
	if j, err := a.addPendings(batch); err != nil {
		a.err = fmt.Errorf("session %d: %w", j, err)
		return a.err
	}
	return nil
}

// addPendings is addBatch with the error as addPending returns it, and
// the number of the session that failed, for the caller to wrap.
func (a *Aggregator) addPendings(batch []pending) (int, error) {
	if st := a.rows; st.dense() >= a.touchFrom {
		var sum int64
		for i := range batch {
			sum += st.load(batch[i].g, batch[i].cur.key)
		}
		// Keep the loads: the compiler may drop those whose values are
		// not used.
		a.touched += sum
	}
	for i := range batch {
		if err := a.addPending(&batch[i]); err != nil {
			return batch[i].index, err
		}
	}
	return 0, nil
}

func (a *Aggregator) accepts(id string) bool {
	for _, x := range a.ids {
		if x == id {
			return true
		}
	}
	return false
}

// Merge adds to a every piece that o has seen, as if o's sessions had been
// added to a. A nil or zero o is empty. Merging aggregators of different
// queries (different windows, periods, zones, groups, statistics or
// filters) is an error wrapping [ErrMismatch] that says what differs, and
// leaves a unchanged; so does merging one whose limits were exceeded, and
// merging rows whose counts would overflow an int64 (an error wrapping
// [ErrTooLarge]). If the merged rows exceed a's MaxRows, or, in a window
// open on a side, the merged buckets exceed its limit, Merge returns an
// error wrapping [ErrTooLarge] and a is then unusable.
func (a *Aggregator) Merge(o *Aggregator) error {
	if o == nil || o.rows == nil {
		return nil
	}
	a.init()
	if a.err != nil {
		return a.err
	}
	if o.err != nil {
		return o.err
	}
	if o.fp != a.fp {
		return fmt.Errorf("%w: merging an aggregator whose %s", ErrMismatch, mismatch(&o.q, &a.q))
	}
	if err := a.checkStream(o); err != nil {
		return err
	}
	if o == a {
		// Merging a into itself doubles every row: work on a copy of
		// what is there now.
		o = a.clone()
	}
	if err := a.checkMerge(o); err != nil {
		return err
	}
	a.rows.own()
	to := a.groupsOf(o.groups.labels)
	err := o.rows.each(func(r rowRef, s *sums, job string) error {
		return a.mergeCell(to[r.group], r.start, r.end, s, job)
	})
	if err != nil {
		a.err = err
		return err
	}
	a.mergeStream(o)
	if err := a.checkBuckets(); err != nil {
		a.err = err
		return err
	}
	return nil
}

// checkMerge returns an error wrapping ErrTooLarge if merging o into a
// would overflow a row's count, or make a sum infinite; it changes
// nothing.
func (a *Aggregator) checkMerge(o *Aggregator) error {
	to := make([]int32, o.groups.len())
	for g := range o.groups.labels {
		var ok bool
		if to[g], ok = a.groups.find(&o.groups.labels[g]); !ok {
			to[g] = -1 // a new group: no row to add to
		}
	}
	return o.rows.each(func(r rowRef, s *sums, _ string) error {
		if to[r.group] < 0 {
			return nil
		}
		cur := a.sp.gr.at(r.start)
		dst := a.rows.find(to[r.group], &cur)
		if dst == nil {
			return nil
		}
		if dst.runtime.count > math.MaxInt64-s.runtime.count {
			return fmt.Errorf("%w: merging would overflow the count of the row of %s, %d + %d", ErrTooLarge,
				formatTime(a.sp.gr.time(r.start)), dst.runtime.count, s.runtime.count)
		}
		m := *dst
		m.runtime.Merge(s.runtime)
		m.cost.Merge(s.cost)
		if math.IsInf(m.runtime.sum+m.runtime.c+m.cost.sum+m.cost.c, 0) || math.IsNaN(m.runtime.c+m.cost.c) {
			return fmt.Errorf("%w: merging would overflow the sums of the row of %s", ErrTooLarge, formatTime(a.sp.gr.time(r.start)))
		}
		return nil
	})
}

// groupsOf returns the numbers in a of the groups whose labels are
// labels[i], adding those that are new: the groups of another Aggregator,
// or of decoded data, looked up once each rather than once per row.
func (a *Aggregator) groupsOf(labels []labels) []int32 {
	to := make([]int32, len(labels))
	for i := range labels {
		var isNew bool
		if to[i], isNew = a.groups.ofLabels(&labels[i]); isNew {
			a.rows.addGroup()
		}
	}
	return to
}

// mergeCell merges the sums s and the job name job into a's row of group g
// and the bucket [start, end).
func (a *Aggregator) mergeCell(g int32, start, end int64, s *sums, job string) error {
	cur := cursor{&a.sp.gr, start, start, end}
	if a.sp.gr.fixed {
		cur.key = a.sp.gr.at(start).key
	}
	dst, err := a.rows.row(g, &cur)
	if err != nil {
		return err
	}
	dst.runtime.Merge(s.runtime)
	dst.cost.Merge(s.cost)
	if a.byJob {
		a.rows.keepName(job)
	}
	return nil
}

func (a *Aggregator) clone() *Aggregator {
	b, _ := NewAggregator(a.q)
	b.closed, b.wm, b.filled, b.rows.ever = a.closed, a.wm, a.filled, a.rows.ever
	to := b.groupsOf(a.groups.labels)
	a.rows.each(func(r rowRef, s *sums, job string) error {
		return b.mergeCell(to[r.group], r.start, r.end, s, job)
	})
	return b
}

// Result returns the rows aggregated so far, in order. a can go on adding
// sessions afterwards; the Result does not change. It returns a's error if
// a limit was exceeded, and an error wrapping [ErrOutOfRange] if a row's
// start or end lies outside the years 1 to 9999 of the query's location
// (only possible on a side of the window left open).
func (a *Aggregator) Result() (*Result, error) {
	a.init()
	if a.err != nil {
		return nil, a.err
	}
	rank := a.groups.ranks()
	refs, view := a.rows.copyOrdered(rank)
	if a.q.FillEmpty {
		if lo, hi, ok := a.fillRange(); ok {
			var err error
			if refs, err = fill(&a.q, &a.sp, a.fillGroups(), refs, lo, hi, rank); err != nil {
				return nil, err
			}
		}
	}
	return makeResult(&a.q, a.fp, &a.sp, &a.groups, view, refs)
}

// Aggregate aggregates sessions by q and returns the rows. It is shorthand
// for NewAggregator, AddAll, then Result. An invalid query or
// session stops it with an error; a session's error says which session,
// counting from 0.
func Aggregate(q Query, sessions iter.Seq[Session]) (*Result, error) {
	a, err := NewAggregator(q)
	if err != nil {
		return nil, err
	}
	if err := a.addSeq(sessions, 0); err != nil {
		return nil, err
	}
	return a.Result()
}

// AggregateParallel is Aggregate for a slice of sessions, which it cuts
// into runtime.GOMAXPROCS(0) shards, aggregates in as many goroutines, and
// merges. The rows are those of Aggregate, up to the last bits of rounding
// in sums, and so is the error.
func AggregateParallel(q Query, sessions []Session) (*Result, error) {
	n := min(runtime.GOMAXPROCS(0), max(1, len(sessions)/4096))
	shards := make([]*Aggregator, n)
	for i := range shards {
		a, err := NewAggregator(q)
		if err != nil {
			return nil, err
		}
		shards[i] = a
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, a := range shards {
		lo, hi := i*len(sessions)/n, (i+1)*len(sessions)/n
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.addSlice(sessions[lo:hi], lo)
		}()
	}
	wg.Wait()
	err := errors.Join(errs...)
	// Merge in a balanced tree, so that the work is spread over the
	// shards rather than piled on the first.
	for step := 1; step < n && err == nil; step *= 2 {
		for i := 0; i+step < n && err == nil; i += 2 * step {
			err = shards[i].Merge(shards[i+step])
		}
	}
	if err != nil {
		// A shard sees only its own sessions: it may stop at a bad
		// session where Aggregate, counting the rows of every session
		// before it, stops at a limit, or pass a limit that only the
		// merge exceeds. Aggregate's error, found again one session at a
		// time, says which session it is.
		return Aggregate(q, slices.Values(sessions))
	}
	return shards[0].Result()
}
