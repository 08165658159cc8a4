package sessionagg_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// streamClipStart returns the start of s clipped to q's window, and
// whether s has a piece in it.
func streamClipStart(q *sessionagg.Query, s *sessionagg.Session) (time.Time, bool) {
	if len(q.QueueIDs) > 0 && !slices.Contains(q.QueueIDs, s.QueueID) || len(q.FleetIDs) > 0 && !slices.Contains(q.FleetIDs, s.FleetID) {
		return time.Time{}, false // filtered out
	}
	start, end := s.Start, s.End
	if !q.Start.IsZero() && start.Before(q.Start) {
		start = q.Start
	}
	if !q.End.IsZero() && end.After(q.End) {
		end = q.End
	}
	if start.Before(end) {
		return start, true
	}
	// A zero-length session has a piece if its start is in the window.
	return start, s.Start.Equal(s.End) && start.Equal(s.Start) && (q.End.IsZero() || start.Before(q.End))
}

// streamWatermark draws a watermark no later than every session of rest
// (by its clipped start) and no earlier than prev, or reports false.
func streamWatermark(t *rapid.T, q *sessionagg.Query, prev time.Time, rest []sessionagg.Session, label string) (time.Time, bool) {
	var limit time.Time
	for i := range rest {
		if st, ok := streamClipStart(q, &rest[i]); ok && (limit.IsZero() || st.Before(limit)) {
			limit = st
		}
	}
	if limit.IsZero() {
		// No session to come has a piece: any watermark will do.
		limit = rest0(prev).Add(30 * 24 * time.Hour)
	}
	w := limit.Add(-time.Duration(rapid.Int64Range(0, int64(3*24*time.Hour)).Draw(t, label)))
	if !prev.IsZero() && w.Before(prev) {
		return time.Time{}, false
	}
	return w, true
}

func rest0(prev time.Time) time.Time {
	if prev.IsZero() {
		return time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	return prev
}

// streamFilter keeps the rows that a stream gives exactly as a batch does:
// with FillEmpty and GroupBy, a group first seen after a close has no
// empty rows in the buckets closed before it, so empty rows are left out
// of the comparison there.
func streamFilter(q *sessionagg.Query, rows []aggRow) []aggRow {
	if !q.FillEmpty || len(q.GroupBy) == 0 {
		return rows
	}
	return slices.DeleteFunc(rows, func(r aggRow) bool { return r.Count == 0 })
}

// TestStreamEqualsBatch checks that the rows of every Close, followed by
// the final Result, are the rows of aggregating every session at once,
// for sessions in any order and watermarks that they respect.
func TestStreamEqualsBatch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 40)
		q.FillEmpty = rapid.Bool().Draw(t, "fillEmpty")
		// Arrival order: sorted by start, with neighbours swapped, or
		// shuffled.
		order := rapid.Permutation(sessions).Draw(t, "order")
		if rapid.Bool().Draw(t, "sorted") {
			slices.SortStableFunc(order, func(x, y sessionagg.Session) int { return x.Start.Compare(y.Start) })
		}
		a, err := sessionagg.NewAggregator(q)
		if err != nil {
			t.Fatalf("NewAggregator(%s) = %v", aggDescribe(q), err)
		}
		var got []aggRow
		var wm time.Time
		for i := 0; i <= len(order); i++ {
			if rapid.IntRange(0, 2).Draw(t, fmt.Sprintf("close%d", i)) == 0 {
				if w, ok := streamWatermark(t, &q, wm, order[i:], fmt.Sprintf("back%d", i)); ok {
					r, err := a.Close(w)
					if err != nil {
						t.Fatalf("Close(%v) = %v", w, err)
					}
					for row := range r.Rows() {
						if row.End.After(w) {
							t.Fatalf("Close(%v) gave a row ending at %v", w, row.End)
						}
					}
					got = append(got, aggRows(r)...)
					wm = w
				}
			}
			if i < len(order) {
				if err := a.Add(order[i]); err != nil {
					t.Fatalf("%s: Add(%v) after Close(%v) = %v", aggDescribe(q), order[i], wm, err)
				}
			}
		}
		r, err := a.Result()
		if err != nil {
			t.Fatalf("Result() = %v", err)
		}
		got = append(got, aggRows(r)...)
		want := aggRows(aggRun(t, q, sessions))
		if diff := cmp.Diff(streamFilter(&q, want), streamFilter(&q, got), aggApprox); diff != "" {
			t.Fatalf("%s fill %v: closes then Result (-want +got):\n%s", aggDescribe(q), q.FillEmpty, diff)
		}
	})
}

