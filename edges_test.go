package sessionagg_test

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// Tests of edge values: times at the ends of what time.Time holds, unset
// times, counts that overflow, limits, and the zero values of the API.

// allocated returns the bytes that f allocates.
func allocated(f func()) uint64 {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	f()
	runtime.ReadMemStats(&m1)
	return m1.TotalAlloc - m0.TotalAlloc
}

// TestSessionTimesAgree checks that Session.Validate, Aggregator.Add and
// the device and desktop reports agree on every session: an invalid one
// is an error naming the field, never a session silently dropped. Before,
// time.Unix(math.MaxInt64, 0), whose Unix seconds wrap, passed Validate
// (which used Before) and vanished in Aggregate (which used Unix).
func TestSessionTimesAgree(t *testing.T) {
	tests := []struct {
		reason     string
		start, end time.Time
		field      string // the field the error names, or "" for none
	}{
		{"the issue's session", time.Unix(math.MaxInt64, 0), time.Unix(0, 0), "startTime"},
		{"an end whose Unix seconds wrap", time.Unix(0, 0), time.Unix(math.MaxInt64-1e9, 0), "endTime"},
		{"an unset start", time.Time{}, aggAt(1, 9), "startTime"},
		{"an unset end", aggAt(1, 9), time.Time{}, "endTime"},
		{"both unset", time.Time{}, time.Time{}, "startTime"},
		{"the zero instant in another zone", time.Time{}.In(time.FixedZone("X", 3600)), aggAt(1, 9), "startTime"},
		{"a second after the zero time", time.Time{}.Add(time.Second), time.Time{}.Add(time.Hour), ""},
		{"an end before the start", aggAt(1, 9), aggAt(1, 8), "endTime"},
		{"an ordinary session", aggAt(1, 8), aggAt(1, 9), ""},
	}
	for _, tt := range tests {
		s := sessionagg.Session{Start: tt.start, End: tt.end}
		q := sessionagg.Query{Start: aggAt(1, 0), End: aggAt(2, 0)}
		if tt.start.Year() < 100 {
			q = sessionagg.Query{Period: sessionagg.Monthly}
		}
		_, aggErr := sessionagg.Aggregate(q, slices.Values([]sessionagg.Session{s}))
		_, devErr := sessionagg.AggregateDevices(sessionagg.DeviceQuery{}, slices.Values([]sessionagg.DeviceSession{{Start: tt.start, End: tt.end}}))
		_, deskErr := sessionagg.DesktopUsageReport(sessionagg.UsageQuery{Start: aggAt(1, 0), End: aggAt(2, 0)},
			slices.Values([]sessionagg.DesktopSession{{Start: tt.start, End: tt.end, ResourceID: "d"}}))
		for name, err := range map[string]error{"Validate": s.Validate(), "Aggregate": aggErr, "AggregateDevices": devErr, "DesktopUsageReport": deskErr} {
			var fe *sessionagg.FieldError
			switch {
			case tt.field == "" && err != nil && !errors.Is(err, sessionagg.ErrOutOfRange):
				t.Errorf("%s: %s = %v, want nil", tt.reason, name, err)
			case tt.field != "" && (!errors.Is(err, sessionagg.ErrInvalidSession) || !errors.As(err, &fe) || fe.Field != tt.field):
				t.Errorf("%s: %s = %v, want an ErrInvalidSession naming %s", tt.reason, name, err, tt.field)
			case tt.field != "" && strings.Contains(tt.reason, "unset") && !strings.Contains(err.Error(), "looks unset"):
				t.Errorf("%s: %s = %v, want it to say the time looks unset", tt.reason, name, err)
			}
		}
	}
}

