package sessionagg_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/sessionagg/sessionagg"
)

// TestFillEmpty checks the rows FillEmpty adds: every bucket of the window
// for every group that has a row, with a count of zero, and in JSON only a
// sum of zero.
func TestFillEmpty(t *testing.T) {
	sessions := []sessionagg.Session{
		{Start: at(2, 10, 0), End: at(2, 11, 0), QueueID: "b"},
		{Start: at(3, 23, 0), End: at(4, 1, 0), QueueID: "a"},
	}
	type cell struct {
		Day   int
		Queue string
		Count int64
	}
	summary := func(r *sessionagg.Result) []cell {
		var out []cell
		for row := range r.Rows() {
			out = append(out, cell{row.Start.Day(), row.QueueID, row.Count})
		}
		return out
	}
	tests := []struct {
		reason string
		q      sessionagg.Query
		want   []cell
	}{
		{
			reason: "ungrouped, bounded window: every day",
			q:      sessionagg.Query{Start: at(1, 0, 0), End: at(5, 0, 0), FillEmpty: true},
			want:   []cell{{1, "", 0}, {2, "", 1}, {3, "", 1}, {4, "", 1}},
		},
		{
			reason: "grouped, open window: from the first to the last bucket with a piece",
			q:      sessionagg.Query{GroupBy: []sessionagg.Field{sessionagg.QueueID}, FillEmpty: true},
			want:   []cell{{2, "a", 0}, {2, "b", 1}, {3, "a", 1}, {3, "b", 0}, {4, "a", 1}, {4, "b", 0}},
		},
		{
			reason: "not asked: no empty rows",
			q:      sessionagg.Query{Start: at(1, 0, 0), End: at(5, 0, 0)},
			want:   []cell{{2, "", 1}, {3, "", 1}, {4, "", 1}},
		},
	}
	for _, tt := range tests {
		r, err := sessionagg.Aggregate(tt.q, slices.Values(sessions))
		if err != nil {
			t.Fatalf("%s: %v", tt.reason, err)
		}
		if diff := cmp.Diff(tt.want, summary(r)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
		}
	}

	q := sessionagg.Query{Start: at(1, 0, 0), End: at(2, 0, 0), FillEmpty: true, Statistics: []sessionagg.Statistic{sessionagg.Avg, sessionagg.Sum}}
	r, err := sessionagg.Aggregate(q, slices.Values([]sessionagg.Session(nil)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.MarshalJSON()
	want := `"count":0,"costInUsd":{"sum":0},"runtimeInSeconds":{"sum":0}`
	if !strings.Contains(string(b), want) {
		t.Errorf("empty row JSON = %s, want it to contain %s", b, want)
	}

	q = sessionagg.Query{Start: at(1, 0, 0), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Period: sessionagg.Hourly, FillEmpty: true, MaxRows: 100}
	if _, err := sessionagg.Aggregate(q, slices.Values(sessions)); err == nil {
		t.Errorf("filling 744 hours with MaxRows 100: no error")
	}
}

// TestFillEmptyMaxBuckets checks that FillEmpty, in a window bounded on one
// side, counts the buckets from that side to the rows against MaxBuckets:
// from a start in 2000 to one session in 2026, hourly, is 229,355 buckets.
func TestFillEmptyMaxBuckets(t *testing.T) {
	sessions := []sessionagg.Session{{Start: at(1, 10, 0), End: at(1, 11, 0)}}
	since2000 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	until2030 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		reason   string
		q        sessionagg.Query
		wantRows int // -1 for ErrTooLarge
	}{
		{"open end, a start long before", sessionagg.Query{Period: sessionagg.Hourly, Start: since2000, FillEmpty: true, MaxBuckets: 100}, -1},
		{"open start, an end long after", sessionagg.Query{Period: sessionagg.Hourly, End: until2030, FillEmpty: true, MaxBuckets: 100}, -1},
		{"the same without FillEmpty", sessionagg.Query{Period: sessionagg.Hourly, Start: since2000, MaxBuckets: 100}, 1},
		{"a start 99 hours before", sessionagg.Query{Period: sessionagg.Hourly, Start: at(1, 10, 0).Add(-99 * time.Hour), FillEmpty: true, MaxBuckets: 100}, 100},
		{"a start 100 hours before", sessionagg.Query{Period: sessionagg.Hourly, Start: at(1, 10, 0).Add(-100 * time.Hour), FillEmpty: true, MaxBuckets: 100}, -1},
	}
	for _, tt := range tests {
		r, err := sessionagg.Aggregate(tt.q, slices.Values(sessions))
		switch {
		case tt.wantRows < 0 && !errors.Is(err, sessionagg.ErrTooLarge):
			t.Errorf("%s: %v, want ErrTooLarge", tt.reason, err)
		case tt.wantRows >= 0 && err != nil:
			t.Errorf("%s: %v", tt.reason, err)
		case tt.wantRows >= 0 && r.Len() != tt.wantRows:
			t.Errorf("%s: %d rows, want %d", tt.reason, r.Len(), tt.wantRows)
		}
	}
}

// TestAppendColumns checks that AppendColumns, over any cuts of the rows
// and into columns reused after Reset, holds the rows that Rows yields.
func TestAppendColumns(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q, sessions := aggCase(t, 30)
		res, err := sessionagg.Aggregate(q, slices.Values(sessions))
		if err != nil {
			t.Skip(err)
		}
		var c sessionagg.RowColumns
		if rapid.Bool().Draw(t, "reused") {
			res.AppendColumns(&c, 0, res.Len())
			c.Reset()
		}
		cuts := rapid.SliceOfN(rapid.IntRange(0, res.Len()), 0, 3).Draw(t, "cuts")
		cuts = append(cuts, 0, res.Len())
		slices.Sort(cuts)
		for k := 0; k+1 < len(cuts); k++ {
			res.AppendColumns(&c, cuts[k], cuts[k+1])
		}
		var got []sessionagg.Row
		for k := range c.Count {
			row := sessionagg.Row{Start: c.Start[k], End: c.End[k], Count: c.Count[k],
				RuntimeInSeconds: c.RuntimeInSeconds[k], CostInUSD: c.CostInUSD[k]}
			for f, field := range q.GroupBy {
				*rowLabel(&row, field) = c.Labels[f][k]
			}
			if len(c.JobName) > 0 {
				row.JobName = c.JobName[k]
			}
			got = append(got, row)
		}
		want := slices.Collect(res.Rows())
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(sessionagg.Stats{})); diff != "" {
			t.Fatalf("%s: AppendColumns (-Rows +got):\n%s", aggDescribe(q), diff)
		}
	})
}

// rowLabel returns the field of r that holds the label f.
func rowLabel(r *sessionagg.Row, f sessionagg.Field) *string {
	return map[sessionagg.Field]*string{
		sessionagg.QueueID: &r.QueueID, sessionagg.FleetID: &r.FleetID, sessionagg.JobID: &r.JobID,
		sessionagg.UserID: &r.UserID, sessionagg.UsageType: &r.UsageType,
		sessionagg.InstanceType: &r.InstanceType, sessionagg.LicenseProduct: &r.LicenseProduct,
	}[f]
}