// TestStreamLate checks that after a close, every session with a piece in
// a closed bucket is refused with ErrLate and changes nothing, and every
// other one is accepted.
func TestStreamLate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 30)
		later := aggSessions(t, sessions0(sessions), q.Period, 20)
		cal := sessionagg.Calendar{Period: q.Period, Location: q.Location, WeekStart: q.WeekStart}
		a, err := sessionagg.NewAggregator(q)
		if err != nil {
			t.Fatalf("NewAggregator(%s) = %v", aggDescribe(q), err)
		}
		if err := a.AddAll(slices.Values(sessions)); err != nil {
			t.Fatalf("AddAll = %v", err)
		}
		w := aggInstant(t, sessions0(sessions), "watermark")
		if _, err := a.Close(w); err != nil {
			t.Fatalf("Close(%v) = %v", w, err)
		}
		var accepted []sessionagg.Session
		for _, s := range later {
			before := aggRows(aggResult(t, a))
			start, has := streamClipStart(&q, &s)
			late := has && !cal.Bucket(start).End.After(w)
			err := a.Add(s)
			switch {
			case late && !errors.Is(err, sessionagg.ErrLate):
				t.Fatalf("%s: Add(%v) after Close(%v) = %v, want ErrLate", aggDescribe(q), s, w, err)
			case late:
				if diff := cmp.Diff(before, aggRows(aggResult(t, a))); diff != "" {
					t.Fatalf("a late session changed the rows (-want +got):\n%s", diff)
				}
			case err != nil:
				t.Fatalf("%s: Add(%v) after Close(%v) = %v, want nil", aggDescribe(q), s, w, err)
			default:
				accepted = append(accepted, s)
			}
		}
		// The accepted sessions are where a batch puts them, in the open
		// buckets.
		b, _ := sessionagg.NewAggregator(q)
		b.AddAll(slices.Values(append(slices.Clone(sessions), accepted...)))
		if _, err := b.Close(w); err != nil {
			t.Fatalf("Close(%v) = %v", w, err)
		}
		if diff := cmp.Diff(aggRows(aggResult(t, b)), aggRows(aggResult(t, a)), aggApprox); diff != "" {
			t.Fatalf("%s: open rows after late sessions (-want +got):\n%s", aggDescribe(q), diff)
		}
	})
}

func sessions0(s []sessionagg.Session) time.Time {
	if len(s) == 0 {
		return time.Date(2026, 6, 17, 12, 0, 0, 0, time.UTC)
	}
	return s[0].Start
}

// TestStreamMergeBinary checks that aggregators closed at one watermark,
// sent through their binary form and merged, go on as one aggregator of
// all their sessions closed at that watermark; and that aggregators closed
// at different watermarks do not merge.
func TestStreamMergeBinary(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 40)
		q.FillEmpty = rapid.Bool().Draw(t, "fillEmpty")
		w := aggInstant(t, sessions0(sessions), "watermark")
		w2 := w.Add(time.Duration(rapid.Int64Range(0, int64(10*24*time.Hour)).Draw(t, "step")))
		whole, _ := sessionagg.NewAggregator(q)
		k := rapid.IntRange(1, 4).Draw(t, "shards")
		shards := make([]*sessionagg.Aggregator, k)
		for i := range shards {
			shards[i], _ = sessionagg.NewAggregator(q)
		}
		for i, s := range sessions {
			whole.Add(s)
			shards[rapid.IntRange(0, k-1).Draw(t, fmt.Sprintf("shard%d", i))].Add(s)
		}
		if _, err := whole.Close(w); err != nil {
			t.Fatalf("Close(%v) = %v", w, err)
		}
		merged, _ := sessionagg.NewAggregator(q)
		for i, a := range shards {
			if _, err := a.Close(w); err != nil {
				t.Fatalf("Close(%v) = %v", w, err)
			}
			data, err := a.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary() = %v", err)
			}
			b, _ := sessionagg.NewAggregator(q)
			if err := b.UnmarshalBinary(data); err != nil {
				t.Fatalf("UnmarshalBinary(MarshalBinary()) = %v", err)
			}
			if !b.Watermark().Equal(w) {
				t.Fatalf("Watermark() after a round trip = %v, want %v", b.Watermark(), w)
			}
			if again, _ := b.MarshalBinary(); !slices.Equal(again, data) {
				t.Fatalf("encoding again gives other bytes")
			}
			if i == 0 {
				merged = b
			} else if err := merged.Merge(b); err != nil {
				t.Fatalf("Merge of aggregators closed at %v = %v", w, err)
			}
		}
		rows := func(a *sessionagg.Aggregator) []aggRow {
			r, err := a.Close(w2)
			if err != nil {
				t.Fatalf("Close(%v) = %v", w2, err)
			}
			return append(aggRows(r), aggRows(aggResult(t, a))...)
		}
		// The binary form holds the groups of open rows only: with
		// FillEmpty and GroupBy, a group whose rows were all closed has
		// no empty rows after a round trip.
		if diff := cmp.Diff(streamFilter(&q, rows(whole)), streamFilter(&q, rows(merged)), aggApprox, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%s fill %v: merged shards after Close(%v) (-want +got):\n%s", aggDescribe(q), q.FillEmpty, w, diff)
		}
		// Another watermark, or none, does not merge.
		other, _ := sessionagg.NewAggregator(q)
		if rapid.Bool().Draw(t, "otherClosed") {
			other.Close(w2.Add(time.Second))
		}
		if err := merged.Merge(other); !errors.Is(err, sessionagg.ErrMismatch) {
			t.Fatalf("Merge of aggregators closed at %v and %v = %v, want ErrMismatch", merged.Watermark(), other.Watermark(), err)
		}
	})
}
