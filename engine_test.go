package sessionagg

import (
	"bytes"
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

// White-box tests of the engine's parts: the bucket cache, the group
// index, the table's cells and bucket span, and the Aggregator's written-
// out split against splitter.each.

// engineGrids returns grids of every period in UTC+05:45 and in New York.
func engineGrids(t *testing.T) []*grid {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	var grids []*grid
	for _, loc := range []*time.Location{time.FixedZone("UTC+05:45", 20700), ny} {
		for p := Hourly; p <= Monthly; p++ {
			grids = append(grids, Calendar{Period: p, Location: loc, WeekStart: Sunday}.grid())
		}
	}
	return grids
}

// engineSecond draws a Unix second in 2025 to 2027.
func engineSecond(t *rapid.T, label string) int64 {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	return base + rapid.Int64Range(-366*86400, 366*86400).Draw(t, label)
}

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

// TestBucketCache checks that the cache returns the bucket that grid.at
// does, for instants in any order.
func TestBucketCache(t *testing.T) {
	for _, g := range engineGrids(t) {
		t.Run(fmt.Sprintf("%v/%v", g.period, g.loc), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				var bc bucketCache
				bc.init(g)
				secs := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) int64 { return engineSecond(t, "sec") }), 1, 50).Draw(t, "secs")
				for _, sec := range secs {
					// Neighbours of a boundary, too.
					for _, s := range []int64{sec, g.at(sec).start, g.at(sec).start - 1, g.at(sec).end} {
						got, want := bc.at(g, s), g.at(s)
						if got.key != want.key || got.start != want.start || got.end != want.end {
							t.Fatalf("bucketCache.at(%d) = [%d, %d) key %d, want [%d, %d) key %d", s, got.start, got.end, got.key, want.start, want.end, want.key)
						}
					}
				}
			})
		})
	}
}

// TestGroupIndex checks that ofLabels numbers groups densely in the order
// they first appear, finds each again, and keeps tuples that differ in
// any label, or only in their split between labels, apart.
func TestGroupIndex(t *testing.T) {
	gs := newGroups([]Field{QueueID, UserID, JobID})
	var keys []labels
	for i := range 3000 {
		keys = append(keys, labels{fmt.Sprint(i % 7), fmt.Sprint(i / 7), ""})
	}
	keys = append(keys, labels{"ab", "c", ""}, labels{"a", "bc", ""}, labels{"", "", ""}, labels{"", "", "x"}, labels{"x", "", ""})
	for round := range 2 {
		for i, k := range keys {
			if g, _ := gs.ofLabels(&k); g != int32(i) {
				t.Fatalf("round %d: ofLabels(%q) = %d, want %d", round, k, g, i)
			}
			if gs.labels[i] != k {
				t.Fatalf("labels[%d] = %q, want %q", i, gs.labels[i], k)
			}
		}
	}
}

// TestStepAt checks the division that finds hours, days and weeks at a
// fixed offset against grid.at, for offsets of whole and odd minutes,
// either week start, and instants before and after 1970.
func TestStepAt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		off := rapid.IntRange(-12*60, 14*60).Draw(t, "offsetMinutes") * 60
		g := Calendar{
			Period:    rapid.SampledFrom([]Period{Hourly, Daily, Weekly}).Draw(t, "period"),
			Location:  time.FixedZone("", off),
			WeekStart: rapid.SampledFrom([]WeekStart{Monday, Sunday}).Draw(t, "weekStart"),
		}.grid()
		sec := rapid.Int64Range(-1e11, 1e11).Draw(t, "sec")
		for _, s := range []int64{sec, g.at(sec).start, g.at(sec).start - 1, g.at(sec).end} {
			got, want := g.stepAt(s), g.at(s)
			if got != want {
				t.Fatalf("%v at UTC%+d: stepAt(%d) = [%d, %d) key %d, want [%d, %d) key %d", g.period, off, s, got.start, got.end, got.key, want.start, want.end, want.key)
			}
		}
	})
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

// TestGroupNumbers checks groups.of and ofLabels against a map from label
// tuples to numbers in order of first appearance, with labels built to
// defeat the label caches' cheap hash: equal in length and in their first
// and last eight bytes, differing only in the middle, or empty.
func TestGroupNumbers(t *testing.T) {
	label := rapid.Custom(func(t *rapid.T) string {
		mid := rapid.StringMatching(`[ab]{0,3}`).Draw(t, "middle")
		switch rapid.IntRange(0, 3).Draw(t, "shape") {
		case 0:
			return "prefix-0" + mid + "-suffix0" // same ends, same length for the same middle length
		case 1:
			return mid // short, or empty
		case 2:
			return "qu" + mid + "e"
		}
		return rapid.String().Draw(t, "any")
	})
	fieldSets := [][]Field{{QueueID}, {QueueID, UserID}, {UserID, QueueID, InstanceType}, {JobID, FleetID, UserID, QueueID}}
	rapid.Check(t, func(t *rapid.T) {
		fields := rapid.SampledFrom(fieldSets).Draw(t, "groupBy")
		gs := newGroups(fields)
		want := map[labels]int32{}
		for range rapid.IntRange(1, 300).Draw(t, "sessions") {
			s := Session{QueueID: label.Draw(t, "queue"), FleetID: label.Draw(t, "fleet"), JobID: label.Draw(t, "job"),
				UserID: label.Draw(t, "user"), InstanceType: label.Draw(t, "type")}
			var k labels
			for i, f := range fields {
				k[i] = s.label(f)
			}
			w, ok := want[k]
			if !ok {
				w = int32(len(want))
				want[k] = w
			}
			var g int32
			var isNew bool
			if rapid.Bool().Draw(t, "byLabels") {
				g, isNew = gs.ofLabels(&k)
			} else {
				g, isNew = gs.of(&s)
			}
			if g != w || isNew != !ok {
				t.Fatalf("group of %q = %d, new %v; want %d, new %v", k[:len(fields)], g, isNew, w, !ok)
			}
			if gs.labels[g] != k {
				t.Fatalf("labels[%d] = %q, want %q", g, gs.labels[g], k)
			}
		}
	})
}