// TestSessionTimesAgreeProperty checks, for times drawn near the ends of
// time.Time's range, near the zero time and near now, that Add rejects as
// invalid exactly the sessions that Validate rejects.
func TestSessionTimesAgreeProperty(t *testing.T) {
	instant := func(t *rapid.T, label string) time.Time {
		d := time.Duration(rapid.Int64Range(-1e6, 1e6).Draw(t, label+"Offset")) * time.Second
		switch rapid.IntRange(0, 4).Draw(t, label) {
		case 0:
			return time.Unix(math.MaxInt64-rapid.Int64Range(0, 1e12).Draw(t, label+"Back"), 0)
		case 1:
			return time.Unix(math.MinInt64+rapid.Int64Range(0, 1e12).Draw(t, label+"Ahead"), 0)
		case 2:
			return time.Time{}.Add(d)
		case 3:
			return time.Time{}
		}
		return aggAt(1, 0).Add(d)
	}
	rapid.Check(t, func(t *rapid.T) {
		s := sessionagg.Session{Start: instant(t, "start"), End: instant(t, "end")}
		a, _ := sessionagg.NewAggregator(sessionagg.Query{Period: sessionagg.Monthly, MaxBuckets: 100})
		addErr := a.Add(s)
		invalid := s.Validate() != nil
		if invalid != errors.Is(addErr, sessionagg.ErrInvalidSession) {
			t.Fatalf("[%v, %v): Validate = %v, Add = %v", s.Start, s.End, s.Validate(), addErr)
		}
		if !invalid && addErr == nil {
			if r, err := a.Result(); err == nil && r.Len() == 0 {
				t.Fatalf("[%v, %v): valid, added, and no row", s.Start, s.End)
			}
		}
	})
}

// TestPiecesNotNegative checks, for sessions whose ends are drawn from
// the whole range that Validate accepts, that every piece has a runtime
// and a cost of zero or more, and that the aggregator survives a round
// trip through its binary form. Before, the seconds between year 0 and
// some 292 billion years after 1970 wrapped around an int64: a session
// that Validate accepted got a negative length, and so a negative cost,
// which UnmarshalBinary then refused.
func TestPiecesNotNegative(t *testing.T) {
	instant := func(t *rapid.T, label string) time.Time {
		switch rapid.IntRange(0, 3).Draw(t, label) {
		case 0:
			return time.Unix(math.MaxInt64-62135596800-rapid.Int64Range(0, 1e12).Draw(t, label+"Back"), rapid.Int64Range(0, 1e9-1).Draw(t, label+"Nsec"))
		case 1:
			return time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC).Add(-time.Duration(rapid.Int64Range(0, 1e6).Draw(t, label+"Back")) * time.Second)
		case 2:
			return time.Unix(rapid.Int64().Draw(t, label+"Sec"), rapid.Int64Range(0, 1e9-1).Draw(t, label+"Nsec"))
		}
		return aggAt(1, 0).Add(time.Duration(rapid.Int64Range(-1e6, 1e6).Draw(t, label+"Offset")) * time.Second)
	}
	check := func(t tb, s sessionagg.Session, q sessionagg.Query) {
		a, _ := sessionagg.NewAggregator(q)
		if err := a.Add(s); err != nil {
			t.Fatalf("[%v, %v): Add = %v", s.Start, s.End, err)
		}
		r, err := a.Result()
		if err != nil {
			t.Fatalf("[%v, %v): Result = %v", s.Start, s.End, err)
		}
		for row := range r.Rows() {
			if row.RuntimeInSeconds.Min() < 0 || row.CostInUSD.Min() < 0 || row.CostInUSD.Sum() < 0 {
				t.Fatalf("[%v, %v): a row with runtime %v to %v, cost %v to %v", s.Start, s.End,
					row.RuntimeInSeconds.Min(), row.RuntimeInSeconds.Max(), row.CostInUSD.Min(), row.CostInUSD.Max())
			}
		}
		data, err := a.MarshalBinary()
		if err != nil {
			t.Fatalf("[%v, %v): MarshalBinary = %v", s.Start, s.End, err)
		}
		b, _ := sessionagg.NewAggregator(q)
		if err := b.UnmarshalBinary(data); err != nil {
			t.Fatalf("[%v, %v): UnmarshalBinary of MarshalBinary = %v", s.Start, s.End, err)
		}
	}
	q := sessionagg.Query{Start: aggAt(1, 0), End: aggAt(2, 0)}
	// The review's session.
	check(t, sessionagg.Session{Start: time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC), End: time.Unix(9223371974719179007, 0), CostInUSD: 1}, q)
	rapid.Check(t, func(t *rapid.T) {
		s := sessionagg.Session{Start: instant(t, "start"), End: instant(t, "end"), CostInUSD: 1}
		if s.End.Before(s.Start) {
			s.Start, s.End = s.End, s.Start
		}
		if s.Validate() != nil {
			t.Skip("invalid")
		}
		q.Period = rapid.SampledFrom([]sessionagg.Period{sessionagg.Hourly, sessionagg.Daily}).Draw(t, "period")
		check(t, s, q)
	})
}

