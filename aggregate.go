package sessionagg

import (
	"fmt"
	"iter"
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// A Session is one run of something: the half-open interval [Start, End)
// of absolute time, its cost in US dollars for the whole interval, and the
// labels of the cloud API. Labels are plain strings; an empty label is a
// value like any other and groups with the other empty ones.
type Session struct {
	Start, End time.Time
	CostInUSD  float64

	QueueID        string
	FleetID        string
	JobID          string
	JobName        string
	UserID         string
	UsageType      string // COMPUTE or LICENSE in the cloud API; not checked
	LicenseProduct string
	InstanceType   string
}

// Validate reports whether s can be aggregated: its End must not be before
// its Start (an equal End is a zero-length session, which counts), and its
// cost must be a finite number, zero or more. The error is a *[FieldError]
// naming "endTime" or "costInUsd" and wraps [ErrInvalidSession].
func (s *Session) Validate() error {
	if s.End.Before(s.Start) {
		return sessionError("endTime", formatTime(s.End), fmt.Errorf("before startTime %s", formatTime(s.Start)))
	}
	if c := s.CostInUSD; math.IsNaN(c) || math.IsInf(c, 0) || c < 0 {
		return sessionError("costInUsd", strconv.FormatFloat(c, 'g', -1, 64), fmt.Errorf("want a finite number, zero or more"))
	}
	return nil
}

// labels holds the values of a query's group-by fields, in group-by order.
type labels [LicenseProduct]string

// cell is what a row accumulates.
type cell struct {
	runtime, cost Stats
	jobName       string
}

// An Aggregator aggregates sessions one at a time into the rows of one
// [Query]. Aggregators of the same query merge, so that shards of the
// sessions can be aggregated separately, in goroutines or in other
// processes (see MarshalBinary), and combined: merging is associative and
// commutative, an empty Aggregator is its identity, and any grouping and
// order of shards gives the same rows as aggregating all sessions at once,
// up to the last bits of floating-point rounding in sums.
//
// Memory grows with the number of rows and groups, never with the number of
// sessions. An Aggregator is not safe for concurrent use; give each
// goroutine its own and merge them.
type Aggregator struct {
	q     Query
	fp    string // fingerprint of q: what must match to merge
	sp    splitter
	t     *table[cell]
	err   error // sticky: a limit was exceeded while a session was added
	byJob bool

	// Groups: their labels, and the index from labels to group number.
	groups []labels
	one    map[string]int32
	many   map[labels]int32
	last   labels // the labels of the last session's group, a cache
	lastG  int32

	// The queue or fleet filter: the field and the accepted ids.
	filter Field
	ids    []string
}

// NewAggregator returns an empty Aggregator for q, or q's validation error
// (see [Query.Validate]).
func NewAggregator(q Query) (*Aggregator, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	q.GroupBy = append([]Field(nil), q.GroupBy...)
	q.Statistics = append([]Statistic(nil), q.Statistics...)
	q.QueueIDs = append([]string(nil), q.QueueIDs...)
	q.FleetIDs = append([]string(nil), q.FleetIDs...)
	a := &Aggregator{q: q, fp: fingerprint(&q), sp: newSplitter(&q), lastG: -1}
	a.t = newTable[cell](a.sp.g.fixed, q.MaxRows)
	for _, f := range q.GroupBy {
		a.byJob = a.byJob || f == JobID
	}
	switch len(q.GroupBy) {
	case 0:
		a.groups = append(a.groups, labels{})
		a.t.addGroup()
		a.lastG = 0
	case 1:
		a.one = make(map[string]int32)
	default:
		a.many = make(map[labels]int32)
	}
	switch {
	case len(q.QueueIDs) > 0:
		a.filter, a.ids = QueueID, q.QueueIDs
	case len(q.FleetIDs) > 0:
		a.filter, a.ids = FleetID, q.FleetIDs
	}
	return a, nil
}

// Query returns the query a aggregates.
func (a *Aggregator) Query() Query { return a.q }

// Add adds the pieces of s that lie in the query's window to their rows. A
// session that the query's queue or fleet ids exclude is skipped. An
// invalid session (see [Session.Validate]) is an error and leaves a
// unchanged. If the session would exceed the query's MaxBuckets or MaxRows,
// Add returns an error wrapping [ErrTooLarge], and a is then unusable: every
// later call returns the same error.
func (a *Aggregator) Add(s Session) error {
	if a.err != nil {
		return a.err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if a.filter != 0 && !a.accepts(s.label(a.filter)) {
		return nil
	}
	g := a.group(&s)
	start, end := instantOf(s.Start), instantOf(s.End)
	total := start.secondsTo(end)
	cost, job := s.CostInUSD, s.JobName
	err := a.sp.each(start, end, func(key, bstart, bend int64, secs float64) error {
		c, err := a.t.cell(g, key, bstart, bend)
		if err != nil {
			return err
		}
		// The piece's share of the cost, prorated over the session's
		// whole length. A whole session keeps its cost exactly, and a
		// zero-length one has one piece that carries all of it.
		share := cost
		if secs != total {
			share = cost * (secs / total)
		}
		c.runtime.Add(secs)
		c.cost.Add(share)
		if a.byJob && job != "" && (c.jobName == "" || job < c.jobName) {
			c.jobName = job
		}
		return nil
	})
	if err == nil && a.q.MaxBuckets > 0 && (!a.sp.win.hasStart || !a.sp.win.hasEnd) && a.t.buckets() > a.q.MaxBuckets {
		err = fmt.Errorf("the sessions span more than %d buckets: %w", a.q.MaxBuckets, ErrTooLarge)
	}
	if err != nil {
		a.err = err
	}
	return err
}

func (a *Aggregator) accepts(id string) bool {
	for _, x := range a.ids {
		if x == id {
			return true
		}
	}
	return false
}

// group returns the group number of s, adding the group if it is new. The
// key is computed once per session, not once per piece.
func (a *Aggregator) group(s *Session) int32 {
	fields := a.q.GroupBy
	switch len(fields) {
	case 0:
		return 0
	case 1:
		v := s.label(fields[0])
		if a.lastG >= 0 && v == a.last[0] {
			return a.lastG
		}
		g, ok := a.one[v]
		if !ok {
			g = a.addGroup(labels{v})
			a.one[v] = g
		}
		a.last[0], a.lastG = v, g
		return g
	}
	var k labels
	for i, f := range fields {
		k[i] = s.label(f)
	}
	if a.lastG >= 0 && k == a.last {
		return a.lastG
	}
	g, ok := a.many[k]
	if !ok {
		g = a.addGroup(k)
		a.many[k] = g
	}
	a.last, a.lastG = k, g
	return g
}

func (a *Aggregator) addGroup(k labels) int32 {
	a.groups = append(a.groups, k)
	return a.t.addGroup()
}

// groupOf returns the group number of the labels k, adding the group if
// it is new.
func (a *Aggregator) groupOf(k labels) int32 {
	switch len(a.q.GroupBy) {
	case 0:
		return 0
	case 1:
		g, ok := a.one[k[0]]
		if !ok {
			g = a.addGroup(k)
			a.one[k[0]] = g
		}
		return g
	}
	g, ok := a.many[k]
	if !ok {
		g = a.addGroup(k)
		a.many[k] = g
	}
	return g
}

// Merge adds to a every piece that o has seen, as if o's sessions had been
// added to a. A nil o is empty. Merging aggregators of different queries
// (different windows, periods, zones, groups, statistics or filters) is an
// error wrapping [ErrMismatch], and leaves a unchanged; so does merging one
// whose limits were exceeded. If the merged rows exceed a's MaxRows, Merge
// returns an error wrapping [ErrTooLarge] and a is then unusable.
func (a *Aggregator) Merge(o *Aggregator) error {
	if o == nil {
		return nil
	}
	if a.err != nil {
		return a.err
	}
	if o.err != nil {
		return o.err
	}
	if o.fp != a.fp {
		return fmt.Errorf("%w: merging %s into %s", ErrMismatch, describe(&o.q), describe(&a.q))
	}
	if o == a {
		// Merging a into itself doubles every row: work on a copy of
		// what is there now.
		o = a.clone()
	}
	for i, c := range o.t.cells {
		w := o.t.where[i]
		if err := a.mergeCell(o.groups[w.group], w.start, w.end, &c); err != nil {
			a.err = err
			return err
		}
	}
	return nil
}

// mergeCell merges c into a's cell of group k and the bucket [start, end).
func (a *Aggregator) mergeCell(k labels, start, end int64, c *cell) error {
	key := start
	if a.t.dense {
		key = a.sp.g.at(start).key
	}
	dst, err := a.t.cell(a.groupOf(k), key, start, end)
	if err != nil {
		return err
	}
	dst.runtime.Merge(c.runtime)
	dst.cost.Merge(c.cost)
	if c.jobName != "" && (dst.jobName == "" || c.jobName < dst.jobName) {
		dst.jobName = c.jobName
	}
	return nil
}

func (a *Aggregator) clone() *Aggregator {
	b, _ := NewAggregator(a.q)
	for i, c := range a.t.cells {
		w := a.t.where[i]
		b.mergeCell(a.groups[w.group], w.start, w.end, &c)
	}
	return b
}

// Result returns the rows aggregated so far, in order. a can go on adding
// sessions afterwards; the Result does not change. It returns a's error if
// a limit was exceeded.
func (a *Aggregator) Result() (*Result, error) {
	if a.err != nil {
		return nil, a.err
	}
	return newResult(a)
}

// Aggregate aggregates sessions by q and returns the rows. It is shorthand
// for NewAggregator, Add for each session, then Result. An invalid query or
// session stops it with an error; a session's error says which session,
// counting from 0.
func Aggregate(q Query, sessions iter.Seq[Session]) (*Result, error) {
	a, err := NewAggregator(q)
	if err != nil {
		return nil, err
	}
	i := 0
	for s := range sessions {
		if err := a.Add(s); err != nil {
			return nil, fmt.Errorf("session %d: %w", i, err)
		}
		i++
	}
	return a.Result()
}

// AggregateParallel is Aggregate for a slice of sessions, which it cuts
// into runtime.GOMAXPROCS(0) shards, aggregates in as many goroutines, and
// merges. The rows are those of Aggregate, up to the last bits of rounding
// in sums.
func AggregateParallel(q Query, sessions []Session) (*Result, error) {
	n := min(runtime.GOMAXPROCS(0), max(1, len(sessions)/4096))
	shards := make([]*Aggregator, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range shards {
		lo, hi := i*len(sessions)/n, (i+1)*len(sessions)/n
		a, err := NewAggregator(q)
		if err != nil {
			return nil, err
		}
		shards[i] = a
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j, s := range sessions[lo:hi] {
				if err := a.Add(s); err != nil {
					errs[i] = fmt.Errorf("session %d: %w", lo+j, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	// Merge in a balanced tree, so that the work is spread over the
	// shards rather than piled on the first.
	for step := 1; step < n; step *= 2 {
		for i := 0; i+step < n; i += 2 * step {
			if err := shards[i].Merge(shards[i+step]); err != nil {
				return nil, err
			}
		}
	}
	return shards[0].Result()
}
