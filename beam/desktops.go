package sessionbeam

import (
	"cmp"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/sessionagg/sessionagg"
)

// usageSpec is a sessionagg.UsageQuery in the form that travels to
// workers. A Range travels as its String, "[min, max]", which holds its
// bounds exactly ('g' formatting with the shortest exact digits).
type usageSpec struct {
	Start, End           instant
	Zone                 string
	NameContains         string
	IdleDays, UsageHours string
	SortBy               int
	Descending           bool
	MaxDays, MaxRows     int
}

func newUsageSpec(q sessionagg.UsageQuery) (usageSpec, error) {
	if err := q.Validate(); err != nil {
		return usageSpec{}, err
	}
	loc := cmp.Or(q.Location, time.UTC)
	if err := travels(loc); err != nil {
		return usageSpec{}, err
	}
	return usageSpec{
		Start: instantOf(q.Start), End: instantOf(q.End), Zone: loc.String(),
		NameContains: q.NameContains,
		IdleDays:     q.IdleDays.String(), UsageHours: q.UsageHours.String(),
		SortBy: int(q.SortBy), Descending: q.Descending,
		MaxDays: q.MaxDays, MaxRows: q.MaxRows,
	}, nil
}

func (sp *usageSpec) query() (sessionagg.UsageQuery, error) {
	loc, err := zoneNamed(sp.Zone)
	if err != nil {
		return sessionagg.UsageQuery{}, err
	}
	q := sessionagg.UsageQuery{
		Start: sp.Start.time(loc), End: sp.End.time(loc), Location: loc,
		NameContains: sp.NameContains,
		SortBy:       sessionagg.UsageSort(sp.SortBy), Descending: sp.Descending,
		MaxDays: sp.MaxDays, MaxRows: sp.MaxRows,
	}
	if q.IdleDays, err = parseRange(sp.IdleDays); err != nil {
		return q, err
	}
	q.UsageHours, err = parseRange(sp.UsageHours)
	return q, err
}

// parseRange reads a sessionagg.Range back from its String.
func parseRange(s string) (sessionagg.Range, error) {
	lo, hi, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), ", ")
	if !ok {
		return sessionagg.Range{}, fmt.Errorf("sessionbeam: range %q", s)
	}
	bound := func(v, open string) (float64, bool, error) {
		if v == open {
			return 0, false, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		return f, true, err
	}
	min, hasMin, err1 := bound(lo, "-inf")
	max, hasMax, err2 := bound(hi, "+inf")
	switch {
	case err1 != nil || err2 != nil:
		return sessionagg.Range{}, fmt.Errorf("sessionbeam: range %q", s)
	case hasMin && hasMax:
		return sessionagg.Between(min, max), nil
	case hasMin:
		return sessionagg.AtLeast(min), nil
	case hasMax:
		return sessionagg.AtMost(max), nil
	}
	return sessionagg.Range{}, nil
}

// DesktopUsageReport returns the Workspace usage report of q over
// sessions, a PCollection of sessionagg.DesktopSession, as a PCollection
// of one DesktopReport: the desktops of sessionagg.DesktopUsageReport(q,
// sessions), filtered and in its order.
//
// The sessions are split at the zone's midnights and keyed by desktop
// (resource id); each desktop's accumulator is its smallest non-empty
// name and a map from day to usage in nanoseconds (integers, so that
// merging in any grouping gives the same sums), merged by sums. Each
// desktop is then finished on its own worker by the library itself:
// sessionagg.DesktopUsageReport over the desktop's usage, one session a
// day (or a few, where overlapping sessions add up to more than the day),
// so that its days, idle days, total and filters are the library's
// arithmetic, not a copy of it. Only the desktops that the filters keep
// meet on one worker, to be sorted (by q.SortBy and q.Descending, ties by
// resource id) and checked against q.MaxRows.
//
// A day's usage equals the library's, which adds the pieces' seconds as
// float64, up to the last bits when pieces have fractions of a second.
//
// q is validated now, with the library's errors, and travels to the
// workers by value; its zone must be rebuildable by name, as for
// Aggregate. A session that the library rejects fails the pipeline.
func DesktopUsageReport(s beam.Scope, q sessionagg.UsageQuery, sessions beam.PCollection) (beam.PCollection, error) {
	sp, err := newUsageSpec(q)
	if err != nil {
		return beam.PCollection{}, err
	}
	s = s.Scope("sessionbeam.DesktopUsageReport")
	days := beam.ParDo(s, &desktopDaysFn{Spec: sp}, sessions)
	desktops := beam.DropKey(s, beam.CombinePerKey(s, &desktopFn{Spec: sp}, days))
	all := beam.Flatten(s, desktops, beam.Create(s, desktopList{}))
	return beam.Combine(s, &desktopReportFn{Spec: sp}, all), nil
}

