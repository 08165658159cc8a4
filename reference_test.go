package sessionagg_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// A reference implementation of the aggregation, written to be obviously
// right rather than fast, and to share nothing with the library but the
// Session and Query types: buckets are found by brute force with the
// standard library's time.Time, pieces are cut with time.Time.Sub, and rows
// are kept in a map keyed by a string. TestDifferential checks Aggregate
// against it.

// refCalendar finds the buckets of one period in one zone.
type refCalendar struct {
	period sessionagg.Period
	loc    *time.Location
	first  time.Weekday // the first day of a week
}

// refWall returns the reading of u's wall clock in loc, as seconds since
// 1970-01-01 00:00:00 of that clock. The reference reads the clock once a
// minute, so it requires offsets of whole minutes, as every offset in use
// since 1972 is.
func refWall(u time.Time, loc *time.Location) int64 {
	l := u.In(loc)
	if _, off := l.Zone(); off%60 != 0 {
		panic(fmt.Sprintf("reference: offset %d s of %v at %v is not whole minutes", off, loc, u))
	}
	y, m, d := l.Date()
	h, mi, s := l.Clock()
	return time.Date(y, m, d, h, mi, s, 0, time.UTC).Unix()
}

// isHourStart reports whether an hour bucket starts at the whole minute u,
// by the SPEC's words: the wall clock reads hh:00:00 at u, or u is the end
// of a gap that skipped such a reading. A gap shows as a clock that reads
// more at u than one minute before plus one minute.
func (c refCalendar) isHourStart(u time.Time) bool {
	w := refWall(u, c.loc)
	if w%3600 == 0 {
		return true
	}
	expected := refWall(u.Add(-time.Minute), c.loc) + 60
	if w > expected {
		// The readings [expected, w) were skipped. The first hh:00:00 at
		// or after expected is in them if it is before w.
		next := expected + (3600-expected%3600)%3600
		return next < w
	}
	return false
}

// index returns the number of the day, week or month of u's local date,
// counted from 1970 with plain date arithmetic in UTC (no zone there).
func (c refCalendar) index(u time.Time) int64 {
	y, m, d := u.In(c.loc).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400
	switch c.period {
	case sessionagg.Daily:
		return day
	case sessionagg.Weekly:
		// Weeks counted from the first c.first on or after 1970-01-01.
		ref := int64(0)
		for time.Unix(ref*86400, 0).UTC().Weekday() != c.first {
			ref++
		}
		return refFloorDiv(day-ref, 7)
	case sessionagg.Monthly:
		return int64(y)*12 + int64(m) - 1
	}
	panic("reference: index of an hour")
}

func refFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// firstSecond returns the first whole second in [lo, hi] at which ok
// becomes true, by binary search: ok must be false then true over it.
func refFirstSecond(lo, hi int64, ok func(sec int64) bool) time.Time {
	i := sort.Search(int(hi-lo+1), func(i int) bool { return ok(lo + int64(i)) })
	if i > int(hi-lo) {
		panic("reference: no boundary in range")
	}
	return time.Unix(lo+int64(i), 0)
}

// bucket returns the bucket [start, end) that holds t.
//
// Hours: the last minute at or before t that starts an hour, and the first
// after it. Days, weeks and months: a bucket holds the instants whose local
// date is in its day, week or month and starts at the first of them, so
// its start is the first second whose date's index reaches t's, and its
// end the first whose index passes it. In the zones of the tests a local
// date never goes back (no clock goes back across midnight), so the index
// only grows with time and a binary search finds those seconds.
func (c refCalendar) bucket(t time.Time) (start, end time.Time) {
	if c.period == sessionagg.Hourly {
		start = t.Truncate(time.Minute) // whole minutes since year 1, as in UTC
		for !c.isHourStart(start) {
			start = start.Add(-time.Minute)
		}
		return start, c.next(start)
	}
	sec, want := t.Unix(), c.index(t)
	const span = 40 * 86400 // longer than any month
	start = refFirstSecond(sec-span, sec, func(s int64) bool { return c.index(time.Unix(s, 0)) >= want })
	end = refFirstSecond(sec+1, sec+span, func(s int64) bool { return c.index(time.Unix(s, 0)) > want })
	return start, end
}

// next returns the end of the bucket that starts at start.
func (c refCalendar) next(start time.Time) time.Time {
	if c.period == sessionagg.Hourly {
		end := start.Add(time.Minute)
		for !c.isHourStart(end) {
			end = end.Add(time.Minute)
		}
		return end
	}
	_, end := c.bucket(start)
	return end
}

