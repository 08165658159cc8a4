package sessionbeam

import (
	"encoding/binary"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/sessionagg/sessionagg"
)

// Aggregate returns the rows of q over sessions, a PCollection of
// sessionagg.Session, as a PCollection of at most one Rows: those of
// sessionagg.Aggregate(q, sessions). Workers aggregate the sessions they
// read into Partials, which are merged, in any grouping, into the one
// Rows; so the result must fit in one worker's memory, as it does in
// sessionagg's. An empty PCollection of sessions gives an empty
// PCollection of Rows.
//
// q is validated now, with the library's errors, and travels to the
// workers by value (see the package documentation). Its zone must be
// rebuildable by name: a zone of sessionagg.ParseTimezone or
// time.LoadLocation. A session that the library rejects fails the
// pipeline with the library's message.
func Aggregate(s beam.Scope, q sessionagg.Query, sessions beam.PCollection) (beam.PCollection, error) {
	sp, err := newSpec(q)
	if err != nil {
		return beam.PCollection{}, err
	}
	s = s.Scope("sessionbeam.Aggregate")
	return beam.Combine(s, &combineFn{Spec: sp}, sessions), nil
}

// AggregateSharded is Aggregate for results that no one worker should
// hold: it returns the rows as a PCollection of many Rows, one for each
// bucket of the query and each of n shards of the groups that have rows
// in it. A session is sent to every bucket it has a piece in, to the
// shard of its group labels (a hash of them, modulo n); each of these keys
// aggregates its sessions over the query's window narrowed to its bucket,
// which gives exactly the pieces, the prorated costs and the row times
// that the whole window gives in that bucket, and merges them on its own
// worker. Every row of sessionagg.Aggregate is made by exactly one key.
//
// Workers still combine the sessions they read before they send them on,
// so a key receives a Partial per worker, not a session per piece.
//
// n must be at least 1; an ungrouped query uses one shard per bucket
// whatever n is. q.FillEmpty is an error: a shard cannot know of the
// buckets that no session reached. q.MaxRows bounds the rows of one key,
// and q.MaxBuckets the buckets of one session (on an open window too).
func AggregateSharded(s beam.Scope, q sessionagg.Query, n int, sessions beam.PCollection) (beam.PCollection, error) {
	if n < 1 {
		return beam.PCollection{}, fmt.Errorf("sessionbeam: AggregateSharded with %d shards: want 1 or more", n)
	}
	if q.FillEmpty {
		return beam.PCollection{}, errFillEmptySharded
	}
	sp, err := newSpec(q)
	if err != nil {
		return beam.PCollection{}, err
	}
	if len(q.GroupBy) == 0 {
		n = 1
	}
	s = s.Scope("sessionbeam.AggregateSharded")
	routed := beam.ParDo(s, &routeFn{Spec: sp, Shards: n}, sessions)
	rows := beam.CombinePerKey(s, &shardFn{Spec: sp}, routed)
	return beam.DropKey(s, rows), nil
}

// A Partial is the partial aggregate of some sessions: the accumulator of
// Aggregate's and AggregateSharded's CombineFns. Its Beam coder is the
// library's Aggregator.MarshalBinary after a byte of version and the
// bucket the Partial is narrowed to, if any; it does not carry the query,
// which the CombineFn has, and is decoded only when the CombineFn uses it.
type Partial struct {
	w     window
	shard int                    // AggregateSharded's shard of groups
	agg   *sessionagg.Aggregator // nil until loaded
	data  []byte                 // the encoded Aggregator while agg is nil; empty if none
}

const partialVersion = 1

// EncodePartial returns the binary form of p. It is p's registered Beam
// coder.
func EncodePartial(p Partial) ([]byte, error) {
	b := appendWindow([]byte{partialVersion}, p.w)
	b = binary.AppendUvarint(b, uint64(p.shard))
	if p.agg == nil {
		return append(b, p.data...), nil
	}
	return p.agg.AppendBinary(b)
}

// DecodePartial returns the Partial that EncodePartial encoded in data.
// It checks the version and the bucket; the Aggregator's bytes are
// checked when the CombineFn decodes them with its query.
func DecodePartial(data []byte) (Partial, error) {
	d := decoder{data: data}
	if v := d.byte(); v != partialVersion && d.err == nil {
		return Partial{}, fmt.Errorf("%w: Partial version %d, want %d", ErrInvalidData, v, partialVersion)
	}
	w := d.window()
	shard := d.uvarint()
	if d.err != nil {
		return Partial{}, d.err
	}
	return Partial{w: w, shard: int(shard), data: d.data}, nil
}

