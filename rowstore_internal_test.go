package sessionagg

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// White-box tests of the row store: the table's memory and bucket span,
// and the slabs against the table.

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
