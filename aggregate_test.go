package sessionagg_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the IANA zones of the properties, whatever the host has

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// The properties of the aggregation draw queries and sessions from the
// generators below: every period, fixed offsets and zones with daylight
// saving time, both week starts, random group-bys, windows bounded on
// either side or neither, and sessions clustered around daylight saving
// transitions and month ends, from zero length to weeks, some with
// nanoseconds.

// aggTB is the part of testing.TB that *rapid.T has too.
type aggTB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// aggIANA are the zones with transitions that the properties use: a
// one-hour DST (New York, London), a 30-minute DST (Lord Howe), a DST
// that moves midnight (Havana), and an offset that changed by 15 minutes
// (Kathmandu, 1986).
var aggIANA = []string{"America/New_York", "Australia/Lord_Howe", "America/Havana", "Asia/Kathmandu", "Europe/London"}

// aggZones returns the zones of the properties: UTC, fixed offsets, and the
// IANA zones.
var aggZones = sync.OnceValue(func() []*time.Location {
	zones := []*time.Location{time.UTC}
	for _, s := range []string{"UTC+8", "UTC-3", "UTC+05:30", "UTC+5:45", "UTC-09:30", "UTC+14:00", "UTC-12:00"} {
		loc, err := sessionagg.ParseTimezone(s)
		if err != nil {
			panic(fmt.Sprintf("ParseTimezone(%q) = %v", s, err))
		}
		zones = append(zones, loc)
	}
	for _, name := range aggIANA {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic(fmt.Sprintf("time.LoadLocation(%q) = %v", name, err))
		}
		zones = append(zones, loc)
	}
	return zones
})

// aggBases are instants that sessions cluster around, each with the zone
// whose transition it is, if any: DST transitions of the IANA zones,
// month and year ends, and an ordinary day.
var aggBases = []struct {
	t      time.Time
	zone   string
	reason string
}{
	{time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), "America/New_York", "springs forward"},
	{time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), "America/New_York", "falls back"},
	{time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC), "America/Havana", "a gap at midnight"},
	{time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC), "America/Havana", "a repeated midnight"},
	{time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), "Europe/London", "springs forward"},
	{time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), "Europe/London", "falls back"},
	{time.Date(2026, 4, 4, 15, 0, 0, 0, time.UTC), "Australia/Lord_Howe", "goes back 30 minutes"},
	{time.Date(2026, 10, 3, 15, 30, 0, 0, time.UTC), "Australia/Lord_Howe", "goes forward 30 minutes"},
	{time.Date(1985, 12, 31, 18, 30, 0, 0, time.UTC), "Asia/Kathmandu", "from +05:30 to +05:45"},
	{time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC), "", "a month end"},
	{time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), "", "a year end"},
	{time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), "", "the end of February"},
	{time.Date(2026, 6, 17, 12, 0, 0, 0, time.UTC), "", "an ordinary day"},
}

// aggBase draws a base instant and sets q's zone, half the time, to the
// zone whose transition the base is, so that transitions are met often.
func aggBase(t *rapid.T, q *sessionagg.Query) time.Time {
	b := rapid.SampledFrom(aggBases).Draw(t, "base")
	if b.zone != "" && rapid.Bool().Draw(t, "baseZone") {
		loc, err := time.LoadLocation(b.zone)
		if err != nil {
			t.Fatalf("time.LoadLocation(%q) = %v", b.zone, err)
		}
		q.Location = loc
	}
	return b.t
}

var (
	aggQueues = []string{"q-1", "q-2", "q-10", "Q-1", ""}
	aggFleets = []string{"f-1", "f-2", ""}
	aggUsers  = []string{"u-a", "u-b", "ü", "u\x00", ""}
	aggJobs   = []string{"j-1", "j-2", ""}
	aggNames  = []string{"", "render", "Render", "bake", "zz"}
	aggTypes  = []string{"m5.large", "c6i.xlarge", ""}
	aggFields = []sessionagg.Field{
		sessionagg.QueueID, sessionagg.FleetID, sessionagg.JobID, sessionagg.UserID,
		sessionagg.UsageType, sessionagg.InstanceType, sessionagg.LicenseProduct,
	}
)

// aggMaxLength bounds a session's length by period, to keep the number of
// pieces, and the reference implementation's scans, small.
var aggMaxLength = map[sessionagg.Period]time.Duration{
	sessionagg.Hourly:  3 * 24 * time.Hour,
	sessionagg.Daily:   20 * 24 * time.Hour,
	sessionagg.Weekly:  60 * 24 * time.Hour,
	sessionagg.Monthly: 120 * 24 * time.Hour,
}

// aggSpread is how far from its base a session or window edge may lie.
const aggSpread = 5 * 24 * time.Hour

// aggQueryShape draws everything of a query but its window and filter.
func aggQueryShape(t *rapid.T) sessionagg.Query {
	zones := aggZones()
	q := sessionagg.Query{
		Period:    rapid.SampledFrom([]sessionagg.Period{sessionagg.Hourly, sessionagg.Daily, sessionagg.Weekly, sessionagg.Monthly}).Draw(t, "period"),
		Location:  zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")],
		WeekStart: rapid.SampledFrom([]sessionagg.WeekStart{sessionagg.Monday, sessionagg.Sunday}).Draw(t, "weekStart"),
	}
	fields := rapid.Permutation(aggFields).Draw(t, "fields")
	q.GroupBy = fields[:rapid.IntRange(0, 3).Draw(t, "groups")]
	return q
}

// aggDuration draws a duration of up to max, spread over scales from
// seconds to weeks, which rapid's integers, biased to small values, would
// not give: a count of a unit, and nanoseconds now and then.
func aggDuration(t *rapid.T, max time.Duration, label string) time.Duration {
	units := []time.Duration{time.Second, time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}
	unit := rapid.SampledFrom(units).Draw(t, label+"Unit")
	d := time.Duration(rapid.IntRange(0, 60).Draw(t, label+"Count")) * unit
	if rapid.IntRange(0, 3).Draw(t, label+"HasNanos") == 0 {
		d += time.Duration(rapid.Int64Range(0, int64(time.Second-1)).Draw(t, label+"Nanos"))
	}
	return min(d, max)
}

// aggInstant draws an instant within aggSpread of base.
func aggInstant(t *rapid.T, base time.Time, label string) time.Time {
	d := aggDuration(t, aggSpread, label)
	if rapid.Bool().Draw(t, label+"Before") {
		d = -d
	}
	return base.Add(d)
}

// aggSession draws a session around base for a query of period p.
func aggSession(t *rapid.T, base time.Time, p sessionagg.Period) sessionagg.Session {
	start := aggInstant(t, base, "start")
	var length time.Duration
	if rapid.IntRange(0, 5).Draw(t, "zeroLength") > 0 {
		length = aggDuration(t, aggMaxLength[p], "length")
	}
	cost := 0.0
	switch rapid.IntRange(0, 3).Draw(t, "costKind") {
	case 0:
	case 1:
		cost = rapid.Float64Range(0, 1e-6).Draw(t, "tinyCost")
	default:
		cost = rapid.Float64Range(0, 1000).Draw(t, "cost")
	}
	return sessionagg.Session{
		Start:          start,
		End:            start.Add(length),
		CostInUSD:      cost,
		QueueID:        rapid.SampledFrom(aggQueues).Draw(t, "queue"),
		FleetID:        rapid.SampledFrom(aggFleets).Draw(t, "fleet"),
		JobID:          rapid.SampledFrom(aggJobs).Draw(t, "job"),
		JobName:        rapid.SampledFrom(aggNames).Draw(t, "jobName"),
		UserID:         rapid.SampledFrom(aggUsers).Draw(t, "user"),
		UsageType:      rapid.SampledFrom([]string{"COMPUTE", "LICENSE"}).Draw(t, "usage"),
		InstanceType:   rapid.SampledFrom(aggTypes).Draw(t, "type"),
		LicenseProduct: rapid.SampledFrom([]string{"", "maya", "nuke"}).Draw(t, "license"),
	}
}

