package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// The SPEC's worked examples, run through the command and checked
// numerically on its JSON output, examples 5 to 7 in zones with daylight
// saving time.

// response is the JSON output of the command.
type response struct {
	Statistics []struct {
		Count            int64
		CostInUSD        map[string]float64 `json:"costInUsd"`
		RuntimeInSeconds map[string]float64 `json:"runtimeInSeconds"`
		Start            string             `json:"aggregationStartTime"`
		End              string             `json:"aggregationEndTime"`
	}
	Status    string
	NextToken string
}

// aggregateJSON runs the command with -format json on the CSV text and
// decodes the output.
func aggregateJSON(t *testing.T, csvText string, args ...string) response {
	t.Helper()
	out := mustRun(t, csvText, append(append([]string{"-format", "json"}, args...), "-")...)
	var r response
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("sessionagg %s: %v in\n%s", strings.Join(args, " "), err, out)
	}
	if r.Status != "COMPLETED" {
		t.Errorf("status %q, want COMPLETED", r.Status)
	}
	return r
}

// wantRow is a row of a worked example.
type wantRow struct {
	start, end string
	count      int64
	runtime    float64 // sum, seconds
	cost       float64 // sum, USD
}

func checkRows(t *testing.T, example string, got response, want []wantRow) {
	t.Helper()
	if len(got.Statistics) != len(want) {
		t.Fatalf("%s: %d rows, want %d: %+v", example, len(got.Statistics), len(want), got.Statistics)
	}
	for i, w := range want {
		g := got.Statistics[i]
		if g.Start != w.start || g.End != w.end || g.Count != w.count ||
			math.Abs(g.RuntimeInSeconds["sum"]-w.runtime) > 1e-9 || math.Abs(g.CostInUSD["sum"]-w.cost) > 1e-9 {
			t.Errorf("%s: row %d = %s to %s, count %d, runtime %v s, cost %v USD; want %s to %s, count %d, runtime %v s, cost %v USD",
				example, i, g.Start, g.End, g.Count, g.RuntimeInSeconds["sum"], g.CostInUSD["sum"],
				w.start, w.end, w.count, w.runtime, w.cost)
		}
	}
}

const header = "startTime,endTime,costInUsd\n"

func TestWorkedExample1(t *testing.T) {
	// Daily, UTC: 09:00-12:00, 13:00-21:00 and 22:00-01:00 give day 1
	// count 3, 13 hours, and day 2 count 1, 1 hour.
	in := header +
		"2026-03-01T09:00:00Z,2026-03-01T12:00:00Z,3\n" +
		"2026-03-01T13:00:00Z,2026-03-01T21:00:00Z,8\n" +
		"2026-03-01T22:00:00Z,2026-03-02T01:00:00Z,3\n"
	checkRows(t, "example 1", aggregateJSON(t, in, "-period", "DAILY", "-timezone", "UTC"), []wantRow{
		{"2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", 3, 13 * 3600, 13},
		{"2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", 1, 3600, 1},
	})
}

func TestWorkedExample2(t *testing.T) {
	// Hourly, UTC+05:30: 10:15 to 12:45 UTC is cut at 10:30, 11:30 and
	// 12:30 UTC (16:00, 17:00, 18:00 local) into 15, 60, 60 and 15 minutes.
	in := header + "2026-03-01T10:15:00Z,2026-03-01T12:45:00Z,150\n"
	checkRows(t, "example 2", aggregateJSON(t, in, "-period", "HOURLY", "-timezone", "UTC+05:30"), []wantRow{
		{"2026-03-01T15:00:00+05:30", "2026-03-01T16:00:00+05:30", 1, 15 * 60, 15},
		{"2026-03-01T16:00:00+05:30", "2026-03-01T17:00:00+05:30", 1, 60 * 60, 60},
		{"2026-03-01T17:00:00+05:30", "2026-03-01T18:00:00+05:30", 1, 60 * 60, 60},
		{"2026-03-01T18:00:00+05:30", "2026-03-01T19:00:00+05:30", 1, 15 * 60, 15},
	})
}