// A desktopDay is a desktop's usage on one day, or, with no day, a record
// that the desktop exists (and its name).
type desktopDay struct {
	id, name string
	hasDay   bool
	day      int64 // the day's start, Unix seconds
	nanos    int64
}

// desktopDaysFn splits each session at the zone's midnights, within the
// range, keyed by its desktop.
type desktopDaysFn struct {
	Spec usageSpec
	qc   *sessionagg.UsageQuery
}

func (f *desktopDaysFn) query() (*sessionagg.UsageQuery, error) {
	if f.qc == nil {
		q, err := f.Spec.query()
		if err != nil {
			return nil, err
		}
		f.qc = &q
	}
	return f.qc, nil
}

func (f *desktopDaysFn) ProcessElement(s sessionagg.DesktopSession, emit func(string, desktopDay)) error {
	q, err := f.query()
	if err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	name := s.ResourceName
	cal := sessionagg.Calendar{Period: sessionagg.Daily, Location: q.Location}
	for p := range pieces(cal, q.Start, q.End, s.Start, s.End) {
		if n := int64(p.End.Sub(p.Start)); n > 0 {
			emit(s.ResourceID, desktopDay{id: s.ResourceID, name: name, hasDay: true, day: p.Bucket.Start.Unix(), nanos: n})
			name = "" // sent once
		}
	}
	if name != "" || s.ResourceName == "" {
		emit(s.ResourceID, desktopDay{id: s.ResourceID, name: name})
	}
	return nil
}

// A desktopAcc is one desktop's accumulator.
type desktopAcc struct {
	id, name string
	days     map[int64]duration
}

// desktopFn combines the days of one desktop, and finishes it with the
// library.
type desktopFn struct {
	Spec usageSpec
	qc   *sessionagg.UsageQuery
}

func (f *desktopFn) CreateAccumulator() desktopAcc { return desktopAcc{} }

func (f *desktopFn) AddInput(a desktopAcc, d desktopDay) desktopAcc {
	a.id = d.id
	a.name = smallerName(a.name, d.name)
	if d.hasDay {
		if a.days == nil {
			a.days = make(map[int64]duration)
		}
		t := a.days[d.day]
		t.add(d.nanos)
		a.days[d.day] = t
	}
	return a
}

// smallerName returns the smaller of two names, in byte order, but an
// empty name only if both are.
func smallerName(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}

func (f *desktopFn) MergeAccumulators(a, b desktopAcc) desktopAcc {
	if a.id == "" {
		a.id = b.id
	}
	a.name = smallerName(a.name, b.name)
	for day, t := range b.days {
		if a.days == nil {
			a.days = make(map[int64]duration)
		}
		s := a.days[day]
		s.merge(t)
		a.days[day] = s
	}
	return a
}

