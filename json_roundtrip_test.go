package sessionagg_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sessionagg/sessionagg"
)

// TestPageJSONRoundTrip checks that a page's JSON reads back into a Page
// that writes the same JSON, with the same rows, for queries with and
// without labels, some statistics, empty rows and a next token.
func TestPageJSONRoundTrip(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	sessions := []sessionagg.Session{
		{Start: day(28, 9), End: day(30, 1), CostInUSD: 3, QueueID: "q-1", JobID: "j", JobName: "render"},
		{Start: day(29, 5), End: day(29, 6), CostInUSD: 0.25, QueueID: "q-2", JobID: "k", UserID: "u"},
		{Start: day(31, 5), End: day(31, 5), CostInUSD: 1, QueueID: "", JobID: "k"},
	}
	for _, tc := range []struct {
		reason string
		q      sessionagg.Query
		size   int
	}{
		{"ungrouped, all statistics", sessionagg.Query{}, 0},
		{"by queue and job, across a DST change, two statistics, pages of 2", sessionagg.Query{Location: berlin,
			GroupBy: []sessionagg.Field{sessionagg.QueueID, sessionagg.JobID}, Statistics: []sessionagg.Statistic{sessionagg.Avg, sessionagg.Min}}, 2},
		{"empty rows filled in, sums only", sessionagg.Query{Period: sessionagg.Hourly, Start: day(29, 4), End: day(29, 8),
			GroupBy: []sessionagg.Field{sessionagg.UserID}, Statistics: []sessionagg.Statistic{sessionagg.Sum}, FillEmpty: true}, 3},
	} {
		res, err := sessionagg.Aggregate(tc.q, slices.Values(sessions))
		if err != nil {
			t.Fatal(err)
		}
		for page := range res.Pages(tc.size) {
			b, err := json.Marshal(page)
			if err != nil {
				t.Fatal(err)
			}
			var back sessionagg.Page
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s: %v in %s", tc.reason, err, b)
			}
			again, err := json.Marshal(back)
			if err != nil {
				t.Fatalf("%s: the page read back does not marshal: %v", tc.reason, err)
			}
			if diff := cmp.Diff(string(b), string(again)); diff != "" {
				t.Errorf("%s: JSON after a round trip (-first +again):\n%s", tc.reason, diff)
			}
			if back.NextToken != page.NextToken || len(back.Rows) != len(page.Rows) {
				t.Errorf("%s: read back %d rows and token %q, want %d and %q", tc.reason, len(back.Rows), back.NextToken, len(page.Rows), page.NextToken)
			}
			for i := range page.Rows {
				w, g := page.Rows[i], back.Rows[i]
				if !w.Start.Equal(g.Start) || !w.End.Equal(g.End) || w.Count != g.Count || w.QueueID != g.QueueID ||
					w.JobID != g.JobID || w.JobName != g.JobName || w.UserID != g.UserID ||
					w.CostInUSD.Sum() != g.CostInUSD.Sum() || w.RuntimeInSeconds.Sum() != g.RuntimeInSeconds.Sum() {
					t.Errorf("%s: row %d read back as %+v, want %+v", tc.reason, i, g, w)
				}
			}
		}
	}
}