func TestWorkedExample3(t *testing.T) {
	// Weekly: Sunday 2026-03-01 23:00 to Monday 01:00 UTC is 1 h in each
	// of two ISO weeks in UTC, and wholly in the week of Monday 2026-03-02
	// in UTC+8.
	in := header + "2026-03-01T23:00:00Z,2026-03-02T01:00:00Z,2\n"
	checkRows(t, "example 3, UTC", aggregateJSON(t, in, "-period", "WEEKLY"), []wantRow{
		{"2026-02-23T00:00:00Z", "2026-03-02T00:00:00Z", 1, 3600, 1},
		{"2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", 1, 3600, 1},
	})
	checkRows(t, "example 3, UTC+8", aggregateJSON(t, in, "-period", "week", "-timezone", "UTC+8"), []wantRow{
		{"2026-03-02T00:00:00+08:00", "2026-03-09T00:00:00+08:00", 1, 7200, 2},
	})
}

func TestWorkedExample4(t *testing.T) {
	// Monthly, UTC-3: 2026-01-31T22:00-03:00 to 2026-02-01T02:00-03:00
	// costing 4 USD gives January 2 h and 2 USD, February 2 h and 2 USD.
	in := header + "2026-01-31T22:00:00-03:00,2026-02-01T02:00:00-03:00,4\n"
	checkRows(t, "example 4", aggregateJSON(t, in, "-period", "MONTHLY", "-timezone", "UTC-3"), []wantRow{
		{"2026-01-01T00:00:00-03:00", "2026-02-01T00:00:00-03:00", 1, 7200, 2},
		{"2026-02-01T00:00:00-03:00", "2026-03-01T00:00:00-03:00", 1, 7200, 2},
	})
}

func TestWorkedExample5(t *testing.T) {
	// Daily, America/New_York: 2026-03-08 lasts 23 hours and 2026-11-01
	// 25; a session over each whole day has 82800 s and 90000 s.
	in := header + "2026-03-08T05:00:00Z,2026-03-09T04:00:00Z,23\n" +
		"2026-11-01T04:00:00Z,2026-11-02T05:00:00Z,25\n"
	checkRows(t, "example 5", aggregateJSON(t, in, "-timezone", "America/New_York"), []wantRow{
		{"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 1, 82800, 23},
		{"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 1, 90000, 25},
	})
}

func TestWorkedExample6(t *testing.T) {
	// Hourly, Australia/Lord_Howe: the hour from 01:00+11:00 on
	// 2026-04-05 lasts 90 minutes; on 2026-10-04 the bucket from
	// 02:30+11:00 to 03:00+11:00 lasts 30.
	in := header + "2026-04-04T14:00:00Z,2026-04-04T15:30:00Z,3\n" +
		"2026-10-03T15:30:00Z,2026-10-03T16:00:00Z,1\n"
	checkRows(t, "example 6", aggregateJSON(t, in, "-period", "hour", "-timezone", "Australia/Lord_Howe"), []wantRow{
		{"2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30", 1, 5400, 3},
		{"2026-10-04T02:30:00+11:00", "2026-10-04T03:00:00+11:00", 1, 1800, 1},
	})
}

func TestWorkedExample7(t *testing.T) {
	// Daily, America/Havana: 2026-11-01, whose midnight repeats, is one
	// day of 25 hours. A local 00:00:00 that day is in the fold, so the
	// first session says its offset; the second is in local time.
	in := header + "2026-11-01T00:00:00-04:00,2026-11-01T00:30:00-04:00,1\n" +
		"2026-11-01 23:00:00,2026-11-02 00:00:00,1\n"
	got := aggregateJSON(t, in, "-timezone", "America/Havana", "-input-timezone", "America/Havana")
	checkRows(t, "example 7", got, []wantRow{
		{"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 2, 5400, 2},
	})
}

// TestWindowClipping checks the window: only the part of a session inside
// it counts, the cost is prorated over the whole session, and the rows'
// times are clipped to the window.
func TestWindowClipping(t *testing.T) {
	in := header + "2026-03-01T22:00:00Z,2026-03-02T02:00:00Z,4\n"
	checkRows(t, "window", aggregateJSON(t, in, "-start", "2026-03-01T23:00:00Z", "-end", "1772413200"), []wantRow{
		{"2026-03-01T23:00:00Z", "2026-03-02T00:00:00Z", 1, 3600, 1},
		{"2026-03-02T00:00:00Z", "2026-03-02T01:00:00Z", 1, 3600, 1},
	})
}