// TestNegativeZeroCost checks that a cost of -0, which Validate accepts
// as zero, is aggregated as 0: no statistic of the row is -0, and its JSON
// writes 0. Before, min, max and avg were written "-0".
func TestNegativeZeroCost(t *testing.T) {
	s := sessionagg.Session{Start: aggAt(1, 9), End: aggAt(1, 10), CostInUSD: math.Copysign(0, -1)}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate = %v, want nil", err)
	}
	r, err := sessionagg.Aggregate(sessionagg.Query{}, slices.Values([]sessionagg.Session{s}))
	if err != nil {
		t.Fatal(err)
	}
	for row := range r.Rows() {
		c := row.CostInUSD
		if slices.ContainsFunc([]float64{c.Sum(), c.Min(), c.Max(), c.Avg()}, math.Signbit) {
			t.Errorf("cost sum %v, min %v, max %v, avg %v: want no -0", c.Sum(), c.Min(), c.Max(), c.Avg())
		}
	}
	a, _ := sessionagg.NewAggregator(sessionagg.Query{})
	if err := a.AddColumns(sessionagg.Columns{Unit: time.Second, Start: []int64{s.Start.Unix()}, End: []int64{s.End.Unix()}, CostInUSD: []float64{s.CostInUSD}}); err != nil {
		t.Fatal(err)
	}
	if data, err := a.MarshalBinary(); err != nil || a.UnmarshalBinary(data) != nil {
		t.Errorf("AddColumns of a cost of -0: the binary form does not round-trip (%v)", err)
	}
	data, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), ":-0") {
		t.Errorf("JSON %s: want no -0", data)
	}
}

// TestMergeCountOverflow checks that merging an Aggregator into itself
// until its count would overflow is an error wrapping ErrTooLarge that
// leaves it as it was. Before, the count went negative after 63 merges,
// and the row disappeared after 64.
func TestMergeCountOverflow(t *testing.T) {
	for _, q := range []sessionagg.Query{{}, {GroupBy: []sessionagg.Field{sessionagg.JobID}}} {
		a, _ := sessionagg.NewAggregator(q)
		a.Add(sessionagg.Session{Start: aggAt(1, 9), End: aggAt(1, 10), CostInUSD: 1, JobID: "j"})
		var err error
		merges := 0
		for ; merges < 70 && err == nil; merges++ {
			before := rows(t, a)
			if err = a.Merge(a); err != nil {
				if !errors.Is(err, sessionagg.ErrTooLarge) {
					t.Errorf("%v: Merge %d = %v, want ErrTooLarge", q.GroupBy, merges, err)
				}
				if diff := cmp.Diff(before, rows(t, a), statsCmp); diff != "" {
					t.Errorf("%v: Merge changed the receiver on error (-before +after):\n%s", q.GroupBy, diff)
				}
			}
		}
		if err == nil {
			t.Errorf("%v: 70 merges into itself, no error", q.GroupBy)
		}
		got := rows(t, a)
		if len(got) != 1 || got[0].Count != 1<<62 {
			t.Errorf("%v: after the last merge, rows %+v; want one, of count 2^62", q.GroupBy, got)
		}
	}
}