// TestPageWithoutQuery checks that a Page a caller builds cannot marshal
// by guessing its labels and statistics, while its rows can.
func TestPageWithoutQuery(t *testing.T) {
	row := sessionagg.Row{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), QueueID: "q-1", Count: 1}
	row.CostInUSD.Add(2)
	row.RuntimeInSeconds.Add(60)
	if _, err := json.Marshal(sessionagg.Page{Rows: []sessionagg.Row{row}}); err == nil || !errors.Is(err, sessionagg.ErrInvalidQuery) {
		t.Errorf("marshalling a Page without a query: %v, want an error wrapping ErrInvalidQuery", err)
	}
	b, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"queueId":"q-1","count":1,"costInUsd":{"min":2,"max":2,"avg":2,"sum":2},"runtimeInSeconds":{"min":60,"max":60,"avg":60,"sum":60},"aggregationStartTime":"2026-03-01T00:00:00Z","aggregationEndTime":"2026-03-02T00:00:00Z"}`
	if string(b) != want {
		t.Errorf("Row JSON = %s, want %s", b, want)
	}
	var back sessionagg.Row
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(back); string(again) != want {
		t.Errorf("Row JSON read back = %s, want %s", again, want)
	}
}

// TestPageUnmarshalErrors checks responses that are not results.
func TestPageUnmarshalErrors(t *testing.T) {
	for _, tc := range []struct {
		reason, in string
		is         error
	}{
		{"a timeout", `{"statistics":[],"status":"TIMEOUT","statusMessage":"too big"}`, sessionagg.ErrTooLarge},
		{"in progress", `{"status":"IN_PROGRESS"}`, sessionagg.ErrInvalidData},
		{"a row without a count", `{"statistics":[{"aggregationStartTime":"2026-03-01T00:00:00Z","aggregationEndTime":"2026-03-02T00:00:00Z","costInUsd":{},"runtimeInSeconds":{}}]}`, sessionagg.ErrInvalidData},
		{"an end before the start", `{"statistics":[{"count":1,"aggregationStartTime":"2026-03-02T00:00:00Z","aggregationEndTime":"2026-03-01T00:00:00Z","costInUsd":{"sum":1},"runtimeInSeconds":{"sum":1}}]}`, sessionagg.ErrInvalidData},
		{"not JSON", `{`, sessionagg.ErrInvalidData},
	} {
		var p sessionagg.Page
		if err := p.UnmarshalJSON([]byte(tc.in)); !errors.Is(err, tc.is) {
			t.Errorf("%s: %v, want an error wrapping %v", tc.reason, err, tc.is)
		}
	}
	var p sessionagg.Page
	in := `{"statistics":[],"status":"COMPLETED","NextToken":"abc"}`
	if err := json.Unmarshal([]byte(in), &p); err != nil || p.NextToken != "abc" {
		t.Errorf("the paginator's NextToken: %v, token %q", err, p.NextToken)
	}
}

// TestDeviceJSON checks TRRO's field names and units, with a filled-in
// bucket that has no ratio.
func TestDeviceJSON(t *testing.T) {
	start := time.Unix(1661166000, 0)
	sessions := []sessionagg.DeviceSession{
		{Start: start, End: start.Add(30 * time.Minute), FieldDevice: "f", RemoteDevice: "r", Quality: sessionagg.Good},
		{Start: start.Add(10 * time.Minute), End: start.Add(40*time.Minute + 30*time.Second), FieldDevice: "f", Quality: sessionagg.Bad},
	}
	q := sessionagg.DeviceQuery{Start: start, End: start.Add(2 * time.Hour), Period: sessionagg.Hourly, FillEmpty: true}
	stats, err := sessionagg.AggregateDevices(q, slices.Values(sessions))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(stats)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"ActiveFieldDeviceNum":1,"ActiveRemoteDeviceNum":1,"SessionNum":2,"StartTime":1661166000,"EndTime":1661169600,"TotalDuration":60.5,"NotBadSessionRatio":50},` +
		`{"ActiveFieldDeviceNum":0,"ActiveRemoteDeviceNum":0,"SessionNum":0,"StartTime":1661169600,"EndTime":1661173200,"TotalDuration":0}]`
	if string(b) != want {
		t.Errorf("(-want +got):\n%s", cmp.Diff(want, string(b)))
	}
}

// TestDeviceFillEmpty checks which buckets FillEmpty adds on open and
// bounded windows.
func TestDeviceFillEmpty(t *testing.T) {
	h := func(n int) time.Time { return time.Date(2026, 3, 1, n, 0, 0, 0, time.UTC) }
	one := []sessionagg.DeviceSession{{Start: h(2), End: h(2).Add(time.Minute)}, {Start: h(5), End: h(5).Add(time.Minute)}}
	for _, tc := range []struct {
		reason   string
		q        sessionagg.DeviceQuery
		sessions []sessionagg.DeviceSession
		want     []int // the buckets' start hours, then sessions, in pairs
	}{
		{"open window: from the first to the last bucket with a session", sessionagg.DeviceQuery{Period: sessionagg.Hourly, FillEmpty: true}, one,
			[]int{2, 1, 3, 0, 4, 0, 5, 1}},
		{"bounded window, clipped", sessionagg.DeviceQuery{Period: sessionagg.Hourly, FillEmpty: true, Start: h(1), End: h(3).Add(30 * time.Minute)}, one,
			[]int{1, 0, 2, 1, 3, 0}},
		{"bounded window, no sessions", sessionagg.DeviceQuery{Period: sessionagg.Hourly, FillEmpty: true, Start: h(1), End: h(3)}, nil,
			[]int{1, 0, 2, 0}},
		{"open window, no sessions", sessionagg.DeviceQuery{Period: sessionagg.Hourly, FillEmpty: true, Start: h(1)}, nil, nil},
		{"no FillEmpty", sessionagg.DeviceQuery{Period: sessionagg.Hourly}, one, []int{2, 1, 5, 1}},
	} {
		stats, err := sessionagg.AggregateDevices(tc.q, slices.Values(tc.sessions))
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, s := range stats {
			got = append(got, s.Start.Hour(), int(s.Sessions))
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tc.reason, diff)
		}
	}
}

