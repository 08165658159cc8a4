package sessionbeam

import (
	"cmp"
	"iter"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/sessionagg/sessionagg"
)

// deviceSpec is a sessionagg.DeviceQuery in the form that travels to
// workers, as spec is for a Query.
type deviceSpec struct {
	Start, End instant
	Period     string
	Zone       string
	DeviceID   string
	FillEmpty  bool
}

// newDeviceSpec validates q with the library and returns it in travelling
// form.
func newDeviceSpec(q sessionagg.DeviceQuery) (deviceSpec, error) {
	check := q
	check.FillEmpty = false // the library would fill a bounded window's buckets now
	if _, err := sessionagg.AggregateDevices(check, func(func(sessionagg.DeviceSession) bool) {}); err != nil {
		return deviceSpec{}, err
	}
	loc := cmp.Or(q.Location, time.UTC)
	if err := travels(loc); err != nil {
		return deviceSpec{}, err
	}
	return deviceSpec{
		Start:     instantOf(q.Start),
		End:       instantOf(q.End),
		Period:    cmp.Or(q.Period, sessionagg.Daily).String(),
		Zone:      loc.String(),
		DeviceID:  q.DeviceID,
		FillEmpty: q.FillEmpty,
	}, nil
}

func (sp *deviceSpec) query() (sessionagg.DeviceQuery, error) {
	loc, err := zoneNamed(sp.Zone)
	if err != nil {
		return sessionagg.DeviceQuery{}, err
	}
	q := sessionagg.DeviceQuery{
		Start:     sp.Start.time(loc),
		End:       sp.End.time(loc),
		Location:  loc,
		DeviceID:  sp.DeviceID,
		FillEmpty: sp.FillEmpty,
	}
	q.Period, err = sessionagg.ParsePeriod(sp.Period)
	return q, err
}

// AggregateDevices returns the TRRO statistics of q over sessions, a
// PCollection of sessionagg.DeviceSession, as a PCollection of one
// DeviceReport: the DeviceStats of sessionagg.AggregateDevices(q,
// sessions), in time order. It holds one also when no session reaches
// the window (then it is empty, or, with q.FillEmpty and a bounded
// window, every bucket with no sessions).
//
// The sessions are split into pieces and keyed by bucket; each bucket is
// combined on its own worker, after each worker has pre-combined the
// pieces it read. A bucket's accumulator holds the count of its pieces,
// of those not rated bad, their total length in nanoseconds (an integer,
// so that merging in any grouping gives the same sum), and the sets of
// the field and of the remote devices with a piece in it, which merge by
// union: it grows with the distinct devices of the bucket, not with its
// sessions. Only the statistics, seven numbers a bucket, meet on one
// worker, to be ordered and, with q.FillEmpty, filled.
//
// The statistics equal the library's, but TotalMinutes is the exact sum
// of the pieces' nanoseconds, in minutes, where the library adds the
// pieces' seconds as float64: the two may differ in the last bits when
// pieces have fractions of a second.
//
// q is validated now, with the library's errors, and travels to the
// workers by value; its zone must be rebuildable by name, as for
// Aggregate. A session that the library rejects fails the pipeline.
func AggregateDevices(s beam.Scope, q sessionagg.DeviceQuery, sessions beam.PCollection) (beam.PCollection, error) {
	sp, err := newDeviceSpec(q)
	if err != nil {
		return beam.PCollection{}, err
	}
	s = s.Scope("sessionbeam.AggregateDevices")
	pieces := beam.ParDo(s, &devicePiecesFn{Spec: sp}, sessions)
	buckets := beam.DropKey(s, beam.CombinePerKey(s, &deviceBucketFn{}, pieces))
	// One empty list more, so that the report is made even when no
	// session reaches the window.
	all := beam.Flatten(s, buckets, beam.Create(s, deviceList{}))
	return beam.Combine(s, &deviceReportFn{Spec: sp}, all), nil
}

// A devicePiece is the part of a DeviceSession in one bucket.
type devicePiece struct {
	w      window // the bucket, clipped to the window
	nanos  int64  // the piece's length
	notBad bool
	field  string
	remote string
}