// aggSessions draws up to n sessions around one base: none now and then,
// but mostly many, which rapid's lists, biased to short ones, would not
// give.
func aggSessions(t *rapid.T, base time.Time, p sessionagg.Period, n int) []sessionagg.Session {
	lo := 0
	if rapid.IntRange(0, 9).Draw(t, "few") > 0 {
		lo = n / 2
	}
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) sessionagg.Session { return aggSession(t, base, p) }), lo, n).Draw(t, "sessions")
}

// aggWindow sets a random window on q: unbounded, bounded, or open on one
// side, with edges near base or on a session's start or end.
func aggWindow(t *rapid.T, q *sessionagg.Query, base time.Time, sessions []sessionagg.Session) {
	edge := func(label string) time.Time {
		if len(sessions) > 0 && rapid.Bool().Draw(t, label+"OnSession") {
			s := sessions[rapid.IntRange(0, len(sessions)-1).Draw(t, label+"Session")]
			if rapid.Bool().Draw(t, label+"AtStart") {
				return s.Start
			}
			return s.End
		}
		return aggInstant(t, base, label)
	}
	switch rapid.IntRange(0, 3).Draw(t, "windowKind") {
	case 0: // unbounded
	case 1:
		q.Start = edge("windowStart")
	case 2:
		q.End = edge("windowEnd")
	case 3:
		a, b := edge("windowStart"), edge("windowEnd")
		if a.Equal(b) {
			b = b.Add(time.Duration(rapid.Int64Range(1, int64(48*time.Hour)).Draw(t, "windowLength")))
		}
		if b.Before(a) {
			a, b = b, a
		}
		q.Start, q.End = a, b
	}
}

// aggRow is a Row with its statistics and times exposed for cmp: times as
// RFC 3339 in the row's zone, so that a wrong zone is a difference.
type aggRow struct {
	Start, End string
	Labels     [7]string // in the order of aggFields
	JobName    string
	Count      int64
	Runtime    aggStats
	Cost       aggStats
}

type aggStats struct {
	Count              int64
	Sum, Min, Max, Avg float64
}

func aggStatsOf(s sessionagg.Stats) aggStats {
	return aggStats{s.Count(), s.Sum(), s.Min(), s.Max(), s.Avg()}
}

func aggRowOf(r sessionagg.Row) aggRow {
	out := aggRow{
		Start:   r.Start.Format(time.RFC3339Nano),
		End:     r.End.Format(time.RFC3339Nano),
		JobName: r.JobName,
		Count:   r.Count,
		Runtime: aggStatsOf(r.RuntimeInSeconds),
		Cost:    aggStatsOf(r.CostInUSD),
	}
	for i, f := range aggFields {
		out.Labels[i] = r.Label(f)
	}
	return out
}

// aggRows returns r's rows as aggRows.
func aggRows(r *sessionagg.Result) []aggRow {
	var out []aggRow
	for row := range r.Rows() {
		out = append(out, aggRowOf(row))
	}
	return out
}

// aggApprox compares floats to a relative 1e-9, and to 1e-12 near zero:
// sums may differ in the last bits of rounding.
var aggApprox = cmpopts.EquateApprox(1e-9, 1e-12)

// aggRun aggregates sessions by q and fails the test on error.
func aggRun(t aggTB, q sessionagg.Query, sessions []sessionagg.Session) *sessionagg.Result {
	t.Helper()
	r, err := sessionagg.Aggregate(q, slices.Values(sessions))
	if err != nil {
		t.Fatalf("Aggregate(%s, %d sessions) = %v", aggDescribe(q), len(sessions), err)
	}
	return r
}

// aggDescribe returns a short account of q for failure messages.
func aggDescribe(q sessionagg.Query) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v in %v", q.Period, q.Location)
	if q.Period == sessionagg.Weekly {
		fmt.Fprintf(&b, " from %v", q.WeekStart)
	}
	if len(q.GroupBy) > 0 {
		fmt.Fprintf(&b, " by %v", q.GroupBy)
	}
	fmt.Fprintf(&b, " window [%s, %s)", aggTimeString(q.Start), aggTimeString(q.End))
	if len(q.QueueIDs) > 0 {
		fmt.Fprintf(&b, " queues %q", q.QueueIDs)
	}
	if len(q.FleetIDs) > 0 {
		fmt.Fprintf(&b, " fleets %q", q.FleetIDs)
	}
	return b.String()
}

func aggTimeString(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.Format(time.RFC3339Nano)
}

// aggNear reports whether got is within a relative 1e-9 of want, or within
// 1e-9 of it when want is near zero.
func aggNear(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*max(math.Abs(want), 1)
}

// TestConservation checks that with a window that covers every session,
// the rows' runtimes add up to the sessions' lengths and their costs to
// the sessions' costs, whatever the period, zone and grouping.
func TestConservation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q := aggQueryShape(t)
		base := aggBase(t, &q)
		sessions := aggSessions(t, base, q.Period, 30)
		if len(sessions) > 0 && rapid.Bool().Draw(t, "bounded") {
			// A window just wider than the sessions: a zero-length session
			// at the last end still lies in it.
			lo, hi := sessions[0].Start, sessions[0].End
			for _, s := range sessions {
				if s.Start.Before(lo) {
					lo = s.Start
				}
				if s.End.After(hi) {
					hi = s.End
				}
			}
			q.Start = lo.Add(-time.Duration(rapid.Int64Range(0, int64(time.Hour)).Draw(t, "before")))
			q.End = hi.Add(time.Duration(rapid.Int64Range(1, int64(time.Hour)).Draw(t, "after")))
		}
		var length, cost float64
		for _, s := range sessions {
			length += s.End.Sub(s.Start).Seconds()
			cost += s.CostInUSD
		}
		var gotLength, gotCost float64
		var pieces int64
		for row := range aggRun(t, q, sessions).Rows() {
			gotLength += row.RuntimeInSeconds.Sum()
			gotCost += row.CostInUSD.Sum()
			pieces += row.Count
		}
		if !aggNear(gotLength, length) {
			t.Fatalf("%s: runtimes add up to %v s, want the sessions' %v s", aggDescribe(q), gotLength, length)
		}
		if !aggNear(gotCost, cost) {
			t.Fatalf("%s: costs add up to %v USD, want the sessions' %v USD", aggDescribe(q), gotCost, cost)
		}
		if pieces < int64(len(sessions)) {
			t.Fatalf("%s: %d pieces for %d sessions, want at least one each", aggDescribe(q), pieces, len(sessions))
		}
	})
}

// aggFilter sets, now and then, a queue or fleet filter on q.
func aggFilter(t *rapid.T, q *sessionagg.Query) {
	switch rapid.IntRange(0, 5).Draw(t, "filterKind") {
	case 0:
		q.QueueIDs = rapid.SliceOfNDistinct(rapid.SampledFrom(aggQueues[:4]), 1, 3, rapid.ID[string]).Draw(t, "queueIds")
	case 1:
		q.FleetIDs = rapid.SliceOfNDistinct(rapid.SampledFrom(aggFleets[:2]), 1, 2, rapid.ID[string]).Draw(t, "fleetIds")
	}
}

// aggCase draws a query and up to n sessions for it.
func aggCase(t *rapid.T, n int) (sessionagg.Query, []sessionagg.Session) {
	q := aggQueryShape(t)
	base := aggBase(t, &q)
	sessions := aggSessions(t, base, q.Period, n)
	aggWindow(t, &q, base, sessions)
	aggFilter(t, &q)
	return q, sessions
}