// TestDefaultBucketLimit checks that with no limit set, one session of a
// thousand years in an hourly query with an open window fails fast, with
// ErrTooLarge and an error that says how to raise the limit, in bounded
// memory; that a MaxBuckets raises the limit; and that NoLimit lifts it.
// Before, it took 2 GB (and 10,000 years, all the memory there was), and
// then 100 MB of rows that the limit stopped.
func TestDefaultBucketLimit(t *testing.T) {
	long := sessionagg.Session{Start: aggAt(1, 0), End: aggAt(1, 0).AddDate(1000, 0, 0)}
	var err error
	alloc := allocated(func() {
		_, err = sessionagg.Aggregate(sessionagg.Query{Period: sessionagg.Hourly}, slices.Values([]sessionagg.Session{long}))
	})
	if !errors.Is(err, sessionagg.ErrTooLarge) || !strings.Contains(err.Error(), "MaxBuckets") {
		t.Errorf("a thousand years of hours: Aggregate = %v, want ErrTooLarge naming MaxBuckets", err)
	}
	// The session's buckets are counted before its rows are made: it
	// fails having allocated nothing for them (before, 100 MB).
	if alloc > 1<<20 {
		t.Errorf("a thousand years of hours: %d KB allocated to fail", alloc>>10)
	}
	// 200 years of days are fewer buckets than the default allows.
	twoCenturies := sessionagg.Session{Start: aggAt(1, 0), End: aggAt(1, 0).AddDate(200, 0, 0)}
	if _, err := sessionagg.Aggregate(sessionagg.Query{}, slices.Values([]sessionagg.Session{twoCenturies})); err != nil {
		t.Errorf("two centuries of days: %v", err)
	}
	// Two sessions far apart, and the default bounds their span too.
	far := []sessionagg.Session{{Start: aggAt(1, 0), End: aggAt(1, 1)}, {Start: aggAt(1, 0).AddDate(200, 0, 0), End: aggAt(1, 0).AddDate(200, 0, 0).Add(time.Hour)}}
	if _, err := sessionagg.Aggregate(sessionagg.Query{Period: sessionagg.Hourly}, slices.Values(far)); !errors.Is(err, sessionagg.ErrTooLarge) {
		t.Errorf("hours 200 years apart: %v, want ErrTooLarge", err)
	}
	for _, q := range []sessionagg.Query{
		{Period: sessionagg.Hourly, MaxBuckets: 2_000_000},
		{Period: sessionagg.Hourly, MaxBuckets: sessionagg.NoLimit},
	} {
		r, err := sessionagg.Aggregate(q, slices.Values(far))
		if err != nil || r.Len() != 2 {
			t.Errorf("hours 200 years apart, MaxBuckets %d: %v", q.MaxBuckets, err)
		}
	}
	// A window bounded on both sides has no default: its buckets are the
	// caller's choice.
	bounded := sessionagg.Query{Start: aggAt(1, 0), End: aggAt(1, 0).AddDate(200, 0, 0), Period: sessionagg.Hourly}
	if _, err := sessionagg.Aggregate(bounded, slices.Values(far)); err != nil {
		t.Errorf("hours 200 years apart in a bounded window: %v", err)
	}
}

