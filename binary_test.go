package sessionagg_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// binaryQuery is the query of the binary tests: hourly in UTC+05:45, grouped
// by queue and job, so that rows carry job names.
func binaryQuery(t testing.TB) sessionagg.Query {
	loc, err := sessionagg.ParseTimezone("UTC+5:45")
	if err != nil {
		t.Fatal(err)
	}
	return sessionagg.Query{
		Start:    time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		End:      time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
		Period:   sessionagg.Hourly,
		Location: loc,
		GroupBy:  []sessionagg.Field{sessionagg.QueueID, sessionagg.JobID},
	}
}

// genSession draws a session around the window of binaryQuery.
func genSession(t *rapid.T) sessionagg.Session {
	base := time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)
	start := base.Add(time.Duration(rapid.Int64Range(0, 5*24*3600).Draw(t, "start")) * time.Second)
	return sessionagg.Session{
		Start:     start,
		End:       start.Add(time.Duration(rapid.Int64Range(0, 30*3600*1e3).Draw(t, "ms")) * time.Millisecond),
		CostInUSD: rapid.Float64Range(0, 100).Draw(t, "cost"),
		QueueID:   rapid.SampledFrom([]string{"q-1", "q-2", ""}).Draw(t, "queue"),
		JobID:     rapid.SampledFrom([]string{"j-1", "j-2"}).Draw(t, "job"),
		JobName:   rapid.SampledFrom([]string{"", "render", "bake"}).Draw(t, "name"),
	}
}

// tb is the part of testing.TB that rapid.T has too.
type tb interface {
	Helper()
	Fatal(args ...any)
}

func rows(t tb, a *sessionagg.Aggregator) []sessionagg.Row {
	t.Helper()
	r, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	return slices.Collect(r.Rows())
}

var statsCmp = cmp.AllowUnexported(sessionagg.Stats{})

// TestBinaryRoundTrip checks that what MarshalBinary writes, UnmarshalBinary
// reads back into the same rows, and that merging decoded shards equals
// aggregating everything in one Aggregator.
func TestBinaryRoundTrip(t *testing.T) {
	q := binaryQuery(t)
	rapid.Check(t, func(t *rapid.T) {
		sessions := rapid.SliceOfN(rapid.Custom(genSession), 0, 40).Draw(t, "sessions")
		cut := rapid.IntRange(0, len(sessions)).Draw(t, "cut")
		all, _ := sessionagg.NewAggregator(q)
		shard1, _ := sessionagg.NewAggregator(q)
		shard2, _ := sessionagg.NewAggregator(q)
		for i, s := range sessions {
			all.Add(s)
			if i < cut {
				shard1.Add(s)
			} else {
				shard2.Add(s)
			}
		}
		data, err := all.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, _ := sessionagg.NewAggregator(q)
		if err := back.UnmarshalBinary(data); err != nil {
			t.Fatalf("UnmarshalBinary(MarshalBinary()) = %v", err)
		}
		if diff := cmp.Diff(rows(t, all), rows(t, back), statsCmp); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
		again, _ := back.AppendBinary([]byte("prefix"))
		if !slices.Equal(again[len("prefix"):], data) {
			t.Fatalf("AppendBinary after a round trip differs from MarshalBinary")
		}

		// Ship shard 2 as bytes and merge it into shard 1.
		b2, _ := shard2.MarshalBinary()
		remote, _ := sessionagg.NewAggregator(q)
		if err := remote.UnmarshalBinary(b2); err != nil {
			t.Fatal(err)
		}
		if err := shard1.Merge(remote); err != nil {
			t.Fatal(err)
		}
		want, got := rows(t, all), rows(t, shard1)
		if diff := cmp.Diff(want, got, statsCmp, approxStats()); diff != "" {
			t.Fatalf("merged shards (-want +got):\n%s", diff)
		}
	})
}

// approxStats compares Stats by value, with sums equal to a relative 1e-9.
func approxStats() cmp.Option {
	return cmp.Comparer(func(x, y sessionagg.Stats) bool {
		near := func(a, b float64) bool {
			d := a - b
			if d < 0 {
				d = -d
			}
			m := max(a, b, -a, -b)
			return d <= 1e-9*m || d < 1e-12
		}
		return x.Count() == y.Count() && x.Min() == y.Min() && x.Max() == y.Max() && near(x.Sum(), y.Sum())
	})
}