// TestOrderIndependence checks that the same sessions in any order give
// the same rows, up to rounding in sums.
func TestOrderIndependence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 30)
		shuffled := rapid.Permutation(sessions).Draw(t, "shuffled")
		want, got := aggRows(aggRun(t, q, sessions)), aggRows(aggRun(t, q, shuffled))
		if diff := cmp.Diff(want, got, aggApprox); diff != "" {
			t.Fatalf("%s: shuffled input (-want +got):\n%s", aggDescribe(q), diff)
		}
	})
}

// TestShardMerge checks that sessions cut into shards, aggregated apart
// and merged in any tree, give the rows of aggregating them at once, and
// that empty and nil aggregators are the identity of Merge.
func TestShardMerge(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 40)
		k := rapid.IntRange(1, 6).Draw(t, "shards")
		shards := make([]*sessionagg.Aggregator, k)
		for i := range shards {
			a, err := sessionagg.NewAggregator(q)
			if err != nil {
				t.Fatalf("NewAggregator(%s) = %v", aggDescribe(q), err)
			}
			shards[i] = a
		}
		for i, s := range sessions {
			a := shards[rapid.IntRange(0, k-1).Draw(t, fmt.Sprintf("shard%d", i))]
			if err := a.Add(s); err != nil {
				t.Fatalf("Add(%v) = %v", s, err)
			}
		}
		// Merge in a random tree: repeatedly merge one shard into another,
		// with an empty or nil aggregator thrown in now and then.
		for len(shards) > 1 {
			i := rapid.IntRange(0, len(shards)-1).Draw(t, "into")
			j := rapid.IntRange(0, len(shards)-2).Draw(t, "from")
			if j >= i {
				j++
			}
			switch rapid.IntRange(0, 4).Draw(t, "identity") {
			case 0:
				empty, _ := sessionagg.NewAggregator(q)
				if err := shards[i].Merge(empty); err != nil {
					t.Fatalf("Merge(empty) = %v", err)
				}
			case 1:
				if err := shards[i].Merge(nil); err != nil {
					t.Fatalf("Merge(nil) = %v", err)
				}
			case 2:
				// Merging into an empty aggregator copies.
				empty, _ := sessionagg.NewAggregator(q)
				if err := empty.Merge(shards[i]); err != nil {
					t.Fatalf("empty.Merge = %v", err)
				}
				shards[i] = empty
			}
			if err := shards[i].Merge(shards[j]); err != nil {
				t.Fatalf("Merge = %v", err)
			}
			shards = slices.Delete(shards, j, j+1)
		}
		got, err := shards[0].Result()
		if err != nil {
			t.Fatalf("Result() = %v", err)
		}
		want := aggRun(t, q, sessions)
		if diff := cmp.Diff(aggRows(want), aggRows(got), aggApprox); diff != "" {
			t.Fatalf("%s: merged shards (-want +got):\n%s", aggDescribe(q), diff)
		}
		par, err := sessionagg.AggregateParallel(q, sessions)
		if err != nil {
			t.Fatalf("AggregateParallel = %v", err)
		}
		if diff := cmp.Diff(aggRows(want), aggRows(par), aggApprox); diff != "" {
			t.Fatalf("%s: AggregateParallel (-want +got):\n%s", aggDescribe(q), diff)
		}
	})
}

// TestMergeSelf checks that merging an aggregator into itself doubles it.
func TestMergeSelf(t *testing.T) {
	q := sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}}
	sessions := []sessionagg.Session{
		{Start: aggAt(1, 9), End: aggAt(1, 12), CostInUSD: 3, QueueID: "a"},
		{Start: aggAt(1, 23), End: aggAt(2, 1), CostInUSD: 2, QueueID: "b"},
	}
	a, _ := sessionagg.NewAggregator(q)
	for _, s := range sessions {
		a.Add(s)
	}
	if err := a.Merge(a); err != nil {
		t.Fatalf("a.Merge(a) = %v", err)
	}
	got, _ := a.Result()
	want := aggRun(t, q, append(slices.Clone(sessions), sessions...))
	if diff := cmp.Diff(aggRows(want), aggRows(got), aggApprox); diff != "" {
		t.Errorf("a.Merge(a) (-want +got):\n%s", diff)
	}
}

// TestResultUnchanged checks that a Result does not change when its
// Aggregator goes on adding and merging sessions, which write to the rows
// the Result shares, and that the Aggregator's next Result counts them all.
func TestResultUnchanged(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 40)
		cut := rapid.IntRange(0, len(sessions)).Draw(t, "cut")
		a, err := sessionagg.NewAggregator(q)
		if err != nil {
			t.Fatalf("NewAggregator(%s) = %v", aggDescribe(q), err)
		}
		for _, s := range sessions[:cut] {
			a.Add(s)
		}
		first := aggResult(t, a)
		before := aggRows(first)
		firstJSON, _ := json.Marshal(first)
		for _, s := range sessions[cut:] {
			a.Add(s)
		}
		if rapid.Bool().Draw(t, "mergeSelf") {
			a.Merge(a)
			sessions = append(slices.Clone(sessions), sessions...)
		}
		if diff := cmp.Diff(before, aggRows(first)); diff != "" {
			t.Fatalf("%s: the first Result changed (-before +after):\n%s", aggDescribe(q), diff)
		}
		if afterJSON, _ := json.Marshal(first); string(afterJSON) != string(firstJSON) {
			t.Fatalf("%s: the first Result's JSON changed", aggDescribe(q))
		}
		want := aggRun(t, q, sessions)
		if diff := cmp.Diff(aggRows(want), aggRows(aggResult(t, a)), aggApprox); diff != "" {
			t.Fatalf("%s: the second Result (-want +got):\n%s", aggDescribe(q), diff)
		}
	})
}