// TestRowYears checks that rows whose times RFC 3339 cannot write, before
// year 1 or from year 10000 on, are refused with ErrOutOfRange. Before,
// they were written as "10000-01-01T…" and "-0001-12-31T…".
func TestRowYears(t *testing.T) {
	tests := []struct {
		reason string
		q      sessionagg.Query
		s      sessionagg.Session
		ok     bool
	}{
		{"the last day of year 9999", sessionagg.Query{}, sessionagg.Session{Start: time.Date(9999, 12, 31, 1, 0, 0, 0, time.UTC), End: time.Date(9999, 12, 31, 2, 0, 0, 0, time.UTC)}, false},
		{"the last hour of year 9999", sessionagg.Query{Period: sessionagg.Hourly}, sessionagg.Session{Start: time.Date(9999, 12, 31, 22, 0, 0, 0, time.UTC), End: time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)}, true},
		{"a day in year 10000", sessionagg.Query{}, sessionagg.Session{Start: time.Date(10000, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(10000, 3, 1, 1, 0, 0, 0, time.UTC)}, false},
		{"a day of year 0", sessionagg.Query{}, sessionagg.Session{Start: time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(0, 3, 1, 1, 0, 0, 0, time.UTC)}, false},
		{"the first day of year 1, after its first second", sessionagg.Query{}, sessionagg.Session{Start: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), End: time.Date(1, 1, 1, 1, 0, 0, 0, time.UTC)}, true},
		{"year 9999 in UTC, 10000 in UTC+8", sessionagg.Query{Location: time.FixedZone("UTC+08:00", 8*3600), Period: sessionagg.Hourly},
			sessionagg.Session{Start: time.Date(9999, 12, 31, 20, 0, 0, 0, time.UTC), End: time.Date(9999, 12, 31, 21, 0, 0, 0, time.UTC)}, false},
		{"a window clips the session to year 9999", sessionagg.Query{End: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
			sessionagg.Session{Start: time.Date(9999, 12, 30, 1, 0, 0, 0, time.UTC), End: time.Date(10000, 1, 2, 0, 0, 0, 0, time.UTC)}, true},
	}
	for _, tt := range tests {
		a, _ := sessionagg.NewAggregator(tt.q)
		err := a.Add(tt.s)
		r, resultErr := a.Result()
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: Add = %v, want nil", tt.reason, err)
		case tt.ok:
			if _, err := r.MarshalJSON(); err != nil {
				t.Errorf("%s: MarshalJSON = %v", tt.reason, err)
			}
		// Refused when added, leaving the aggregator as it was: before,
		// only Result failed, and nothing could be marshalled or paged.
		case !errors.Is(err, sessionagg.ErrOutOfRange):
			t.Errorf("%s: Add = %v, want ErrOutOfRange", tt.reason, err)
		case resultErr != nil || r.Len() != 0:
			t.Errorf("%s: after the refused Add, Result = %d rows, %v; want none, nil", tt.reason, r.Len(), resultErr)
		}
		// So does AddColumns.
		a, _ = sessionagg.NewAggregator(tt.q)
		err = a.AddColumns(sessionagg.Columns{Unit: time.Second, Start: []int64{tt.s.Start.Unix()}, End: []int64{tt.s.End.Unix()}})
		if tt.ok != (err == nil) || !tt.ok && !errors.Is(err, sessionagg.ErrOutOfRange) {
			t.Errorf("%s: AddColumns = %v", tt.reason, err)
		}
		// The shape refuses it too.
		_, err = sessionagg.AggregateDevices(sessionagg.DeviceQuery{Start: tt.q.Start, End: tt.q.End, Period: tt.q.Period, Location: tt.q.Location},
			slices.Values([]sessionagg.DeviceSession{{Start: tt.s.Start, End: tt.s.End}}))
		if tt.ok != (err == nil) || !tt.ok && !errors.Is(err, sessionagg.ErrOutOfRange) {
			t.Errorf("%s: AggregateDevices = %v", tt.reason, err)
		}
	}
	// A row of year 0 in binary form, which an open window would take.
	day := time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	empty, _ := sessionagg.NewAggregator(sessionagg.Query{})
	head, _ := empty.MarshalBinary()
	a, _ := sessionagg.NewAggregator(sessionagg.Query{})
	data := encodeRaw(head, []rawCell{{group: 0, labels: []string{}, start: day, end: day + 86400, count: 1, f: [8]float64{3600, 0, 3600, 3600}}})
	if err := a.UnmarshalBinary(data); !errors.Is(err, sessionagg.ErrInvalidData) {
		t.Errorf("a row of year 0: UnmarshalBinary = %v, want ErrInvalidData", err)
	}
}