// TestDesktopJSON checks the export's field names, with dates local to
// the zone.
func TestDesktopJSON(t *testing.T) {
	loc := time.FixedZone("UTC+08:00", 8*3600)
	d := func(day, h int) time.Time { return time.Date(2026, 3, day, h, 0, 0, 0, loc) }
	sessions := []sessionagg.DesktopSession{
		{Start: d(1, 9), End: d(1, 12), ResourceID: "d-1", ResourceName: "dev-01"},
		{Start: d(1, 22), End: d(2, 1), ResourceID: "d-1"},
	}
	report, err := sessionagg.DesktopUsageReport(sessionagg.UsageQuery{Start: d(1, 0), End: d(4, 0), Location: loc}, slices.Values(sessions))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"resource_id":"d-1","resource_name":"dev-01","usage_seconds":21600,"idle_days":1,"daily_usage":[` +
		`{"date":"2026-03-01","usage_seconds":18000},{"date":"2026-03-02","usage_seconds":3600},{"date":"2026-03-03","usage_seconds":0}]}]`
	if string(b) != want {
		t.Errorf("(-want +got):\n%s", cmp.Diff(want, string(b)))
	}
}

// TestTextRoundTrip checks MarshalText and UnmarshalText of the
// enumerations, and their errors.
func TestTextRoundTrip(t *testing.T) {
	type text interface {
		MarshalText() ([]byte, error)
	}
	for _, tc := range []struct {
		reason string
		v      text
		parse  func([]byte) (text, error)
		want   string
	}{
		{"a field", sessionagg.LicenseProduct, func(b []byte) (text, error) { var f sessionagg.Field; err := f.UnmarshalText(b); return f, err }, "LICENSE_PRODUCT"},
		{"a statistic", sessionagg.Avg, func(b []byte) (text, error) { var s sessionagg.Statistic; err := s.UnmarshalText(b); return s, err }, "AVG"},
		{"a week start", sessionagg.Sunday, func(b []byte) (text, error) { var w sessionagg.WeekStart; err := w.UnmarshalText(b); return w, err }, "SUNDAY"},
		{"a quality", sessionagg.Normal, func(b []byte) (text, error) { var q sessionagg.Quality; err := q.UnmarshalText(b); return q, err }, "normal"},
	} {
		b, err := tc.v.MarshalText()
		if err != nil || string(b) != tc.want {
			t.Errorf("%s: MarshalText = %q, %v, want %q", tc.reason, b, err, tc.want)
		}
		back, err := tc.parse([]byte(strings.ToLower(string(b))))
		if err != nil || back != tc.v {
			t.Errorf("%s: UnmarshalText(%q) = %v, %v, want %v", tc.reason, b, back, err, tc.v)
		}
		if _, err := tc.parse([]byte("nope")); err == nil {
			t.Errorf("%s: UnmarshalText(nope) is not an error", tc.reason)
		}
	}
	for _, v := range []text{sessionagg.Field(0), sessionagg.Statistic(9), sessionagg.WeekStart(2), sessionagg.Quality(3)} {
		if _, err := v.MarshalText(); err == nil {
			t.Errorf("MarshalText of %v is not an error", v)
		}
	}
	var s sessionagg.Stats
	if _, ok := s.Value(sessionagg.Min); ok {
		t.Error("an empty Stats has a min")
	}
	if v, ok := s.Value(sessionagg.Sum); !ok || v != 0 {
		t.Errorf("an empty Stats has the sum %v, %v; want 0, true", v, ok)
	}
}