// TestQuickHashSpreads checks that the labelDict cache's hash spreads
// labels of the shapes real data has over the cache: ids with a common
// prefix and a counter, hexadecimal ids, short codes. (A hash that lumped
// them would give right answers, slowly: every look-up a map's.)
func TestQuickHashSpreads(t *testing.T) {
	shapes := map[string]func(i int) string{
		"counter": func(i int) string { return fmt.Sprintf("user-%03d", i) },
		"hex id":  func(i int) string { return fmt.Sprintf("queue-%032x", uint64(i)*0x9e3779b97f4a7c15) },
		"code":    func(i int) string { return fmt.Sprintf("c%d", i) },
		"long":    func(i int) string { return fmt.Sprintf("render-farm-%d-east", i) },
	}
	const labels, slots = 200, 1024
	for name, label := range shapes {
		used := map[uint64]bool{}
		for i := range labels {
			used[quickHash(label(i))>>(64-10)] = true
		}
		// 200 random labels in 1024 slots take 183 on average.
		if len(used) < 160 {
			t.Errorf("%s: %d labels take %d of %d slots", name, labels, len(used), slots)
		}
	}
}

// TestTableMemory checks that the table's index of a group grows with the
// group's rows, not with the buckets between them: groups by job, each of
// three sessions thousands of hours apart, must not keep an index entry
// for every hour between.
func TestTableMemory(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := NewAggregator(Query{Period: Hourly, Start: start, End: start.AddDate(0, 6, 0), GroupBy: []Field{JobID}})
	if err != nil {
		t.Fatal(err)
	}
	for j := range 1000 {
		for _, h := range []int{0, 2000, 4000} {
			s := start.Add(time.Duration(h) * time.Hour)
			if err := a.Add(Session{Start: s, End: s.Add(30 * time.Minute), JobID: fmt.Sprint("job-", j)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries := 0
	for _, gc := range a.rows.t.groups {
		entries += cap(gc.idx) + len(gc.sparse)
	}
	if rows := len(a.rows.t.cells); entries > 16*rows {
		t.Errorf("%d rows keep %d index entries, want at most %d", rows, entries, 16*rows)
	}
}

// TestTableBuckets checks that rowStore.buckets, counting incrementally,
// equals counting the buckets from the first row to the last at once,
// and that every row of the table stays with its group and bucket as the
// table grows.
func TestTableBuckets(t *testing.T) {
	for _, g := range engineGrids(t) {
		t.Run(fmt.Sprintf("%v/%v", g.period, g.loc), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				st := newRowStore(g, &window{}, sparseRows, 0)
				groups := rapid.IntRange(1, 4).Draw(t, "groups")
				for range groups {
					st.addGroup()
				}
				limit := rapid.IntRange(1, 5000).Draw(t, "limit")
				var lo, hi int64
				n := rapid.IntRange(1, 300).Draw(t, "cells")
				for i := range n {
					c := g.at(engineSecond(t, "sec"))
					grp := int32(rapid.IntRange(0, groups-1).Draw(t, "group"))
					s, err := st.row(grp, &c)
					if err != nil {
						t.Fatal(err)
					}
					if s.runtime.Count() == 0 {
						// A row holds its bucket's start and its group.
						s.runtime.Add(float64(c.start))
						s.cost.Add(float64(grp))
					}
					if i == 0 {
						lo, hi = c.start, c.end
					}
					lo, hi = min(lo, c.start), max(hi, c.end)
					if got, want := st.buckets(limit), g.count(lo, instant{hi, 0}, limit); got != want {
						t.Fatalf("after %d cells, buckets() = %d, want %d", i+1, got, want)
					}
				}
				// Each row still holds what was written in it, and is
				// found under its group and bucket.
				st.each(func(r rowRef, s *sums, _ string) error {
					if s.runtime.Min() != float64(r.start) || s.cost.Min() != float64(r.group) {
						t.Fatalf("row %+v holds %+v", r, *s)
					}
					c := g.at(r.start)
					if f := st.find(r.group, &c); f != s {
						t.Fatalf("find(%d, %d) = %p, want %p", r.group, c.key, f, s)
					}
					return nil
				})
			})
		})
	}
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
					a.sp.each(instantOf(start), instantOf(end), func(c *cursor, secs float64) error {
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

// TestSlabsMatchTable checks that an Aggregator whose rows are in slabs
// gives the rows, and the binary form, of one whose rows are in the table,
// exactly: the same pieces are added in the same order to the same sums.
// Some sessions lie decades away from the others, so that the slabs grow
// too sparse and the rows move to the table halfway.
func TestSlabsMatchTable(t *testing.T) {
	zones := []*time.Location{time.FixedZone("UTC+05:45", 20700), time.FixedZone("UTC-03:00", -3*3600)}
	rapid.Check(t, func(t *rapid.T) {
		q := Query{
			Period:   rapid.SampledFrom([]Period{Hourly, Daily, Weekly, Monthly}).Draw(t, "period"),
			Location: rapid.SampledFrom(zones).Draw(t, "zone"),
			GroupBy:  rapid.SampledFrom([][]Field{nil, {QueueID}, {QueueID, UserID}}).Draw(t, "groupBy"),
			// Sessions a century apart span more hours than the default
			// limit of an open window.
			MaxBuckets: NoLimit,
		}
		if rapid.Bool().Draw(t, "bounded") {
			q.Start = time.Unix(engineSecond(t, "windowStart"), 0)
			q.End = q.Start.Add(time.Duration(rapid.Int64Range(1, 400*86400).Draw(t, "windowLength")) * time.Second)
		}
		slabbed, err := NewAggregator(q)
		if err != nil {
			t.Fatal(err)
		}
		if slabbed.rows.slabs == nil {
			t.Fatal("a fixed zone and no JOB_ID, but no slabs")
		}
		table, _ := NewAggregator(q)
		table.rows.slabs = nil
		for i := range rapid.IntRange(1, 40).Draw(t, "sessions") {
			s := engineSession(t, 10, 10*86400, float64(i))
			if err := slabbed.Add(s); err != nil {
				t.Fatal(err)
			}
			if err := table.Add(s); err != nil {
				t.Fatal(err)
			}
		}
		if diff := engineRowsDiff(t, table, slabbed); diff != "" {
			t.Fatalf("rows (-table +slabs):\n%s", diff)
		}
		gotBin, _ := slabbed.MarshalBinary()
		wantBin, _ := table.MarshalBinary()
		if !bytes.Equal(gotBin, wantBin) {
			t.Fatal("the binary forms differ")
		}
	})
}

// TestUnslab checks that sessions far apart in time move an Aggregator's
// rows from slabs to the table, with no row lost, and that it goes on
// adding there.
func TestUnslab(t *testing.T) {
	a, err := NewAggregator(Query{Period: Hourly, MaxBuckets: NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	at := func(year int) time.Time { return time.Date(year, 3, 1, 10, 30, 0, 0, time.UTC) }
	far := 2026 + slabBudget/(366*24) + 1 // more hours away than slabs hold
	for _, year := range []int{2026, far, 2026, far} {
		if err := a.Add(Session{Start: at(year), End: at(year).Add(time.Hour), CostInUSD: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if a.rows.slabs != nil {
		t.Fatalf("rows %d years apart are still in slabs of %d cells", far-2026, a.rows.slabs.size)
	}
	res, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for r := range res.Rows() {
		got = append(got, fmt.Sprintf("%s %d %g", r.Start.Format(time.RFC3339), r.Count, r.CostInUSD.Sum()))
	}
	want := []string{"2026-03-01T10:00:00Z 2 2", "2026-03-01T11:00:00Z 2 2",
		fmt.Sprintf("%d-03-01T10:00:00Z 2 2", far), fmt.Sprintf("%d-03-01T11:00:00Z 2 2", far)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
}

// TestStaysInSlabs checks that sessions close together keep an
// Aggregator's rows in slabs, in a bounded window and in an open one.
func TestStaysInSlabs(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []Query{
		{Period: Daily, GroupBy: []Field{QueueID}},
		{Period: Hourly, Start: start, End: start.AddDate(0, 0, 7)},
		{Period: Daily, Start: start, End: start.AddDate(1, 0, 0), GroupBy: []Field{QueueID}},
	} {
		a, err := NewAggregator(q)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 100 {
			s := start.Add(time.Duration(i) * 97 * time.Minute)
			a.Add(Session{Start: s, End: s.Add(time.Hour), QueueID: fmt.Sprint("q", i%3)})
		}
		if a.rows.slabs == nil {
			t.Errorf("%s, window [%v, %v): rows moved to the table", describe(&q), q.Start, q.End)
		}
	}
}

// TestBatchMatchesAdd checks that AddAll, which prepares sessions in
// batches before it adds them, leaves an Aggregator exactly as Add one
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
		if errors.Is(wantErr, ErrTooLarge) {
			return // both are unusable
		}
		// After an invalid session, both hold the sessions before it.
		if diff := engineRowsDiff(t, one, batched); diff != "" {
			t.Fatalf("rows (-Add +AddAll):\n%s", diff)
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