// TestMismatchSaysWhat checks that merging or decoding partial results of
// another query says what differs. Before, it said "merging query{DAILY
// in UTC} into query{DAILY in UTC}" when only the statistics differed.
func TestMismatchSaysWhat(t *testing.T) {
	base := sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}}
	tests := []struct {
		reason string
		change func(q *sessionagg.Query)
		want   string
	}{
		{"statistics", func(q *sessionagg.Query) { q.Statistics = []sessionagg.Statistic{sessionagg.Sum} }, "statistics"},
		{"queue ids", func(q *sessionagg.Query) { q.QueueIDs = []string{"q-1"} }, "queueIds"},
		{"fleet ids", func(q *sessionagg.Query) { q.FleetIDs = []string{"f-1"} }, "fleetIds"},
		{"the period", func(q *sessionagg.Query) { q.Period = sessionagg.Hourly }, "period"},
		{"the week start", func(q *sessionagg.Query) { q.WeekStart = sessionagg.Sunday }, "weekStart"},
		{"the zone", func(q *sessionagg.Query) { q.Location = time.FixedZone("UTC+08:00", 8*3600) }, "timezone"},
		{"the window", func(q *sessionagg.Query) { q.Start = aggAt(1, 0) }, "startTime"},
		{"FillEmpty", func(q *sessionagg.Query) { q.FillEmpty = true }, "fillEmpty"},
		{"the groups", func(q *sessionagg.Query) { q.GroupBy = []sessionagg.Field{sessionagg.UserID} }, "groupBy"},
	}
	for _, tt := range tests {
		q := base
		tt.change(&q)
		a, _ := sessionagg.NewAggregator(base)
		o, _ := sessionagg.NewAggregator(q)
		data, _ := o.MarshalBinary()
		for name, err := range map[string]error{"Merge": a.Merge(o), "UnmarshalBinary": a.UnmarshalBinary(data)} {
			if !errors.Is(err, sessionagg.ErrMismatch) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %s = %v, want ErrMismatch naming %s", tt.reason, name, err, tt.want)
			}
			// Only what differs.
			for _, other := range tests {
				if other.want != tt.want && !strings.HasPrefix(other.want, tt.want) && !strings.HasPrefix(tt.want, other.want) &&
					strings.Contains(err.Error(), " "+other.want) {
					t.Errorf("%s: %s = %v, names %s too", tt.reason, name, err, other.want)
				}
			}
		}
	}
}