// devicePiecesFn splits each session into its pieces, keyed by the
// start of their bucket in Unix seconds (bucket boundaries are whole
// seconds). It drops the sessions that q.DeviceID excludes, as the
// library does.
type devicePiecesFn struct {
	Spec deviceSpec
	qc   queryCache[sessionagg.DeviceQuery]
}

func (f *devicePiecesFn) ProcessElement(s sessionagg.DeviceSession, emit func(int64, devicePiece)) error {
	q, err := f.qc.get(f.Spec.query)
	if err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if q.DeviceID != "" && s.FieldDevice != q.DeviceID && s.RemoteDevice != q.DeviceID {
		return nil
	}
	cal := sessionagg.Calendar{Period: q.Period, Location: q.Location}
	for p := range pieces(cal, q.Start, q.End, s.Start, s.End) {
		w := window{Set: true, Start: p.Bucket.Start, End: p.Bucket.End}
		if !q.Start.IsZero() && w.Start.Before(q.Start) {
			w.Start = q.Start
		}
		if !q.End.IsZero() && w.End.After(q.End) {
			w.End = q.End
		}
		emit(p.Bucket.Start.Unix(), devicePiece{
			w:      w,
			nanos:  int64(p.End.Sub(p.Start)),
			notBad: s.Quality != sessionagg.Bad,
			field:  s.FieldDevice,
			remote: s.RemoteDevice,
		})
	}
	return nil
}

// A deviceAcc is one bucket's accumulator: the sums and sets a
// DeviceStats is made of.
type deviceAcc struct {
	w              window
	pieces, notBad int64
	total          duration
	field, remote  set
}

// A set is a set of device ids; nil is empty.
type set map[string]struct{}

func (s *set) add(id string) {
	if *s == nil {
		*s = make(set)
	}
	(*s)[id] = struct{}{}
}

// active counts the ids of s but the empty one, which is no device.
func (s set) active() int {
	n := len(s)
	if _, ok := s[""]; ok {
		n--
	}
	return n
}