// aggAt returns 2026-03-day hour:00 UTC.
func aggAt(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

// TestMergeMismatch checks that aggregators of different queries do not
// merge, that the error wraps ErrMismatch, and that the receiver is left
// unchanged; and that queries differing only in their limits do merge.
func TestMergeMismatch(t *testing.T) {
	utc8, _ := sessionagg.ParseTimezone("UTC+8")
	base := sessionagg.Query{
		Start: aggAt(1, 0), End: aggAt(20, 0),
		GroupBy: []sessionagg.Field{sessionagg.QueueID},
	}
	tests := []struct {
		reason string
		change func(q *sessionagg.Query)
		ok     bool
	}{
		{"another period", func(q *sessionagg.Query) { q.Period = sessionagg.Hourly }, false},
		{"another zone", func(q *sessionagg.Query) { q.Location = utc8 }, false},
		{"another week start", func(q *sessionagg.Query) { q.WeekStart = sessionagg.Sunday }, false},
		{"another window start", func(q *sessionagg.Query) { q.Start = aggAt(2, 0) }, false},
		{"an open window end", func(q *sessionagg.Query) { q.End = time.Time{} }, false},
		{"another group-by", func(q *sessionagg.Query) { q.GroupBy = []sessionagg.Field{sessionagg.UserID} }, false},
		{"group-by in another order", func(q *sessionagg.Query) {
			q.GroupBy = []sessionagg.Field{sessionagg.UserID, sessionagg.QueueID}
		}, false},
		{"other statistics", func(q *sessionagg.Query) { q.Statistics = []sessionagg.Statistic{sessionagg.Sum} }, false},
		{"a queue filter", func(q *sessionagg.Query) { q.QueueIDs = []string{"a"} }, false},
		{"a fleet filter", func(q *sessionagg.Query) { q.FleetIDs = []string{"a"} }, false},
		{"other limits only", func(q *sessionagg.Query) { q.MaxRows, q.MaxBuckets = 100, 1000 }, true},
		{"the default period spelled out", func(q *sessionagg.Query) { q.Period = sessionagg.Daily }, true},
		{"UTC spelled as nil", func(q *sessionagg.Query) { q.Location = time.UTC }, true},
	}
	for _, tt := range tests {
		other := base
		tt.change(&other)
		a, err := sessionagg.NewAggregator(base)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sessionagg.NewAggregator(other)
		if err != nil {
			t.Fatalf("%s: NewAggregator = %v", tt.reason, err)
		}
		a.Add(sessionagg.Session{Start: aggAt(3, 9), End: aggAt(3, 10), CostInUSD: 1, QueueID: "a"})
		b.Add(sessionagg.Session{Start: aggAt(4, 9), End: aggAt(4, 10), CostInUSD: 1, QueueID: "a"})
		before, _ := a.Result()
		err = a.Merge(b)
		if tt.ok {
			if err != nil {
				t.Errorf("%s: Merge = %v, want nil", tt.reason, err)
			}
			continue
		}
		if !errors.Is(err, sessionagg.ErrMismatch) {
			t.Errorf("%s: Merge = %v, want an error wrapping ErrMismatch", tt.reason, err)
		}
		after, _ := a.Result()
		if diff := cmp.Diff(aggRows(before), aggRows(after)); diff != "" {
			t.Errorf("%s: receiver changed by a failed Merge (-want +got):\n%s", tt.reason, diff)
		}
	}
}

// TestRowInvariants checks what holds for every row: a count of at least
// one, avg = sum/count between min and max, a strict order by start and
// then by labels compared bytewise in group-by order, and a start and end
// that are the bounds of the calendar's bucket, clipped to the window.
func TestRowInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 40)
		cal := sessionagg.Calendar{Period: q.Period, Location: q.Location, WeekStart: q.WeekStart}
		var prev *sessionagg.Row
		for row := range aggRun(t, q, sessions).Rows() {
			if row.Count < 1 {
				t.Fatalf("row %v has count %d, want >= 1", aggRowOf(row), row.Count)
			}
			for _, s := range []struct {
				name string
				s    sessionagg.Stats
			}{{"runtime", row.RuntimeInSeconds}, {"cost", row.CostInUSD}} {
				if s.s.Count() != row.Count {
					t.Fatalf("%s count = %d, want the row's %d", s.name, s.s.Count(), row.Count)
				}
				if avg := s.s.Sum() / float64(s.s.Count()); !aggNear(s.s.Avg(), avg) {
					t.Fatalf("%s Avg() = %v, want Sum()/Count() = %v", s.name, s.s.Avg(), avg)
				}
				if !(s.s.Min() <= s.s.Avg() && s.s.Avg() <= s.s.Max()) {
					t.Fatalf("%s min %v, avg %v, max %v are out of order", s.name, s.s.Min(), s.s.Avg(), s.s.Max())
				}
			}
			b := cal.Bucket(row.Start)
			wantStart, wantEnd := b.Start, b.End
			if !q.Start.IsZero() && wantStart.Before(q.Start) {
				wantStart = q.Start
			}
			if !q.End.IsZero() && wantEnd.After(q.End) {
				wantEnd = q.End
			}
			if !row.Start.Equal(wantStart) || !row.End.Equal(wantEnd) {
				t.Fatalf("%s: row [%v, %v), want the bucket [%v, %v) clipped to the window: [%v, %v)",
					aggDescribe(q), row.Start, row.End, b.Start, b.End, wantStart, wantEnd)
			}
			if row.Start.Location() != q.Location && !(q.Location == nil && row.Start.Location() == time.UTC) {
				t.Fatalf("row start %v is in %v, want %v", row.Start, row.Start.Location(), q.Location)
			}
			if prev != nil {
				c := prev.Start.Compare(row.Start)
				if c == 0 {
					for _, f := range q.GroupBy {
						if c = strings.Compare(prev.Label(f), row.Label(f)); c != 0 {
							break
						}
					}
				}
				if c >= 0 {
					t.Fatalf("%s: row %v comes after %v, want strictly increasing (start, labels)", aggDescribe(q), aggRowOf(row), aggRowOf(*prev))
				}
			}
			prev = &row
		}
	})
}

// TestFilter checks that a queue or fleet filter keeps exactly the
// sessions with those ids: the rows are those of the filtered sessions
// aggregated without a filter.
func TestFilter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 40)
		if len(q.QueueIDs) == 0 && len(q.FleetIDs) == 0 {
			q.QueueIDs = []string{rapid.SampledFrom(aggQueues[:4]).Draw(t, "queue")}
		}
		var kept []sessionagg.Session
		for _, s := range sessions {
			if slices.Contains(q.QueueIDs, s.QueueID) || slices.Contains(q.FleetIDs, s.FleetID) {
				kept = append(kept, s)
			}
		}
		unfiltered := q
		unfiltered.QueueIDs, unfiltered.FleetIDs = nil, nil
		want, got := aggRows(aggRun(t, unfiltered, kept)), aggRows(aggRun(t, q, sessions))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s (-want +got):\n%s", aggDescribe(q), diff)
		}
	})
}

func aggResult(t aggTB, a *sessionagg.Aggregator) *sessionagg.Result {
	t.Helper()
	r, err := a.Result()
	if err != nil {
		t.Fatalf("Result() = %v", err)
	}
	return r
}

// TestJobName checks that rows grouped by JOB_ID carry the smallest
// non-empty job name, in byte order, among their sessions, and that other
// rows carry none.
func TestJobName(t *testing.T) {
	job := func(day, hour int, id, name string) sessionagg.Session {
		return sessionagg.Session{Start: aggAt(day, hour), End: aggAt(day, hour+1), JobID: id, JobName: name}
	}
	tests := []struct {
		reason   string
		groupBy  []sessionagg.Field
		sessions []sessionagg.Session
		want     []string // the rows' job names, in order
	}{
		{"the smallest name wins", []sessionagg.Field{sessionagg.JobID},
			[]sessionagg.Session{job(1, 1, "j", "render"), job(1, 2, "j", "bake"), job(1, 3, "j", "zz")}, []string{"bake"}},
		{"empty names do not count", []sessionagg.Field{sessionagg.JobID},
			[]sessionagg.Session{job(1, 1, "j", ""), job(1, 2, "j", "render"), job(1, 3, "j", "")}, []string{"render"}},
		{"all names empty", []sessionagg.Field{sessionagg.JobID},
			[]sessionagg.Session{job(1, 1, "j", ""), job(1, 2, "j", "")}, []string{""}},
		{"byte order: upper case first", []sessionagg.Field{sessionagg.JobID},
			[]sessionagg.Session{job(1, 1, "j", "render"), job(1, 2, "j", "Render")}, []string{"Render"}},
		{"per row: each bucket and job has its own", []sessionagg.Field{sessionagg.JobID},
			[]sessionagg.Session{job(1, 1, "a", "x"), job(1, 2, "b", "w"), job(2, 1, "a", "y")}, []string{"x", "w", "y"}},
		{"a session across midnight names both rows", []sessionagg.Field{sessionagg.QueueID, sessionagg.JobID},
			[]sessionagg.Session{{Start: aggAt(1, 23), End: aggAt(2, 1), JobID: "j", JobName: "late"}, job(2, 5, "j", "more")}, []string{"late", "late"}},
		{"not grouped by job: no name", []sessionagg.Field{sessionagg.QueueID},
			[]sessionagg.Session{job(1, 1, "j", "render")}, []string{""}},
		{"ungrouped: no name", nil,
			[]sessionagg.Session{job(1, 1, "j", "render")}, []string{""}},
	}
	for _, tt := range tests {
		for _, order := range [][]sessionagg.Session{tt.sessions, aggReversed(tt.sessions)} {
			r := aggRun(t, sessionagg.Query{GroupBy: tt.groupBy}, order)
			var got []string
			for row := range r.Rows() {
				got = append(got, row.JobName)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: job names (-want +got):\n%s", tt.reason, diff)
			}
		}
	}
}