// TestErrorPrefixes checks that every error of the package reads
// "sessionagg: …" with the prefix once. Before, limits gave "more rows
// than the limit: sessionagg: too many …", a window of too many buckets
// "sessionagg: invalid query: … buckets: sessionagg: too many …", and
// ParseQuality and a UsageQuery's Range errors had no prefix at all.
func TestErrorPrefixes(t *testing.T) {
	one := func(q sessionagg.Query, s ...sessionagg.Session) error {
		_, err := sessionagg.Aggregate(q, slices.Values(s))
		return err
	}
	two := []sessionagg.Session{{Start: aggAt(1, 9), End: aggAt(1, 10), QueueID: "a"}, {Start: aggAt(1, 9), End: aggAt(1, 10), QueueID: "b"}}
	_, qualityErr := sessionagg.ParseQuality("great")
	errs := map[string]error{
		"MaxRows": one(sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}, MaxRows: 1}, two...),
		"pieces":  one(sessionagg.Query{Period: sessionagg.Hourly, MaxBuckets: 2}, sessionagg.Session{Start: aggAt(1, 0), End: aggAt(2, 0)}),
		"span":    one(sessionagg.Query{MaxBuckets: 2}, sessionagg.Session{Start: aggAt(1, 0), End: aggAt(1, 1)}, sessionagg.Session{Start: aggAt(9, 0), End: aggAt(9, 1)}),
		"window":  one(sessionagg.Query{Start: aggAt(1, 0), End: aggAt(9, 0), MaxBuckets: 2}),
		"fill":    one(sessionagg.Query{Start: aggAt(1, 0), FillEmpty: true, MaxBuckets: 3}, sessionagg.Session{Start: aggAt(9, 0), End: aggAt(9, 1)}),
		"quality": qualityErr,
		"range":   (&sessionagg.UsageQuery{Start: aggAt(1, 0), End: aggAt(2, 0), IdleDays: sessionagg.Between(3, 1)}).Validate(),
		"session": one(sessionagg.Query{}, sessionagg.Session{Start: aggAt(1, 9), End: aggAt(1, 8)}),
		"mismatch": (&sessionagg.Aggregator{}).Merge(func() *sessionagg.Aggregator {
			a, _ := sessionagg.NewAggregator(sessionagg.Query{Period: sessionagg.Hourly})
			return a
		}()),
	}
	for _, sentinel := range []error{sessionagg.ErrInvalidQuery, sessionagg.ErrInvalidWindow, sessionagg.ErrInvalidField,
		sessionagg.ErrInvalidStatistic, sessionagg.ErrInvalidFilter, sessionagg.ErrTooLarge, sessionagg.ErrInvalidSession,
		sessionagg.ErrMismatch, sessionagg.ErrInvalidToken, sessionagg.ErrInvalidData, sessionagg.ErrOutOfRange,
		sessionagg.ErrInvalidPeriod, sessionagg.ErrInvalidTimezone, sessionagg.ErrInvalidQuality, sessionagg.ErrInvalidRange} {
		errs[sentinel.Error()] = sentinel
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := strings.TrimLeft(strings.TrimPrefix(err.Error(), "session "), "0123456789: ")
		if !strings.HasPrefix(msg, "sessionagg: ") || strings.Count(msg, "sessionagg:") != 1 {
			t.Errorf("%s: %q, want one \"sessionagg: \" prefix", name, err)
		}
	}
}

// TestZeroAggregator checks that the zero Aggregator is an empty
// Aggregator of the zero Query: it adds, merges, encodes and decodes as
// NewAggregator(Query{}) does. Before, Add, Result and MarshalBinary
// panicked.
func TestZeroAggregator(t *testing.T) {
	s := sessionagg.Session{Start: aggAt(1, 9), End: aggAt(2, 3), CostInUSD: 2}
	want := rows(t, func() *sessionagg.Aggregator {
		a, _ := sessionagg.NewAggregator(sessionagg.Query{})
		a.Add(s)
		return a
	}())

	var empty sessionagg.Aggregator
	if r, err := empty.Result(); err != nil || r.Len() != 0 {
		t.Errorf("zero Aggregator: Result = %v, %v; want no rows", r, err)
	}
	var a sessionagg.Aggregator
	if err := a.Add(s); err != nil {
		t.Fatalf("zero Aggregator: Add = %v", err)
	}
	if diff := cmp.Diff(want, rows(t, &a), statsCmp); diff != "" {
		t.Errorf("zero Aggregator after Add (-want +got):\n%s", diff)
	}
	var zero sessionagg.Aggregator
	if err := a.Merge(&zero); err != nil {
		t.Errorf("Merge(zero) = %v", err)
	}
	var b sessionagg.Aggregator
	if err := b.Merge(&a); err != nil {
		t.Errorf("zero.Merge = %v", err)
	}
	data, err := b.MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary = %v", err)
	}
	var c sessionagg.Aggregator
	if err := c.UnmarshalBinary(data); err != nil {
		t.Fatalf("zero UnmarshalBinary = %v", err)
	}
	if diff := cmp.Diff(want, rows(t, &c), statsCmp); diff != "" {
		t.Errorf("merged, encoded and decoded (-want +got):\n%s", diff)
	}
	var d sessionagg.Aggregator
	if err := d.AddAll(slices.Values([]sessionagg.Session{s})); err != nil {
		t.Errorf("zero AddAll = %v", err)
	}
	if q := d.Query(); q.Period != 0 || q.Location != nil {
		t.Errorf("zero Aggregator's Query = %+v, want the zero Query", q)
	}
}

