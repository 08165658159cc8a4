package sessionagg

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// White-box tests of the Aggregator: its written-out split against
// splitter.each, batching against Add, and the end of representable time.

// engineSession draws a session that starts in 2025 to 2027, or, one time
// in farOdds, up to sixty years away; that lasts up to maxSecs seconds;
// that costs cost, and has one of three queues and two users.
func engineSession(t *rapid.T, farOdds int, maxSecs int64, cost float64) Session {
	start := engineSecond(t, "start")
	if rapid.IntRange(1, farOdds).Draw(t, "far") == 1 {
		start += rapid.Int64Range(-60, 60).Draw(t, "years") * 365 * 86400
	}
	return Session{
		Start:     time.Unix(start, 0),
		End:       time.Unix(start+rapid.Int64Range(0, maxSecs).Draw(t, "length"), 0),
		CostInUSD: cost,
		QueueID:   rapid.SampledFrom([]string{"q1", "q2", "q3"}).Draw(t, "queue"),
		UserID:    rapid.SampledFrom([]string{"u1", "u2"}).Draw(t, "user"),
	}
}

// TestEndOfTime checks that sessions some 292 billion years from 1970,
// where the bucket arithmetic overflows int64 seconds, end every way of
// aggregating them with nil or an error wrapping ErrTooLarge, promptly,
// in fixed zones and zones with daylight saving time. Before, a weekly
// Aggregator looped on such a session until memory ran out. The latest
// times are those whose Unix seconds time.Time can hold; later ones wrap
// (see TestWrappedTimes). A Result of rows there is refused: RFC 3339
// cannot write their years.
func TestEndOfTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	zones := []*time.Location{time.UTC, time.FixedZone("UTC+05:45", 20700), time.FixedZone("UTC-12:00", -12*3600), ny}
	// A hang is the failure to catch: end the test binary with a message.
	watchdog := time.AfterFunc(time.Minute, func() { panic("TestEndOfTime: still aggregating after a minute") })
	defer watchdog.Stop()
	rapid.Check(t, func(t *rapid.T) {
		var sec int64
		if rapid.Bool().Draw(t, "late") {
			sec = math.MaxInt64 - unixToInternal - rapid.Int64Range(0, 60*86400).Draw(t, "beforeEnd")
		} else {
			sec = math.MinInt64 + rapid.Int64Range(0, 60*86400).Draw(t, "afterStart")
		}
		length := rapid.Int64Range(0, 30*86400).Draw(t, "length")
		start := time.Unix(sec, 0)
		end := time.Unix(sec+min(length, math.MaxInt64-unixToInternal-max(sec, 0)), 0)
		period := rapid.SampledFrom([]Period{Hourly, Daily, Weekly, Monthly}).Draw(t, "period")
		loc := rapid.SampledFrom(zones).Draw(t, "zone")
		check := func(what string, err error) {
			if err != nil && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("%s, %v in %v, [%d, %d): %v, want nil, ErrTooLarge or ErrOutOfRange", what, period, loc, start.Unix(), end.Unix(), err)
			}
		}
		a, _ := NewAggregator(Query{Period: period, Location: loc})
		if err := a.Add(Session{Start: start, End: end}); err != nil {
			check("Add", err)
		} else if r, err := a.Result(); err != nil {
			check("Result", err)
		} else {
			// What was added can be read, written and encoded.
			for range r.Rows() {
			}
			if _, err := r.MarshalJSON(); err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			if _, err := a.MarshalBinary(); err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
		}
		a, _ = NewAggregator(Query{Period: period, Location: loc})
		check("AddAll", a.AddAll(slices.Values([]Session{{Start: start, End: end}})))
		_, err := AggregateDevices(DeviceQuery{Period: period, Location: loc}, slices.Values([]DeviceSession{{Start: start, End: end}}))
		check("AggregateDevices", err)
	})
}

// engineBucket sums the pieces of one bucket.
type engineBucket struct {
	Count int64
	Secs  float64
}

// TestAddMatchesEach checks that Aggregator.addPending, the split written
// out for the hot path, makes the pieces that splitter.each, which the other
// shapes use, does: per bucket, the same count and runtime.
func TestAddMatchesEach(t *testing.T) {
	for _, g := range engineGrids(t) {
		t.Run(fmt.Sprintf("%v/%v", g.period, g.loc), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				q := Query{Period: g.period, Location: g.loc, WeekStart: Sunday}
				if rapid.Bool().Draw(t, "hasStart") {
					q.Start = time.Unix(engineSecond(t, "windowStart"), rapid.Int64Range(0, 1e9-1).Draw(t, "windowStartNanos"))
				}
				if rapid.Bool().Draw(t, "hasEnd") {
					q.End = time.Unix(engineSecond(t, "windowEnd"), 0)
					if !q.Start.IsZero() && !q.End.After(q.Start) {
						q.Start, q.End = q.End, q.Start.Add(time.Nanosecond)
					}
				}
				a, err := NewAggregator(q)
				if err != nil {
					t.Fatal(err)
				}
				want := map[[3]int64]engineBucket{}
				for range rapid.IntRange(1, 20).Draw(t, "sessions") {
					start := time.Unix(engineSecond(t, "start"), rapid.Int64Range(0, 1e9-1).Draw(t, "nanos"))
					end := start
					if rapid.IntRange(0, 4).Draw(t, "zeroLength") > 0 {
						end = start.Add(time.Duration(rapid.Int64Range(1, 40*86400e9).Draw(t, "length")))
					}
					if err := a.Add(Session{Start: start, End: end, CostInUSD: 1}); err != nil {
						t.Fatal(err)
					}
					a.sp.each(instantOf(start), instantOf(end), func(c cursor, secs float64) error {
						b := want[[3]int64{c.key, c.start, c.end}]
						want[[3]int64{c.key, c.start, c.end}] = engineBucket{b.Count + 1, b.Secs + secs}
						return nil
					})
				}
				got := map[[3]int64]engineBucket{}
				a.rows.each(func(r rowRef, s *sums, _ string) error {
					key := a.sp.gr.at(r.start).key
					got[[3]int64{key, r.start, r.end}] = engineBucket{s.runtime.Count(), s.runtime.Sum()}
					return nil
				})
				if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 1e-9)); diff != "" {
					t.Fatalf("%v in %v, window [%v, %v): buckets (-each +add):\n%s", q.Period, q.Location, q.Start, q.End, diff)
				}
			})
		})
	}
}