func aggReversed(s []sessionagg.Session) []sessionagg.Session {
	s = slices.Clone(s)
	slices.Reverse(s)
	return s
}

// aggSummary is the part of a row that the edge-case tests check.
type aggSummary struct {
	Start, End string
	Count      int64
	Runtime    float64
	Cost       float64
}

func aggSummaries(r *sessionagg.Result) []aggSummary {
	var out []aggSummary
	for row := range r.Rows() {
		out = append(out, aggSummary{
			row.Start.Format(time.RFC3339Nano), row.End.Format(time.RFC3339Nano),
			row.Count, row.RuntimeInSeconds.Sum(), row.CostInUSD.Sum(),
		})
	}
	return out
}

// TestEdges checks zero-length sessions, sessions on bucket edges and
// windows that cut sessions, daily in UTC.
func TestEdges(t *testing.T) {
	day := func(d int) string { return aggAt(d, 0).Format(time.RFC3339) }
	window := sessionagg.Query{Start: aggAt(2, 0), End: aggAt(4, 0)}
	ns := time.Nanosecond
	tests := []struct {
		reason  string
		q       sessionagg.Query
		session sessionagg.Session
		want    []aggSummary
	}{
		{"zero length at the window start: counted once, with its whole cost",
			window, sessionagg.Session{Start: aggAt(2, 0), End: aggAt(2, 0), CostInUSD: 5},
			[]aggSummary{{day(2), day(3), 1, 0, 5}}},
		{"zero length at the window end: not in [start, end)",
			window, sessionagg.Session{Start: aggAt(4, 0), End: aggAt(4, 0), CostInUSD: 5}, nil},
		{"zero length before the window",
			window, sessionagg.Session{Start: aggAt(1, 12), End: aggAt(1, 12), CostInUSD: 5}, nil},
		{"zero length on a bucket edge: in the bucket that starts there",
			window, sessionagg.Session{Start: aggAt(3, 0), End: aggAt(3, 0), CostInUSD: 5},
			[]aggSummary{{day(3), day(4), 1, 0, 5}}},
		{"zero length, open window",
			sessionagg.Query{}, sessionagg.Session{Start: aggAt(9, 7), End: aggAt(9, 7), CostInUSD: 2},
			[]aggSummary{{day(9), day(10), 1, 0, 2}}},
		{"zero length, window open at the end, at its start",
			sessionagg.Query{Start: aggAt(2, 0)}, sessionagg.Session{Start: aggAt(2, 0), End: aggAt(2, 0), CostInUSD: 2},
			[]aggSummary{{day(2), day(3), 1, 0, 2}}},
		{"zero length, window open at the start, at its end",
			sessionagg.Query{End: aggAt(4, 0)}, sessionagg.Session{Start: aggAt(4, 0), End: aggAt(4, 0), CostInUSD: 2}, nil},
		{"exactly one bucket: one piece, none of length 0 in the next",
			window, sessionagg.Session{Start: aggAt(2, 0), End: aggAt(3, 0), CostInUSD: 24},
			[]aggSummary{{day(2), day(3), 1, 86400, 24}}},
		{"ends at the window start: nothing",
			window, sessionagg.Session{Start: aggAt(1, 12), End: aggAt(2, 0), CostInUSD: 1}, nil},
		{"starts at the window end: nothing",
			window, sessionagg.Session{Start: aggAt(4, 0), End: aggAt(4, 6), CostInUSD: 1}, nil},
		{"cut by the window start: cost prorated over the whole session",
			window, sessionagg.Session{Start: aggAt(1, 12), End: aggAt(2, 6), CostInUSD: 18},
			[]aggSummary{{day(2), day(3), 1, 6 * 3600, 6}}},
		{"cut on both sides",
			window, sessionagg.Session{Start: aggAt(1, 0), End: aggAt(5, 0), CostInUSD: 96},
			[]aggSummary{{day(2), day(3), 1, 86400, 24}, {day(3), day(4), 1, 86400, 24}}},
		{"a window inside one bucket: the row is the window",
			sessionagg.Query{Start: aggAt(2, 6), End: aggAt(2, 18)}, sessionagg.Session{Start: aggAt(2, 0), End: aggAt(3, 0), CostInUSD: 24},
			[]aggSummary{{aggAt(2, 6).Format(time.RFC3339), aggAt(2, 18).Format(time.RFC3339), 1, 12 * 3600, 12}}},
		{"two nanoseconds across midnight: two pieces of one",
			sessionagg.Query{}, sessionagg.Session{Start: aggAt(3, 0).Add(-ns), End: aggAt(3, 0).Add(ns), CostInUSD: 1},
			[]aggSummary{{day(2), day(3), 1, 1e-9, 0.5}, {day(3), day(4), 1, 1e-9, 0.5}}},
		{"window edges with nanoseconds",
			sessionagg.Query{Start: aggAt(2, 0).Add(ns), End: aggAt(3, 0).Add(ns)}, sessionagg.Session{Start: aggAt(2, 0), End: aggAt(4, 0), CostInUSD: 2},
			[]aggSummary{
				{aggAt(2, 0).Add(ns).Format(time.RFC3339Nano), day(3), 1, 86400 - 1e-9, (86400 - 1e-9) / 86400},
				{day(3), aggAt(3, 0).Add(ns).Format(time.RFC3339Nano), 1, 1e-9, 1e-9 / 86400},
			}},
	}
	for _, tt := range tests {
		got := aggSummaries(aggRun(t, tt.q, []sessionagg.Session{tt.session}))
		if diff := cmp.Diff(tt.want, got, aggApprox); diff != "" {
			t.Errorf("%s: rows (-want +got):\n%s", tt.reason, diff)
		}
	}
}