// refAcc accumulates one row.
type refAcc struct {
	row           aggRow
	start         time.Time // the bucket's start, for the order of rows
	group         []string  // the group-by labels, in group-by order
	runtime, cost []float64
}

// refLabel returns s's label f.
func refLabel(s *sessionagg.Session, f sessionagg.Field) string {
	switch f {
	case sessionagg.QueueID:
		return s.QueueID
	case sessionagg.FleetID:
		return s.FleetID
	case sessionagg.JobID:
		return s.JobID
	case sessionagg.UserID:
		return s.UserID
	case sessionagg.UsageType:
		return s.UsageType
	case sessionagg.InstanceType:
		return s.InstanceType
	case sessionagg.LicenseProduct:
		return s.LicenseProduct
	}
	panic("reference: unknown field")
}

// refAggregate aggregates sessions by q as the SPEC says, step by step.
func refAggregate(q sessionagg.Query, sessions []sessionagg.Session) []aggRow {
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	period := q.Period
	if period == 0 {
		period = sessionagg.Daily
	}
	first := time.Monday
	if q.WeekStart == sessionagg.Sunday {
		first = time.Sunday
	}
	cal := refCalendar{period, loc, first}
	bounded := func(t time.Time) bool { return !t.IsZero() }
	inWindow := func(t time.Time) bool {
		return (!bounded(q.Start) || !t.Before(q.Start)) && (!bounded(q.End) || t.Before(q.End))
	}
	byJob := slices.Contains(q.GroupBy, sessionagg.JobID)

	rows := make(map[string]*refAcc)
	for _, s := range sessions {
		if len(q.QueueIDs) > 0 && !slices.Contains(q.QueueIDs, s.QueueID) ||
			len(q.FleetIDs) > 0 && !slices.Contains(q.FleetIDs, s.FleetID) {
			continue
		}
		// 1. Clip to the window.
		lo, hi := s.Start, s.End
		if bounded(q.Start) && lo.Before(q.Start) {
			lo = q.Start
		}
		if bounded(q.End) && hi.After(q.End) {
			hi = q.End
		}
		// 2 and 3. A zero-length session in the window is one piece of
		// length 0; otherwise cut [lo, hi) at every bucket boundary.
		type piece struct {
			start, end time.Time // the bucket
			length     time.Duration
		}
		var pieces []piece
		switch {
		case s.Start.Equal(s.End):
			if inWindow(s.Start) {
				bs, be := cal.bucket(s.Start)
				pieces = append(pieces, piece{bs, be, 0})
			}
		case lo.Before(hi):
			bs, be := cal.bucket(lo)
			for from := lo; ; {
				to := hi
				if be.Before(hi) {
					to = be
				}
				pieces = append(pieces, piece{bs, be, to.Sub(from)})
				if !be.Before(hi) {
					break
				}
				from, bs, be = be, be, cal.next(be)
			}
		}
		total := s.End.Sub(s.Start)
		var group []string
		for _, f := range q.GroupBy {
			group = append(group, refLabel(&s, f))
		}
		for _, p := range pieces {
			key := fmt.Sprintf("%d %q", p.start.UnixNano(), group)
			acc := rows[key]
			if acc == nil {
				acc = &refAcc{start: p.start, group: group}
				rs, re := p.start, p.end
				if bounded(q.Start) && rs.Before(q.Start) {
					rs = q.Start
				}
				if bounded(q.End) && re.After(q.End) {
					re = q.End
				}
				acc.row.Start, acc.row.End = rs.In(loc).Format(time.RFC3339Nano), re.In(loc).Format(time.RFC3339Nano)
				for i, f := range aggFields {
					if slices.Contains(q.GroupBy, f) {
						acc.row.Labels[i] = refLabel(&s, f)
					}
				}
				rows[key] = acc
			}
			// The cost is prorated over the whole, unclipped session; a
			// zero-length session's one piece carries all of it.
			cost := s.CostInUSD
			if p.length != total {
				cost = s.CostInUSD * float64(p.length) / float64(total)
			}
			acc.runtime = append(acc.runtime, p.length.Seconds())
			acc.cost = append(acc.cost, cost)
			if byJob && s.JobName != "" && (acc.row.JobName == "" || s.JobName < acc.row.JobName) {
				acc.row.JobName = s.JobName
			}
		}
	}

	accs := make([]*refAcc, 0, len(rows))
	for _, acc := range rows {
		acc.row.Count = int64(len(acc.runtime))
		acc.row.Runtime, acc.row.Cost = refStats(acc.runtime), refStats(acc.cost)
		accs = append(accs, acc)
	}
	slices.SortFunc(accs, func(a, b *refAcc) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return slices.Compare(a.group, b.group)
	})
	var out []aggRow
	for _, acc := range accs {
		out = append(out, acc.row)
	}
	return out
}