// load makes p.agg for q, narrowed to p's bucket, from p.data.
func (p *Partial) load(q *sessionagg.Query) error {
	if p.agg != nil {
		return nil
	}
	nq := *q
	if p.w.Set {
		nq.Start, nq.End = p.w.Start.In(q.Location), p.w.End.In(q.Location)
	}
	agg, err := sessionagg.NewAggregator(nq)
	if err != nil {
		return err
	}
	if len(p.data) > 0 {
		if err := agg.UnmarshalBinary(p.data); err != nil {
			return err
		}
	}
	p.agg, p.data = agg, nil
	return nil
}

// merge adds o to p, both of query q.
func (p *Partial) merge(q *sessionagg.Query, o *Partial) error {
	if !p.w.Set {
		p.w, p.shard = o.w, o.shard
	}
	if o.agg == nil && len(o.data) == 0 {
		return nil
	}
	if err := p.load(q); err != nil {
		return err
	}
	if err := o.load(q); err != nil {
		return err
	}
	return p.agg.Merge(o.agg)
}

// rows returns p's rows as a Rows of query sp.
func (p *Partial) rows(sp *spec, q *sessionagg.Query) (Rows, error) {
	if err := p.load(q); err != nil {
		return Rows{}, err
	}
	b, err := p.agg.MarshalBinary()
	if err != nil {
		return Rows{}, err
	}
	return Rows{spec: *sp, w: p.w, shard: p.shard, data: b}, nil
}

// queryCache turns a spec into its query, a Query or a DeviceQuery, once
// per DoFn instance. (A plain generic type, not a DoFn: Beam never sees
// it, so its instantiations cannot be mixed up.)
type queryCache[Q any] struct {
	q *Q
}

func (c *queryCache[Q]) get(query func() (Q, error)) (*Q, error) {
	if c.q == nil {
		q, err := query()
		if err != nil {
			return nil, err
		}
		c.q = &q
	}
	return c.q, nil
}

// combineFn is Aggregate's CombineFn.
type combineFn struct {
	Spec spec
	qc   queryCache[sessionagg.Query]
}

func (f *combineFn) CreateAccumulator() Partial { return Partial{} }

func (f *combineFn) AddInput(p Partial, s sessionagg.Session) (Partial, error) {
	q, err := f.qc.get(f.Spec.query)
	if err == nil {
		err = p.load(q)
	}
	if err == nil {
		err = p.agg.Add(s)
	}
	return p, err
}

func (f *combineFn) MergeAccumulators(a, b Partial) (Partial, error) {
	q, err := f.qc.get(f.Spec.query)
	if err == nil {
		err = a.merge(q, &b)
	}
	return a, err
}

func (f *combineFn) ExtractOutput(p Partial) (Rows, error) {
	q, err := f.qc.get(f.Spec.query)
	if err != nil {
		return Rows{}, err
	}
	return p.rows(&f.Spec, q)
}

// A routed is a session sent to one bucket of AggregateSharded's query.
type routed struct {
	w     window // the span, clipped to the query's window
	shard int    // the shard of the session's group
	s     sessionagg.Session
}

func encodeRouted(r routed) []byte {
	b := appendWindow(make([]byte, 0, 96), r.w)
	b = binary.AppendUvarint(b, uint64(r.shard))
	return appendSession(b, &r.s)
}

func decodeRouted(data []byte) (routed, error) {
	d := decoder{data: data}
	r := routed{w: d.window(), shard: int(d.uvarint())}
	r.s = d.session()
	if err := d.finish("routed session"); err != nil {
		return routed{}, err
	}
	return r, nil
}

// routeFn sends each session to the keys of AggregateSharded: one for
// each bucket the session has a piece in, with the shard of its group.
// It skips the sessions that the query's ids exclude, as the Aggregator
// would, so that they are not sent anywhere.
type routeFn struct {
	Spec   spec
	Shards int
	qc     queryCache[sessionagg.Query]
	key    []byte
	last   window // the span of the session's previous bucket
}