// TestLimits checks MaxRows and MaxBuckets: exceeding them is an error
// wrapping ErrTooLarge that leaves the aggregator unusable, reaching them
// is not, and a session of a thousand years fails after MaxBuckets pieces
// rather than after millions.
func TestLimits(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	long := sessionagg.Session{Start: aggAt(1, 0), End: aggAt(1, 0).AddDate(1000, 0, 0), CostInUSD: 1}
	queue := func(q string, day int) sessionagg.Session {
		return sessionagg.Session{Start: aggAt(day, 1), End: aggAt(day, 2), QueueID: q}
	}
	byQueue := []sessionagg.Field{sessionagg.QueueID}
	tests := []struct {
		reason   string
		q        sessionagg.Query
		sessions []sessionagg.Session
		tooLarge bool
	}{
		{"a thousand years of hours, open window", sessionagg.Query{Period: sessionagg.Hourly, MaxBuckets: 1000},
			[]sessionagg.Session{long}, true},
		{"a thousand years of hours in New York, open window", sessionagg.Query{Period: sessionagg.Hourly, Location: ny, MaxBuckets: 1000},
			[]sessionagg.Session{long}, true},
		{"a thousand years of hours, window open at the end", sessionagg.Query{Start: aggAt(1, 0), Period: sessionagg.Hourly, MaxBuckets: 1000},
			[]sessionagg.Session{long}, true},
		{"a thousand years of months, MaxRows", sessionagg.Query{Period: sessionagg.Monthly, MaxRows: 100},
			[]sessionagg.Session{long}, true},
		{"exactly MaxBuckets pieces", sessionagg.Query{Period: sessionagg.Hourly, MaxBuckets: 24},
			[]sessionagg.Session{{Start: aggAt(1, 0), End: aggAt(2, 0)}}, false},
		{"one piece more than MaxBuckets", sessionagg.Query{Period: sessionagg.Hourly, MaxBuckets: 24},
			[]sessionagg.Session{{Start: aggAt(1, 0), End: aggAt(2, 0).Add(time.Nanosecond)}}, true},
		{"sessions far apart span too many buckets, UTC", sessionagg.Query{MaxBuckets: 100},
			[]sessionagg.Session{queue("a", 1), {Start: aggAt(1, 1).AddDate(2, 0, 0), End: aggAt(1, 2).AddDate(2, 0, 0)}}, true},
		{"sessions far apart span too many buckets, New York", sessionagg.Query{Location: ny, MaxBuckets: 100},
			[]sessionagg.Session{queue("a", 1), {Start: aggAt(1, 1).AddDate(2, 0, 0), End: aggAt(1, 2).AddDate(2, 0, 0)}}, true},
		{"sessions far apart, the later first, New York", sessionagg.Query{Location: ny, MaxBuckets: 100},
			[]sessionagg.Session{{Start: aggAt(1, 1).AddDate(2, 0, 0), End: aggAt(1, 2).AddDate(2, 0, 0)}, queue("a", 1)}, true},
		{"sessions spanning exactly MaxBuckets days, New York", sessionagg.Query{Location: ny, MaxBuckets: 10},
			[]sessionagg.Session{queue("a", 1), queue("a", 10), queue("b", 5)}, false},
		{"sessions spanning MaxBuckets+1 days, New York", sessionagg.Query{Location: ny, MaxBuckets: 10},
			[]sessionagg.Session{queue("a", 1), queue("b", 5), queue("a", 11)}, true},
		{"exactly MaxRows rows", sessionagg.Query{GroupBy: byQueue, MaxRows: 3},
			[]sessionagg.Session{queue("a", 1), queue("b", 1), queue("a", 2), queue("b", 1)}, false},
		{"one row more than MaxRows", sessionagg.Query{GroupBy: byQueue, MaxRows: 3},
			[]sessionagg.Session{queue("a", 1), queue("b", 1), queue("a", 2), queue("c", 1)}, true},
	}
	for _, tt := range tests {
		a, err := sessionagg.NewAggregator(tt.q)
		if err != nil {
			t.Fatalf("%s: NewAggregator = %v", tt.reason, err)
		}
		for _, s := range tt.sessions {
			if err = a.Add(s); err != nil {
				break
			}
		}
		if !tt.tooLarge {
			if err != nil {
				t.Errorf("%s: Add = %v, want nil", tt.reason, err)
			}
			continue
		}
		if !errors.Is(err, sessionagg.ErrTooLarge) {
			t.Errorf("%s: Add = %v, want an error wrapping ErrTooLarge", tt.reason, err)
			continue
		}
		if !strings.Contains(err.Error(), "shorten the window or lengthen the period") {
			t.Errorf("%s: Add = %q, want it to say what to do", tt.reason, err)
		}
		if err2 := a.Add(tt.sessions[0]); !errors.Is(err2, sessionagg.ErrTooLarge) {
			t.Errorf("%s: Add after ErrTooLarge = %v, want the same error", tt.reason, err2)
		}
		if _, err2 := a.Result(); !errors.Is(err2, sessionagg.ErrTooLarge) {
			t.Errorf("%s: Result after ErrTooLarge = %v, want the same error", tt.reason, err2)
		}
		if _, err := sessionagg.Aggregate(tt.q, slices.Values(tt.sessions)); !errors.Is(err, sessionagg.ErrTooLarge) {
			t.Errorf("%s: Aggregate = %v, want an error wrapping ErrTooLarge", tt.reason, err)
		}
	}
}

// TestMergeLimits checks that merging shards checks the limits that
// adding their sessions to one aggregator would have: merged rows beyond
// MaxRows, and with an open window merged buckets beyond MaxBuckets.
func TestMergeLimits(t *testing.T) {
	far := []sessionagg.Session{
		{Start: aggAt(1, 1), End: aggAt(1, 2), QueueID: "a"},
		{Start: aggAt(1, 1).AddDate(2, 0, 0), End: aggAt(1, 2).AddDate(2, 0, 0), QueueID: "b"},
	}
	tests := []struct {
		reason string
		q      sessionagg.Query
	}{
		{"rows", sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}, MaxRows: 1}},
		{"buckets", sessionagg.Query{MaxBuckets: 100}},
	}
	for _, tt := range tests {
		a, _ := sessionagg.NewAggregator(tt.q)
		b, _ := sessionagg.NewAggregator(tt.q)
		if err := a.Add(far[0]); err != nil {
			t.Fatal(err)
		}
		if err := b.Add(far[1]); err != nil {
			t.Fatal(err)
		}
		if err := a.Merge(b); !errors.Is(err, sessionagg.ErrTooLarge) {
			t.Errorf("%s: Merge = %v, want an error wrapping ErrTooLarge", tt.reason, err)
		}
		// AggregateParallel merges shards of 4096 sessions or more.
		many := slices.Repeat(far[:1], 5000)
		many = append(many, slices.Repeat(far[1:], 5000)...)
		if _, err := sessionagg.AggregateParallel(tt.q, many); !errors.Is(err, sessionagg.ErrTooLarge) {
			t.Errorf("%s: AggregateParallel = %v, want an error wrapping ErrTooLarge", tt.reason, err)
		}
	}
}

// TestAddAllocs checks that adding sessions to rows that exist allocates
// nothing: memory grows with rows, not with sessions.
func TestAddAllocs(t *testing.T) {
	utc8, _ := sessionagg.ParseTimezone("UTC+8")
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var sessions []sessionagg.Session
	for i := range 10_000 {
		start := aggAt(1, 0).Add(time.Duration(i%500) * 17 * time.Minute)
		sessions = append(sessions, sessionagg.Session{
			Start: start, End: start.Add(time.Duration(i%7) * 25 * time.Minute), CostInUSD: float64(i % 13),
			QueueID: aggQueues[i%len(aggQueues)], UserID: aggUsers[i%len(aggUsers)], JobID: aggJobs[i%3], JobName: aggNames[i%5],
		})
	}
	for _, q := range []sessionagg.Query{
		{Period: sessionagg.Hourly, Location: utc8, GroupBy: []sessionagg.Field{sessionagg.QueueID}},
		{Period: sessionagg.Daily, Location: utc8, GroupBy: []sessionagg.Field{sessionagg.QueueID, sessionagg.UserID, sessionagg.JobID}},
		{Period: sessionagg.Monthly, Location: ny, Start: aggAt(1, 0), End: aggAt(30, 0)},
		{Period: sessionagg.Hourly, Location: ny, QueueIDs: []string{"q-1", "q-2"}, MaxBuckets: 10000, MaxRows: 10000},
	} {
		a, err := sessionagg.NewAggregator(q)
		if err != nil {
			t.Fatal(err)
		}
		add := func() {
			for _, s := range sessions {
				if err := a.Add(s); err != nil {
					t.Fatal(err)
				}
			}
		}
		add() // make the rows
		if allocs := testing.AllocsPerRun(3, add); allocs != 0 {
			t.Errorf("%s: adding %d sessions to existing rows allocated %v times, want 0", aggDescribe(q), len(sessions), allocs)
		}
	}
}