// TestNaNRanges checks that a NaN bound of a UsageQuery's Range is an
// error naming the field. Before, Between(NaN, 3) and AtLeast(NaN) were
// accepted and kept no desktop.
func TestNaNRanges(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		reason string
		q      sessionagg.UsageQuery
		field  string
	}{
		{"Between(NaN, 3) idle days", sessionagg.UsageQuery{IdleDays: sessionagg.Between(nan, 3)}, "min_idle_days"},
		{"AtLeast(NaN) idle days", sessionagg.UsageQuery{IdleDays: sessionagg.AtLeast(nan)}, "min_idle_days"},
		{"AtMost(NaN) idle days", sessionagg.UsageQuery{IdleDays: sessionagg.AtMost(nan)}, "max_idle_days"},
		{"Between(1, NaN) usage hours", sessionagg.UsageQuery{UsageHours: sessionagg.Between(1, nan)}, "usage_max_hours"},
		{"AtLeast(NaN) usage hours", sessionagg.UsageQuery{UsageHours: sessionagg.AtLeast(nan)}, "usage_min_hours"},
	}
	for _, tt := range tests {
		tt.q.Start, tt.q.End = aggAt(1, 0), aggAt(3, 0)
		_, reportErr := sessionagg.DesktopUsageReport(tt.q, slices.Values([]sessionagg.DesktopSession{{Start: aggAt(1, 9), End: aggAt(1, 10), ResourceID: "d"}}))
		for name, err := range map[string]error{"Validate": tt.q.Validate(), "DesktopUsageReport": reportErr} {
			var fe *sessionagg.FieldError
			if !errors.Is(err, sessionagg.ErrInvalidRange) || !errors.Is(err, sessionagg.ErrInvalidQuery) || !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("%s: %s = %v, want ErrInvalidRange naming %s", tt.reason, name, err, tt.field)
			}
		}
	}
}

// TestDesktopUsageMemory checks that DesktopUsageReport's memory follows
// the desktops and days it reports, not all desktops times all days:
// 200 desktops over a century, filtered to none, take next to nothing.
// Before, they took 300 MB (1,000 desktops, 2 GB).
func TestDesktopUsageMemory(t *testing.T) {
	var sessions []sessionagg.DesktopSession
	for i := range 200 {
		start := aggAt(1, 0).AddDate(0, 0, i)
		sessions = append(sessions, sessionagg.DesktopSession{Start: start, End: start.Add(time.Hour), ResourceID: "d-" + string(rune('a'+i%26)) + string(rune('a'+i/26)), ResourceName: "desk"})
	}
	q := sessionagg.UsageQuery{Start: aggAt(1, 0), End: aggAt(1, 0).AddDate(100, 0, 0), NameContains: "nothing"}
	var got []sessionagg.DesktopUsage
	var err error
	alloc := allocated(func() { got, err = sessionagg.DesktopUsageReport(q, slices.Values(sessions)) })
	if err != nil || len(got) != 0 {
		t.Fatalf("DesktopUsageReport = %d desktops, %v; want none", len(got), err)
	}
	if alloc > 4<<20 {
		t.Errorf("200 desktops over a century, none kept: %d MB allocated", alloc>>20)
	}
	// Kept, they have every day, and their idle days are the others.
	days := int(q.End.Sub(q.Start).Hours() / 24)
	q.NameContains = "desk"
	q.IdleDays = sessionagg.AtLeast(float64(days - 1))
	got, err = sessionagg.DesktopUsageReport(q, slices.Values(sessions[:2]))
	if err != nil || len(got) != 2 || len(got[0].Days) != days || got[0].IdleDays != days-1 || got[0].UsageSeconds != 3600 {
		t.Fatalf("DesktopUsageReport of two desktops over a century = %d desktops, %v", len(got), err)
	}
}