// TestUnmarshalBinaryErrors checks the errors of UnmarshalBinary, and that
// the receiver is unchanged after each.
func TestUnmarshalBinaryErrors(t *testing.T) {
	q := binaryQuery(t)
	a, _ := sessionagg.NewAggregator(q)
	a.Add(sessionagg.Session{Start: q.Start, End: q.Start.Add(90 * time.Minute), CostInUSD: 3, QueueID: "q", JobID: "j", JobName: "n"})
	good, _ := a.MarshalBinary()

	other := q
	other.Period = sessionagg.Daily
	o, _ := sessionagg.NewAggregator(other)
	o.Add(sessionagg.Session{Start: q.Start, End: q.Start.Add(time.Hour)})
	otherData, _ := o.MarshalBinary()

	tests := []struct {
		reason string
		data   []byte
		want   error
	}{
		{"empty", nil, sessionagg.ErrInvalidData},
		{"bad magic", []byte("XAGG\x01"), sessionagg.ErrInvalidData},
		{"future version", append([]byte("SAGG"), 2), sessionagg.ErrInvalidData},
		{"truncated", good[:len(good)-1], sessionagg.ErrInvalidData},
		{"trailing byte", append(slices.Clone(good), 0), sessionagg.ErrInvalidData},
		{"another query", otherData, sessionagg.ErrMismatch},
	}
	for _, tt := range tests {
		before := rows(t, a)
		err := a.UnmarshalBinary(tt.data)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: UnmarshalBinary = %v, want %v", tt.reason, err, tt.want)
		}
		if diff := cmp.Diff(before, rows(t, a), statsCmp); diff != "" {
			t.Errorf("%s: receiver changed on error (-before +after):\n%s", tt.reason, diff)
		}
	}
}

// FuzzUnmarshalBinary checks that any bytes either decode into an
// Aggregator whose rows survive another round trip, or fail with one of the
// documented errors; never a panic.
func FuzzUnmarshalBinary(f *testing.F) {
	q := binaryQuery(f)
	a, _ := sessionagg.NewAggregator(q)
	for _, d := range []int{0, 30, 200, 5000} {
		start := q.Start.Add(time.Duration(d) * time.Minute)
		a.Add(sessionagg.Session{Start: start, End: start.Add(100 * time.Minute), CostInUSD: 2, QueueID: "q", JobID: "j", JobName: "x"})
		data, _ := a.MarshalBinary()
		f.Add(data)
	}
	f.Add([]byte("SAGG\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, _ := sessionagg.NewAggregator(q)
		err := a.UnmarshalBinary(data)
		if err != nil {
			if !errors.Is(err, sessionagg.ErrInvalidData) && !errors.Is(err, sessionagg.ErrMismatch) && !errors.Is(err, sessionagg.ErrTooLarge) {
				t.Fatalf("UnmarshalBinary = %v, want an error wrapping ErrInvalidData, ErrMismatch or ErrTooLarge", err)
			}
			return
		}
		again, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := sessionagg.NewAggregator(q)
		if err := b.UnmarshalBinary(again); err != nil {
			t.Fatalf("decoding re-encoded data: %v", err)
		}
		if diff := cmp.Diff(rows(t, a), rows(t, b), statsCmp); diff != "" {
			t.Fatalf("second round trip (-want +got):\n%s", diff)
		}
		r, _ := a.Result()
		for row := range r.Rows() {
			if row.Count < 1 || row.RuntimeInSeconds.Min() > row.RuntimeInSeconds.Max() || !row.Start.Before(row.End) {
				t.Fatalf("decoded an inconsistent row %+v", row)
			}
		}
	})
}

// TestUnmarshalBinaryLimits checks that decoding applies the receiver's
// limits: rows that an aggregator with MaxBuckets or MaxRows could not hold
// are an error wrapping ErrTooLarge, as they would be for Add.
func TestUnmarshalBinaryLimits(t *testing.T) {
	q := sessionagg.Query{Period: sessionagg.Daily} // open window
	a, _ := sessionagg.NewAggregator(q)
	for _, d := range []int{1, 20, 40} {
		start := time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC)
		a.Add(sessionagg.Session{Start: start, End: start.Add(time.Hour)})
	}
	data, _ := a.MarshalBinary()
	for _, lim := range []struct {
		reason string
		q      sessionagg.Query
	}{
		{"40 days of buckets, MaxBuckets 10", sessionagg.Query{Period: sessionagg.Daily, MaxBuckets: 10}},
		{"3 rows, MaxRows 2", sessionagg.Query{Period: sessionagg.Daily, MaxRows: 2}},
	} {
		b, err := sessionagg.NewAggregator(lim.q)
		if err != nil {
			t.Fatal(err)
		}
		// The limits are not part of the query's identity: the data is
		// accepted or refused on them alone.
		if err := b.UnmarshalBinary(data); !errors.Is(err, sessionagg.ErrTooLarge) {
			t.Errorf("%s: UnmarshalBinary = %v, want ErrTooLarge", lim.reason, err)
		}
		if r, _ := b.Result(); r.Len() != 0 {
			t.Errorf("%s: receiver changed on error: %d rows", lim.reason, r.Len())
		}
	}
}