// TestResultJSON checks Result.MarshalJSON: valid JSON in the cloud API's
// shape, with only the requested statistics, labels only for the
// group-by fields (and jobName with JOB_ID), and times in the query's
// zone.
func TestResultJSON(t *testing.T) {
	utc8, _ := sessionagg.ParseTimezone("UTC+8")
	sessions := []sessionagg.Session{
		{Start: aggAt(1, 9), End: aggAt(1, 12), CostInUSD: 3, QueueID: "q-1", UserID: "u\"1", JobID: "j", JobName: "n<1>"},
		{Start: aggAt(1, 23), End: aggAt(2, 1), CostInUSD: 2, QueueID: "q-2", UserID: "u-2", FleetID: "f"},
	}
	tests := []struct {
		reason string
		q      sessionagg.Query
		labels []string // the keys of a row besides the statistics and times
		stats  []string
	}{
		{"ungrouped, all statistics", sessionagg.Query{}, nil, []string{"avg", "max", "min", "sum"}},
		{"by queue and user, sum and max", sessionagg.Query{
			GroupBy:    []sessionagg.Field{sessionagg.UserID, sessionagg.QueueID},
			Statistics: []sessionagg.Statistic{sessionagg.Sum, sessionagg.Max},
			Location:   utc8,
		}, []string{"queueId", "userId"}, []string{"max", "sum"}},
		{"by job: with its name", sessionagg.Query{
			GroupBy: []sessionagg.Field{sessionagg.JobID}, Statistics: []sessionagg.Statistic{sessionagg.Avg},
		}, []string{"jobId", "jobName"}, []string{"avg"}},
		{"every field", sessionagg.Query{GroupBy: aggFields, Statistics: []sessionagg.Statistic{sessionagg.Min}},
			[]string{"fleetId", "instanceType", "jobId", "jobName", "licenseProduct", "queueId", "usageType", "userId"}, []string{"min"}},
	}
	for _, tt := range tests {
		r := aggRun(t, tt.q, sessions)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("%s: json.Marshal = %v", tt.reason, err)
		}
		if !json.Valid(b) {
			t.Fatalf("%s: MarshalJSON = %s, not valid JSON", tt.reason, b)
		}
		var doc struct {
			Statistics []map[string]json.RawMessage
			Status     string
			NextToken  *string
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: json.Unmarshal(%s) = %v", tt.reason, b, err)
		}
		if doc.Status != "COMPLETED" || doc.NextToken != nil || len(doc.Statistics) != r.Len() {
			t.Errorf("%s: %s: want status COMPLETED, no nextToken and %d rows", tt.reason, b, r.Len())
		}
		rows := slices.Collect(r.Rows())
		for i, m := range doc.Statistics {
			wantKeys := append([]string{"aggregationEndTime", "aggregationStartTime", "costInUsd", "count", "runtimeInSeconds"}, tt.labels...)
			slices.Sort(wantKeys)
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if diff := cmp.Diff(wantKeys, keys); diff != "" {
				t.Errorf("%s: row %d keys (-want +got):\n%s", tt.reason, i, diff)
			}
			for _, k := range []string{"costInUsd", "runtimeInSeconds"} {
				var s map[string]float64
				if err := json.Unmarshal(m[k], &s); err != nil {
					t.Fatalf("%s: %s = %s: %v", tt.reason, k, m[k], err)
				}
				var got []string
				for name := range s {
					got = append(got, name)
				}
				slices.Sort(got)
				if diff := cmp.Diff(tt.stats, got); diff != "" {
					t.Errorf("%s: row %d %s statistics (-want +got):\n%s", tt.reason, i, k, diff)
				}
			}
			for _, f := range aggFields {
				key := map[sessionagg.Field]string{
					sessionagg.QueueID: "queueId", sessionagg.FleetID: "fleetId", sessionagg.JobID: "jobId",
					sessionagg.UserID: "userId", sessionagg.UsageType: "usageType", sessionagg.InstanceType: "instanceType",
					sessionagg.LicenseProduct: "licenseProduct",
				}[f]
				if raw, ok := m[key]; ok {
					var v string
					if err := json.Unmarshal(raw, &v); err != nil || v != rows[i].Label(f) {
						t.Errorf("%s: row %d %s = %s, want %q", tt.reason, i, key, raw, rows[i].Label(f))
					}
				}
			}
			for _, k := range []string{"aggregationStartTime", "aggregationEndTime"} {
				var s string
				json.Unmarshal(m[k], &s)
				tm, err := time.Parse(time.RFC3339Nano, s)
				want := rows[i].Start
				if k == "aggregationEndTime" {
					want = rows[i].End
				}
				_, wantOff := want.Zone()
				_, off := tm.Zone()
				if err != nil || !tm.Equal(want) || off != wantOff {
					t.Errorf("%s: row %d %s = %q, want %v in the query's zone", tt.reason, i, k, s, want)
				}
			}
		}
	}
}