// TestBatchMatchesAdd checks that AddAll and AddColumns, which prepare
// sessions in batches before they add them, leave an Aggregator exactly as Add one
// session at a time does, stopping at the first error: the same rows, bit
// for bit, and the same error naming the same session, for invalid
// sessions, exceeded limits, and rows that move from the slabs to the
// table halfway through a batch.
func TestBatchMatchesAdd(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("UTC+05:45", 20700)}
	rapid.Check(t, func(t *rapid.T) {
		q := Query{
			Period:   rapid.SampledFrom([]Period{Hourly, Daily, Weekly, Monthly}).Draw(t, "period"),
			Location: rapid.SampledFrom(zones).Draw(t, "zone"),
			GroupBy:  rapid.SampledFrom([][]Field{nil, {QueueID}, {QueueID, UserID}}).Draw(t, "groupBy"),
			MaxRows:  rapid.SampledFrom([]int{0, 0, 30}).Draw(t, "maxRows"),
		}
		if rapid.Bool().Draw(t, "bounded") {
			q.Start = time.Unix(engineSecond(t, "windowStart"), 0)
			q.End = q.Start.Add(time.Duration(rapid.Int64Range(1, 400*86400).Draw(t, "windowLength")) * time.Second)
		}
		var sessions []Session
		for i := range rapid.IntRange(0, 100).Draw(t, "sessions") {
			s := engineSession(t, 20, 3*86400, float64(i%7)/3)
			if rapid.IntRange(0, 49).Draw(t, "invalid") == 0 {
				s.CostInUSD = -1
			}
			sessions = append(sessions, s)
		}
		batched, err := NewAggregator(q)
		if err != nil {
			t.Fatal(err)
		}
		batched.batchFrom = rapid.SampledFrom([]int{0, 1, 50}).Draw(t, "batchFrom")
		batched.touchFrom = rapid.SampledFrom([]int{0, 50}).Draw(t, "touchFrom")
		one, _ := NewAggregator(q)
		var wantErr error
		for i, s := range sessions {
			if err := one.Add(s); err != nil {
				wantErr = fmt.Errorf("session %d: %w", i, err)
				break
			}
		}
		gotErr := batched.AddAll(slices.Values(sessions))
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("AddAll: %v, want %v", gotErr, wantErr)
		}
		// The same sessions as columns, the queue coded, the user plain.
		cols, _ := NewAggregator(q)
		cols.batchFrom, cols.touchFrom = batched.batchFrom, batched.touchFrom
		c := Columns{Unit: time.Second, QueueID: Labels{Dictionary: []string{"q1", "q2", "q3"}}}
		for _, s := range sessions {
			c.Start, c.End = append(c.Start, s.Start.Unix()), append(c.End, s.End.Unix())
			c.CostInUSD = append(c.CostInUSD, s.CostInUSD)
			c.QueueID.Codes = append(c.QueueID.Codes, int32(s.QueueID[1]-'1'))
			c.UserID.Values = append(c.UserID.Values, s.UserID)
		}
		gotErr = cols.AddColumns(c)
		var re *RowError
		if errors.As(gotErr, &re) {
			gotErr = fmt.Errorf("session %d: %w", re.Row, re.Err)
		}
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("AddColumns: %v, want %v", gotErr, wantErr)
		}
		if errors.Is(wantErr, ErrTooLarge) {
			return // all are unusable
		}
		// After an invalid session, all hold the sessions before it.
		if diff := engineRowsDiff(t, one, batched); diff != "" {
			t.Fatalf("rows (-Add +AddAll):\n%s", diff)
		}
		if diff := engineRowsDiff(t, one, cols); diff != "" {
			t.Fatalf("rows (-Add +AddColumns):\n%s", diff)
		}
	})
}

// engineRowsDiff returns the difference between the rows of two
// Aggregators, to the last bit of every sum.
func engineRowsDiff(t *rapid.T, want, got *Aggregator) string {
	rows := func(a *Aggregator) []Row {
		r, err := a.Result()
		if err != nil {
			t.Fatal(err)
		}
		return slices.Collect(r.Rows())
	}
	return cmp.Diff(rows(want), rows(got), cmp.AllowUnexported(Stats{}))
}