// sorted returns the ids of s in order, so that the binary form of a set
// does not depend on map order.
func (s set) sorted() []string {
	ids := make([]string, 0, len(s))
	for id := range s {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// A duration is a sum of nanoseconds that does not overflow as int64
// does after 292 years: whole seconds and the nanoseconds left over.
type duration struct {
	sec, nsec int64 // 0 <= nsec < 1e9
}

func (d *duration) add(nanos int64) {
	d.merge(duration{nanos / 1e9, nanos % 1e9})
}

func (d *duration) merge(o duration) {
	d.sec += o.sec
	d.nsec += o.nsec
	d.sec += d.nsec / 1e9
	d.nsec %= 1e9
	if d.nsec < 0 {
		d.sec, d.nsec = d.sec-1, d.nsec+1e9
	}
}

func (d duration) seconds() float64 { return float64(d.sec) + float64(d.nsec)/1e9 }

// deviceBucketFn combines the pieces of one bucket.
type deviceBucketFn struct{}

func (f *deviceBucketFn) CreateAccumulator() deviceAcc { return deviceAcc{} }

func (f *deviceBucketFn) AddInput(a deviceAcc, p devicePiece) deviceAcc {
	a.w = p.w
	a.pieces++
	if p.notBad {
		a.notBad++
	}
	a.total.add(p.nanos)
	a.field.add(p.field)
	a.remote.add(p.remote)
	return a
}

func (f *deviceBucketFn) MergeAccumulators(a, b deviceAcc) deviceAcc {
	if !a.w.Set {
		a.w = b.w
	}
	a.pieces += b.pieces
	a.notBad += b.notBad
	a.total.merge(b.total)
	for id := range b.field {
		a.field.add(id)
	}
	for id := range b.remote {
		a.remote.add(id)
	}
	return a
}

// ExtractOutput returns the bucket's statistics, as the library computes
// them from the same counts.
func (f *deviceBucketFn) ExtractOutput(a deviceAcc) deviceList {
	if a.pieces == 0 {
		return deviceList{}
	}
	return deviceList{stats: []sessionagg.DeviceStats{{
		Start:               a.w.Start,
		End:                 a.w.End,
		Sessions:            a.pieces,
		TotalMinutes:        a.total.seconds() / 60,
		ActiveFieldDevices:  a.field.active(),
		ActiveRemoteDevices: a.remote.active(),
		NotBadPercent:       100 * float64(a.notBad) / float64(a.pieces),
	}}}
}

// A deviceList is the statistics of some buckets, in no order: the output
// of a bucket's combine and the accumulator of the report's.
type deviceList struct {
	stats []sessionagg.DeviceStats
}

// deviceReportFn gathers the buckets' statistics into the report.
type deviceReportFn struct {
	Spec deviceSpec
}

func (f *deviceReportFn) CreateAccumulator() deviceList { return deviceList{} }

func (f *deviceReportFn) AddInput(a, l deviceList) deviceList {
	a.stats = append(a.stats, l.stats...)
	return a
}

func (f *deviceReportFn) MergeAccumulators(a, b deviceList) deviceList {
	return f.AddInput(a, b)
}

func (f *deviceReportFn) ExtractOutput(a deviceList) (DeviceReport, error) {
	q, err := f.Spec.query()
	if err != nil {
		return DeviceReport{}, err
	}
	stats := slices.Clone(a.stats)
	slices.SortFunc(stats, func(x, y sessionagg.DeviceStats) int { return x.Start.Compare(y.Start) })
	if q.FillEmpty {
		if stats, err = fillDevices(&q, stats); err != nil {
			return DeviceReport{}, err
		}
	}
	return DeviceReport{spec: f.Spec, stats: stats}, nil
}

// fillDevices adds, as sessionagg.DeviceQuery.FillEmpty says, a
// DeviceStats of no sessions for every bucket of the window that has
// none: from q.Start, or from the first bucket with a session where the
// window is open, to q.End or the last such bucket. The buckets are the
// library's, of a window bounded by those ends, with no sessions.
func fillDevices(q *sessionagg.DeviceQuery, stats []sessionagg.DeviceStats) ([]sessionagg.DeviceStats, error) {
	fq := *q
	if len(stats) > 0 {
		fq.Start = cmp.Or(fq.Start, stats[0].Start)
		fq.End = cmp.Or(fq.End, stats[len(stats)-1].End)
	}
	if fq.Start.IsZero() || fq.End.IsZero() {
		return stats, nil
	}
	filled, err := sessionagg.AggregateDevices(fq, func(func(sessionagg.DeviceSession) bool) {})
	if err != nil {
		return nil, err
	}
	i := 0
	for j := range filled {
		if i < len(stats) && stats[i].Start.Equal(filled[j].Start) {
			filled[j] = stats[i]
			i++
		}
	}
	return filled, nil
}

// A DeviceReport is the TRRO statistics of AggregateDevices. Its Beam
// coder carries the query (in the form that travels to workers) and the
// statistics. The zero DeviceReport is not valid.
type DeviceReport struct {
	spec  deviceSpec
	stats []sessionagg.DeviceStats
}

// Stats returns the statistics, in time order, with times in the query's
// zone: those of sessionagg.AggregateDevices.
func (r DeviceReport) Stats() ([]sessionagg.DeviceStats, error) {
	loc, err := zoneNamed(r.spec.Zone)
	if err != nil {
		return nil, err
	}
	stats := slices.Clone(r.stats)
	for i := range stats {
		stats[i].Start, stats[i].End = stats[i].Start.In(loc), stats[i].End.In(loc)
	}
	return stats, nil
}

// JSONLines returns the statistics as TRRO's SessionIntervalStatistic
// objects (sessionagg.DeviceStats.MarshalJSON), one a line without the
// newline, in order.
func (r DeviceReport) JSONLines() iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		stats, err := r.Stats()
		if err != nil {
			yield(nil, err)
			return
		}
		for _, d := range stats {
			b, err := d.MarshalJSON()
			if !yield(b, err) || err != nil {
				return
			}
		}
	}
}