// TestWorkedExamples checks the worked examples of the specification
// through Aggregate.
func TestWorkedExamples(t *testing.T) {
	zone := func(s string) *time.Location {
		loc, err := sessionagg.ParseTimezone(s)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	iana := func(s string) *time.Location {
		loc, err := time.LoadLocation(s)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	utc := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }
	in := func(loc *time.Location, m time.Month, d, h, min int) time.Time {
		return time.Date(2026, m, d, h, min, 0, 0, loc)
	}
	utcm3, ny, lh, havana := zone("UTC-3"), iana("America/New_York"), iana("Australia/Lord_Howe"), iana("America/Havana")
	s := func(start, end time.Time, cost float64) sessionagg.Session {
		return sessionagg.Session{Start: start, End: end, CostInUSD: cost}
	}
	tests := []struct {
		reason   string
		q        sessionagg.Query
		sessions []sessionagg.Session
		want     []aggSummary
	}{
		{"1. daily UTC: 3 sessions on day 1 (13 h), 1 on day 2 (1 h)",
			sessionagg.Query{Period: sessionagg.Daily},
			[]sessionagg.Session{s(utc(3, 1, 9, 0), utc(3, 1, 12, 0), 0), s(utc(3, 1, 13, 0), utc(3, 1, 21, 0), 0), s(utc(3, 1, 22, 0), utc(3, 2, 1, 0), 0)},
			[]aggSummary{
				{"2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", 3, 13 * 3600, 0},
				{"2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", 1, 3600, 0},
			}},
		{"2. hourly UTC+05:30: split at local 16:00, 17:00, 18:00",
			sessionagg.Query{Period: sessionagg.Hourly, Location: zone("UTC+05:30")},
			[]sessionagg.Session{s(utc(3, 1, 10, 15), utc(3, 1, 12, 45), 0)},
			[]aggSummary{
				{"2026-03-01T15:00:00+05:30", "2026-03-01T16:00:00+05:30", 1, 15 * 60, 0},
				{"2026-03-01T16:00:00+05:30", "2026-03-01T17:00:00+05:30", 1, 3600, 0},
				{"2026-03-01T17:00:00+05:30", "2026-03-01T18:00:00+05:30", 1, 3600, 0},
				{"2026-03-01T18:00:00+05:30", "2026-03-01T19:00:00+05:30", 1, 15 * 60, 0},
			}},
		{"3. weekly UTC: 1 h in each ISO week",
			sessionagg.Query{Period: sessionagg.Weekly},
			[]sessionagg.Session{s(utc(3, 1, 23, 0), utc(3, 2, 1, 0), 0)},
			[]aggSummary{
				{"2026-02-23T00:00:00Z", "2026-03-02T00:00:00Z", 1, 3600, 0},
				{"2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", 1, 3600, 0},
			}},
		{"3. weekly UTC+8: wholly in the week of Monday 2026-03-02",
			sessionagg.Query{Period: sessionagg.Weekly, Location: zone("UTC+8")},
			[]sessionagg.Session{s(utc(3, 1, 23, 0), utc(3, 2, 1, 0), 0)},
			[]aggSummary{{"2026-03-02T00:00:00+08:00", "2026-03-09T00:00:00+08:00", 1, 7200, 0}}},
		{"4. monthly UTC-3: January 2 h / 2 USD, February 2 h / 2 USD",
			sessionagg.Query{Period: sessionagg.Monthly, Location: utcm3},
			[]sessionagg.Session{s(in(utcm3, 1, 31, 22, 0), in(utcm3, 2, 1, 2, 0), 4)},
			[]aggSummary{
				{"2026-01-01T00:00:00-03:00", "2026-02-01T00:00:00-03:00", 1, 7200, 2},
				{"2026-02-01T00:00:00-03:00", "2026-03-01T00:00:00-03:00", 1, 7200, 2},
			}},
		{"5. daily New York: 23-hour and 25-hour days",
			sessionagg.Query{Period: sessionagg.Daily, Location: ny},
			[]sessionagg.Session{s(in(ny, 3, 8, 0, 0), in(ny, 3, 9, 0, 0), 0), s(in(ny, 11, 1, 0, 0), in(ny, 11, 2, 0, 0), 0)},
			[]aggSummary{
				{"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 1, 82800, 0},
				{"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 1, 90000, 0},
			}},
		{"6. hourly Lord Howe: a 90-minute hour and a 30-minute one",
			sessionagg.Query{Period: sessionagg.Hourly, Location: lh},
			[]sessionagg.Session{
				s(in(lh, 4, 5, 1, 0), in(lh, 4, 5, 1, 0).Add(90*time.Minute), 0),
				s(time.Date(2026, 10, 4, 2, 30, 0, 0, time.FixedZone("", 11*3600)), time.Date(2026, 10, 4, 3, 0, 0, 0, time.FixedZone("", 11*3600)), 0),
			},
			[]aggSummary{
				{"2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30", 1, 5400, 0},
				{"2026-10-04T02:30:00+11:00", "2026-10-04T03:00:00+11:00", 1, 1800, 0},
			}},
		{"7. daily Havana: 2026-11-01 is one 25-hour day",
			sessionagg.Query{Period: sessionagg.Daily, Location: havana},
			[]sessionagg.Session{s(in(havana, 11, 1, 0, 0), in(havana, 11, 2, 0, 0), 0)},
			[]aggSummary{{"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 1, 90000, 0}}},
	}
	for _, tt := range tests {
		got := aggSummaries(aggRun(t, tt.q, tt.sessions))
		if diff := cmp.Diff(tt.want, got, aggApprox); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
		}
	}
}

// TestAggregateParallel checks that AggregateParallel, with enough
// sessions to cut them into shards, gives the rows of Aggregate.
func TestAggregateParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var sessions []sessionagg.Session
	for i := range 20_000 {
		start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i*7919%(40*24*60)) * time.Minute)
		sessions = append(sessions, sessionagg.Session{
			Start: start, End: start.Add(time.Duration(i%97) * 13 * time.Minute), CostInUSD: float64(i%11) / 3,
			QueueID: aggQueues[i%len(aggQueues)], JobID: aggJobs[i%len(aggJobs)], JobName: aggNames[i/3%len(aggNames)],
		})
	}
	for _, q := range []sessionagg.Query{
		{Period: sessionagg.Hourly, Location: ny, GroupBy: []sessionagg.Field{sessionagg.QueueID, sessionagg.JobID}},
		{Period: sessionagg.Weekly, Start: aggAt(3, 0), End: aggAt(25, 0)},
	} {
		want := aggRows(aggRun(t, q, sessions))
		got, err := sessionagg.AggregateParallel(q, sessions)
		if err != nil {
			t.Fatalf("AggregateParallel(%s) = %v", aggDescribe(q), err)
		}
		if diff := cmp.Diff(want, aggRows(got), aggApprox); diff != "" {
			t.Errorf("AggregateParallel(%s) (-want +got):\n%s", aggDescribe(q), diff)
		}
	}
	// A bad session in the last shard is named by its number in the
	// whole slice, as Aggregate names it.
	bad := slices.Clone(sessions)
	bad[17_321].CostInUSD = -1
	q := sessionagg.Query{Period: sessionagg.Daily}
	_, want := sessionagg.Aggregate(q, slices.Values(bad))
	_, got := sessionagg.AggregateParallel(q, bad)
	if !errors.Is(got, sessionagg.ErrInvalidSession) || fmt.Sprint(got) != fmt.Sprint(want) || !strings.HasPrefix(fmt.Sprint(got), "session 17321: ") {
		t.Errorf("AggregateParallel with session 17321 bad = %v, want %v", got, want)
	}
	// A limit that only all the sessions before the bad one exceed: the
	// shards, each within it, would stop at the bad session instead.
	for i := range bad {
		bad[i].QueueID = aggQueues[min(i*len(aggQueues)/len(bad), 1)]
	}
	q = sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}, MaxRows: 1}
	_, want = sessionagg.Aggregate(q, slices.Values(bad))
	_, got = sessionagg.AggregateParallel(q, bad)
	if !errors.Is(want, sessionagg.ErrTooLarge) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("AggregateParallel with MaxRows 1 and two queues = %v, want %v, an ErrTooLarge", got, want)
	}
}

// TestQueryIsACopy checks that the Query of an Aggregator or a Result is a
// copy: changing its slices changes neither, and cannot make them panic.
func TestQueryIsACopy(t *testing.T) {
	a, err := sessionagg.NewAggregator(sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}, Statistics: []sessionagg.Statistic{sessionagg.Sum}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Add(sessionagg.Session{Start: aggAt(1, 10), End: aggAt(1, 11), QueueID: "q1"}); err != nil {
		t.Fatal(err)
	}
	a.Query().GroupBy[0] = sessionagg.UserID
	a.Query().Statistics[0] = sessionagg.Min
	if q := a.Query(); q.GroupBy[0] != sessionagg.QueueID || q.Statistics[0] != sessionagg.Sum {
		t.Errorf("Aggregator.Query() after changing a copy = %v, %v; want [QUEUE_ID], [SUM]", q.GroupBy, q.Statistics)
	}
	r, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	r.Query().GroupBy[0] = 200
	if q := r.Query(); q.GroupBy[0] != sessionagg.QueueID {
		t.Errorf("Result.Query() after changing a copy = %v, want [QUEUE_ID]", q.GroupBy)
	}
	b, err := r.MarshalJSON()
	if err != nil || !strings.Contains(string(b), `"queueId":"q1"`) {
		t.Errorf("MarshalJSON = %s, %v; want a row of queue q1", b, err)
	}
}

// TestHugeCosts checks that costs up to MaxCostInUSD add up to a finite
// sum, which JSON and the binary form carry, and that a larger cost is an
// invalid session: 1e308 twice would sum to an infinity.
func TestHugeCosts(t *testing.T) {
	q := sessionagg.Query{}
	a, err := sessionagg.NewAggregator(q)
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := a.Add(sessionagg.Session{Start: aggAt(1, 10), End: aggAt(1, 11), CostInUSD: sessionagg.MaxCostInUSD}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	for row := range r.Rows() {
		if got, want := row.CostInUSD.Sum(), 4*sessionagg.MaxCostInUSD; got != want {
			t.Errorf("sum of 4 × MaxCostInUSD = %g, want %g", got, want)
		}
	}
	if b, err := r.MarshalJSON(); err != nil || !json.Valid(b) {
		t.Errorf("MarshalJSON = %s, %v; want valid JSON", b, err)
	}
	data, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sessionagg.NewAggregator(q)
	if err := b.UnmarshalBinary(data); err != nil {
		t.Errorf("UnmarshalBinary(MarshalBinary()) = %v", err)
	}
	err = a.Add(sessionagg.Session{Start: aggAt(1, 10), End: aggAt(1, 11), CostInUSD: 1e308})
	var fe *sessionagg.FieldError
	if !errors.Is(err, sessionagg.ErrInvalidSession) || !errors.As(err, &fe) || fe.Field != "costInUsd" {
		t.Errorf("Add(cost 1e308) = %v, want an invalid costInUsd", err)
	}
}