func (f *routeFn) ProcessElement(s sessionagg.Session, emit func(string, routed)) error {
	q, err := f.qc.get(f.Spec.query)
	if err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	switch {
	case len(q.QueueIDs) > 0 && !slices.Contains(q.QueueIDs, s.QueueID):
		return nil
	case len(q.FleetIDs) > 0 && !slices.Contains(q.FleetIDs, s.FleetID):
		return nil
	}
	shard := groupShard(q, &s, f.Shards)
	cal := sessionagg.Calendar{Period: q.Period, Location: q.Location, WeekStart: q.WeekStart}
	span := spanCalendar(q)
	send := func(b sessionagg.Bucket) {
		w := window{Set: true, Start: b.Start, End: b.End}
		if span != nil {
			if sb := span.Bucket(b.Start); cal.Bucket(sb.Start).Start.Equal(sb.Start) && cal.Bucket(sb.End).Start.Equal(sb.End) {
				w.Start, w.End = sb.Start, sb.End
			}
		}
		if w.Start.Equal(f.last.Start) && w.End.Equal(f.last.End) {
			return // the session's previous bucket was in the same span
		}
		f.last = w
		if !q.Start.IsZero() && w.Start.Before(q.Start) {
			w.Start = q.Start
		}
		if !q.End.IsZero() && w.End.After(q.End) {
			w.End = q.End
		}
		f.key = strconv.AppendInt(f.key[:0], w.Start.Unix(), 10)
		f.key = append(f.key, '/')
		f.key = strconv.AppendInt(f.key, int64(shard), 10)
		emit(string(f.key), routed{w: w, shard: shard, s: s})
	}
	f.last = window{}
	n := 0
	for p := range pieces(cal, q.Start, q.End, s.Start, s.End) {
		if n++; q.MaxBuckets > 0 && n > q.MaxBuckets {
			return fmt.Errorf("%w: a session from %s to %s spans more than %d buckets", sessionagg.ErrTooLarge, s.Start.Format(timeFormat), s.End.Format(timeFormat), q.MaxBuckets)
		}
		send(p.Bucket)
	}
	return nil
}

// pieces returns the pieces of the session [start, end) as the library
// cuts them: clipped to the window [wStart, wEnd) (a zero side is open),
// split at cal's bucket boundaries; a zero-length session whose start lies
// in the window is one empty piece, and a session with nothing in the
// window has none.
func pieces(cal sessionagg.Calendar, wStart, wEnd, start, end time.Time) iter.Seq[sessionagg.Piece] {
	empty := start.Equal(end)
	if !wStart.IsZero() && start.Before(wStart) {
		start = wStart
	}
	if !wEnd.IsZero() && end.After(wEnd) {
		end = wEnd
	}
	switch {
	case end.After(start):
		return cal.Split(start, end)
	case empty && start.Equal(end) && (wEnd.IsZero() || start.Before(wEnd)):
		// start was not moved: a zero-length session before the window
		// would have been clipped to an empty interval at wStart.
		return cal.Split(start, start)
	}
	return func(func(sessionagg.Piece) bool) {}
}

// spanCalendar returns the calendar of the spans that AggregateSharded
// keys by: days for hours, months for days, so that a worker pre-combines
// a session's consecutive buckets under one key and holds a few keys
// rather than thousands; nil for weeks and months, whose buckets are
// their own spans. A span is used only where both its ends are boundaries
// of q's buckets, so that it is a union of whole buckets; elsewhere the
// bucket is its own span.
func spanCalendar(q *sessionagg.Query) *sessionagg.Calendar {
	var p sessionagg.Period
	switch q.Period {
	case sessionagg.Hourly:
		p = sessionagg.Daily
	case sessionagg.Daily:
		p = sessionagg.Monthly
	default:
		return nil
	}
	return &sessionagg.Calendar{Period: p, Location: q.Location}
}

const timeFormat = "2006-01-02T15:04:05.999999999Z07:00"

// groupShard returns the shard, from 0 to n-1, of s's group: an FNV-1a
// hash of its group-by labels, which is the same on every worker.
func groupShard(q *sessionagg.Query, s *sessionagg.Session, n int) int {
	if n <= 1 {
		return 0
	}
	h := uint64(14695981039346656037)
	for _, f := range q.GroupBy {
		for _, c := range []byte(s.Label(f)) {
			h = (h ^ uint64(c)) * 1099511628211
		}
		h = (h ^ 0xff) * 1099511628211 // a separator no UTF-8 text holds
	}
	return int(h % uint64(n))
}

// shardFn is AggregateSharded's CombineFn: combineFn over routed sessions,
// each Partial narrowed to the bucket of its key.
type shardFn struct {
	Spec spec
	qc   queryCache[sessionagg.Query]
}

func (f *shardFn) CreateAccumulator() Partial { return Partial{} }

func (f *shardFn) AddInput(p Partial, r routed) (Partial, error) {
	q, err := f.qc.get(f.Spec.query)
	if err != nil {
		return p, err
	}
	if !p.w.Set {
		p.w, p.shard = r.w, r.shard
	}
	if err := p.load(q); err != nil {
		return p, err
	}
	return p, p.agg.Add(r.s)
}

func (f *shardFn) MergeAccumulators(a, b Partial) (Partial, error) {
	q, err := f.qc.get(f.Spec.query)
	if err == nil {
		err = a.merge(q, &b)
	}
	return a, err
}

func (f *shardFn) ExtractOutput(p Partial) (Rows, error) {
	q, err := f.qc.get(f.Spec.query)
	if err != nil {
		return Rows{}, err
	}
	return p.rows(&f.Spec, q)
}