// ExtractOutput reports the desktop with sessionagg.DesktopUsageReport,
// over sessions that give each day its usage: as many whole days as fit
// in it, and the rest from the day's start. The desktop is left out if
// the query's filters drop it.
func (f *desktopFn) ExtractOutput(a desktopAcc) (desktopList, error) {
	if f.qc == nil {
		q, err := f.Spec.query()
		if err != nil {
			return desktopList{}, err
		}
		f.qc = &q
	}
	q := *f.qc
	q.SortBy, q.Descending = sessionagg.SortByResource, false
	days := slices.Sorted(func(yield func(int64) bool) {
		for day := range a.days {
			if !yield(day) {
				return
			}
		}
	})
	for _, day := range days {
		if t := a.days[day]; t.sec >= math.MaxInt64/1_000_000_000-1 {
			return desktopList{}, fmt.Errorf("%w: desktop %q has more than 292 years of usage on the day of %s", sessionagg.ErrTooLarge, a.id, time.Unix(day, 0).In(q.Location).Format(time.DateOnly))
		}
	}
	cal := sessionagg.Calendar{Period: sessionagg.Daily, Location: q.Location}
	sessions := func(yield func(sessionagg.DesktopSession) bool) {
		// The name, on a session of no length: it adds no usage.
		if !yield(sessionagg.DesktopSession{Start: q.Start, End: q.Start, ResourceID: a.id, ResourceName: a.name}) {
			return
		}
		for _, day := range days {
			b := cal.Bucket(time.Unix(day, 0))
			start, end := later(b.Start, q.Start), earlier(b.End, q.End)
			length := end.Sub(start)
			left := a.days[day].sec*1e9 + a.days[day].nsec
			for ; left > 0; left -= int64(length) {
				piece := time.Duration(min(left, int64(length)))
				if !yield(sessionagg.DesktopSession{Start: start, End: start.Add(piece), ResourceID: a.id}) {
					return
				}
			}
		}
	}
	report, err := sessionagg.DesktopUsageReport(q, sessions)
	if err != nil {
		return desktopList{}, fmt.Errorf("desktop %q: %w", a.id, err)
	}
	return desktopList{usages: report}, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// A desktopList is the reports of some desktops, in no order: the output
// of a desktop's combine and the accumulator of the report's.
type desktopList struct {
	usages []sessionagg.DesktopUsage
}

// desktopReportFn gathers the desktops into the report, and sorts them.
type desktopReportFn struct {
	Spec usageSpec
}

func (f *desktopReportFn) CreateAccumulator() desktopList { return desktopList{} }

func (f *desktopReportFn) AddInput(a, l desktopList) desktopList {
	a.usages = append(a.usages, l.usages...)
	return a
}

func (f *desktopReportFn) MergeAccumulators(a, b desktopList) desktopList { return f.AddInput(a, b) }

func (f *desktopReportFn) ExtractOutput(a desktopList) (DesktopReport, error) {
	q, err := f.Spec.query()
	if err != nil {
		return DesktopReport{}, err
	}
	kept := slices.Clone(a.usages)
	if m := q.MaxRows; m > 0 && len(kept) > 0 && len(kept[0].Days) > m/len(kept) {
		return DesktopReport{}, fmt.Errorf("%w: %d desktops of %d days each are more than %d rows", sessionagg.ErrTooLarge, len(kept), len(kept[0].Days), m)
	}
	sortUsage(&q, kept)
	return DesktopReport{spec: f.Spec, usages: kept}, nil
}

// sortUsage orders a report as sessionagg.UsageQuery documents it: by
// q.SortBy, descending if q.Descending, ties by resource id ascending
// (descending when the sort is by resource id, descending).
func sortUsage(q *sessionagg.UsageQuery, usages []sessionagg.DesktopUsage) {
	slices.SortFunc(usages, func(x, y sessionagg.DesktopUsage) int {
		var c int
		switch q.SortBy {
		case sessionagg.SortByUsage:
			c = cmp.Compare(x.UsageSeconds, y.UsageSeconds)
		case sessionagg.SortByIdle:
			c = cmp.Compare(x.IdleDays, y.IdleDays)
		}
		if q.Descending {
			c = -c
		}
		if c == 0 {
			c = strings.Compare(x.ResourceID, y.ResourceID)
			if q.Descending && q.SortBy == sessionagg.SortByResource {
				c = -c
			}
		}
		return c
	})
}

// A DesktopReport is the Workspace usage report of DesktopUsageReport.
// Its Beam coder carries the query (in the form that travels to workers)
// and the desktops. The zero DesktopReport is not valid.
type DesktopReport struct {
	spec   usageSpec
	usages []sessionagg.DesktopUsage
}

// Usage returns the desktops, in the query's order, with times in the
// query's zone: those of sessionagg.DesktopUsageReport.
func (r DesktopReport) Usage() ([]sessionagg.DesktopUsage, error) {
	loc, err := zoneNamed(r.spec.Zone)
	if err != nil {
		return nil, err
	}
	usages := slices.Clone(r.usages)
	for i := range usages {
		days := slices.Clone(usages[i].Days)
		for j := range days {
			days[j].Start, days[j].End = days[j].Start.In(loc), days[j].End.In(loc)
		}
		usages[i].Days = days
	}
	return usages, nil
}

// JSONLines returns the desktops as Workspace's export objects
// (sessionagg.DesktopUsage.MarshalJSON), one a line without the newline,
// in order.
func (r DesktopReport) JSONLines() iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		usages, err := r.Usage()
		if err != nil {
			yield(nil, err)
			return
		}
		for _, u := range usages {
			b, err := u.MarshalJSON()
			if !yield(b, err) || err != nil {
				return
			}
		}
	}
}