// refStats returns the count, sum, min, max and mean of vs.
func refStats(vs []float64) aggStats {
	s := aggStats{Count: int64(len(vs)), Min: vs[0], Max: vs[0]}
	for _, v := range vs {
		s.Sum += v
		s.Min = min(s.Min, v)
		s.Max = max(s.Max, v)
	}
	s.Avg = s.Sum / float64(len(vs))
	return s
}

// TestDifferential checks Aggregate against the reference implementation
// on random sessions, windows (bounded, half-open, unbounded), periods,
// zones with and without daylight saving time, week starts, group-bys and
// filters.
//
// Each period has its own run, so that the rarer cases of each (a gap of
// half an hour in an hour, a week that starts on Sunday) are met often.
func TestDifferential(t *testing.T) {
	for _, p := range []sessionagg.Period{sessionagg.Hourly, sessionagg.Daily, sessionagg.Weekly, sessionagg.Monthly} {
		t.Run(p.String(), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				q := aggQueryShape(t)
				q.Period = p
				base := aggBase(t, &q)
				sessions := aggSessions(t, base, p, 25)
				aggWindow(t, &q, base, sessions)
				aggFilter(t, &q)
				want := refAggregate(q, sessions)
				got := aggRows(aggRun(t, q, sessions))
				if diff := cmp.Diff(want, got, aggApprox); diff != "" {
					t.Fatalf("%s: Aggregate differs from the reference (-want +got):\n%s", aggDescribe(q), diff)
				}
			})
		})
	}
}

// TestReferenceExamples checks the reference itself on the SPEC's
// examples of daylight saving time, so that a failure of TestDifferential
// is not a bug of the reference.
func TestReferenceExamples(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	ny, lh, havana := load("America/New_York"), load("Australia/Lord_Howe"), load("America/Havana")
	tests := []struct {
		reason     string
		cal        refCalendar
		t          time.Time
		start, end string
	}{
		{"a 23-hour day", refCalendar{sessionagg.Daily, ny, time.Monday}, time.Date(2026, 3, 8, 12, 0, 0, 0, ny),
			"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"},
		{"a 25-hour day", refCalendar{sessionagg.Daily, ny, time.Monday}, time.Date(2026, 11, 1, 12, 0, 0, 0, ny),
			"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"},
		{"the hour before a gap ends at the gap", refCalendar{sessionagg.Hourly, ny, time.Monday}, time.Date(2026, 3, 8, 1, 30, 0, 0, ny),
			"2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00"},
		{"a repeated hour is two buckets: the first", refCalendar{sessionagg.Hourly, ny, time.Monday}, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC),
			"2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00"},
		{"a 90-minute hour", refCalendar{sessionagg.Hourly, lh, time.Monday}, time.Date(2026, 4, 5, 1, 10, 0, 0, lh),
			"2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30"},
		{"a 30-minute hour after a gap", refCalendar{sessionagg.Hourly, lh, time.Monday}, time.Date(2026, 10, 4, 2, 40, 0, 0, lh),
			"2026-10-04T02:30:00+11:00", "2026-10-04T03:00:00+11:00"},
		{"a day that starts at the end of a gap at midnight", refCalendar{sessionagg.Daily, havana, time.Monday}, time.Date(2026, 3, 8, 12, 0, 0, 0, havana),
			"2026-03-08T01:00:00-04:00", "2026-03-09T00:00:00-04:00"},
		{"a repeated midnight does not split the day", refCalendar{sessionagg.Daily, havana, time.Monday}, time.Date(2026, 11, 1, 12, 0, 0, 0, havana),
			"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"},
		{"a Sunday week", refCalendar{sessionagg.Weekly, time.UTC, time.Sunday}, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
			"2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z"},
		{"a Monday week", refCalendar{sessionagg.Weekly, time.UTC, time.Monday}, time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC),
			"2026-02-23T00:00:00Z", "2026-03-02T00:00:00Z"},
		{"a month", refCalendar{sessionagg.Monthly, ny, time.Monday}, time.Date(2026, 3, 31, 23, 59, 59, 0, ny),
			"2026-03-01T00:00:00-05:00", "2026-04-01T00:00:00-04:00"},
	}
	for _, tt := range tests {
		s, e := tt.cal.bucket(tt.t)
		got := [2]string{s.In(tt.cal.loc).Format(time.RFC3339), e.In(tt.cal.loc).Format(time.RFC3339)}
		if want := [2]string{tt.start, tt.end}; got != want {
			t.Errorf("%s: reference bucket(%v) = %v, want %v", tt.reason, tt.t, got, want)
		}
	}
}
