package sessionagg_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/sessionagg/sessionagg"
)

// The SPEC's worked example 1: three sessions on one UTC day, the last of
// which runs past midnight, aggregated daily. The day holds three pieces and
// 13 hours; the next day holds the last hour of the third session.
func ExampleAggregate() {
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	sessions := []sessionagg.Session{
		{Start: day(1, 9), End: day(1, 12), CostInUSD: 3},
		{Start: day(1, 13), End: day(1, 21), CostInUSD: 8},
		{Start: day(1, 22), End: day(2, 1), CostInUSD: 3},
	}
	r, err := sessionagg.Aggregate(sessionagg.Query{Period: sessionagg.Daily}, slices.Values(sessions))
	if err != nil {
		panic(err)
	}
	for row := range r.Rows() {
		fmt.Printf("%s count %d runtime %.0f h cost %.2f USD\n",
			row.Start.Format(time.DateOnly), row.Count, row.RuntimeInSeconds.Sum()/3600, row.CostInUSD.Sum())
	}
	// Output:
	// 2026-03-01 count 3 runtime 13 h cost 13.00 USD
	// 2026-03-02 count 1 runtime 1 h cost 1.00 USD
}

// The SPEC's worked example 4: monthly buckets in UTC-3. A 4-hour session
// across the local month end costing 4 USD gives each month 2 hours and
// 2 USD. The response is the cloud API's JSON, with only the requested
// statistics.
func ExampleAggregate_monthly() {
	loc, err := sessionagg.ParseTimezone("UTC-3")
	if err != nil {
		panic(err)
	}
	sessions := []sessionagg.Session{{
		Start:     time.Date(2026, 1, 31, 22, 0, 0, 0, loc),
		End:       time.Date(2026, 2, 1, 2, 0, 0, 0, loc),
		CostInUSD: 4,
		QueueID:   "q-1",
	}}
	q := sessionagg.Query{
		Period:     sessionagg.Monthly,
		Location:   loc,
		GroupBy:    []sessionagg.Field{sessionagg.QueueID},
		Statistics: []sessionagg.Statistic{sessionagg.Sum},
	}
	r, err := sessionagg.Aggregate(q, slices.Values(sessions))
	if err != nil {
		panic(err)
	}
	b, _ := r.MarshalJSON()
	fmt.Println(string(b))
	// Output:
	// {"statistics":[{"queueId":"q-1","count":1,"costInUsd":{"sum":2},"runtimeInSeconds":{"sum":7200},"aggregationStartTime":"2026-01-01T00:00:00-03:00","aggregationEndTime":"2026-02-01T00:00:00-03:00"},{"queueId":"q-1","count":1,"costInUsd":{"sum":2},"runtimeInSeconds":{"sum":7200},"aggregationStartTime":"2026-02-01T00:00:00-03:00","aggregationEndTime":"2026-03-01T00:00:00-03:00"}],"status":"COMPLETED"}
}

// Shards of the sessions, aggregated separately (in goroutines, or in other
// processes), merge into the rows of aggregating everything at once.
func ExampleAggregator_Merge() {
	q := sessionagg.Query{Period: sessionagg.Daily, GroupBy: []sessionagg.Field{sessionagg.UserID}}
	east, _ := sessionagg.NewAggregator(q)
	west, _ := sessionagg.NewAggregator(q)
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	east.Add(sessionagg.Session{Start: day.Add(1 * time.Hour), End: day.Add(2 * time.Hour), UserID: "ana", CostInUSD: 1})
	west.Add(sessionagg.Session{Start: day.Add(5 * time.Hour), End: day.Add(8 * time.Hour), UserID: "ana", CostInUSD: 3})
	west.Add(sessionagg.Session{Start: day.Add(9 * time.Hour), End: day.Add(10 * time.Hour), UserID: "bo", CostInUSD: 1})
	if err := east.Merge(west); err != nil {
		panic(err)
	}
	r, _ := east.Result()
	for row := range r.Rows() {
		fmt.Printf("%s: %d sessions, %.0f s, %.2f USD\n", row.UserID, row.Count, row.RuntimeInSeconds.Sum(), row.CostInUSD.Sum())
	}
	// Output:
	// ana: 2 sessions, 14400 s, 4.00 USD
	// bo: 1 sessions, 3600 s, 1.00 USD
}

// A partial result travels between processes as bytes. The receiver must
// be made for the same query; data of another query is refused.
func ExampleAggregator_MarshalBinary() {
	q := sessionagg.Query{Period: sessionagg.Hourly}
	worker, _ := sessionagg.NewAggregator(q)
	start := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	worker.Add(sessionagg.Session{Start: start, End: start.Add(time.Hour), CostInUSD: 2})
	data, err := worker.MarshalBinary()
	if err != nil {
		panic(err)
	}

	// In another process:
	received, _ := sessionagg.NewAggregator(q)
	if err := received.UnmarshalBinary(data); err != nil {
		panic(err)
	}
	total, _ := sessionagg.NewAggregator(q)
	total.Merge(received)
	r, _ := total.Result()
	for row := range r.Rows() {
		fmt.Println(row.Start.Format(time.Kitchen), row.RuntimeInSeconds.Sum(), row.CostInUSD.Sum())
	}

	daily, _ := sessionagg.NewAggregator(sessionagg.Query{Period: sessionagg.Daily})
	fmt.Println(daily.UnmarshalBinary(data) != nil)
	// Output:
	// 10:00AM 1800 1
	// 11:00AM 1800 1
	// true
}

// Results are read a page at a time, as the cloud API returns them; the
// token of one page leads to the next, and the last page has none.
func ExampleResult_Page() {
	var sessions []sessionagg.Session
	for d := 1; d <= 5; d++ {
		start := time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC)
		sessions = append(sessions, sessionagg.Session{Start: start, End: start.Add(time.Hour)})
	}
	r, _ := sessionagg.Aggregate(sessionagg.Query{}, slices.Values(sessions))
	token := ""
	for {
		p, err := r.Page(token, 2)
		if err != nil {
			panic(err)
		}
		for _, row := range p.Rows {
			fmt.Print(row.Start.Format("Jan 2"), "; ")
		}
		fmt.Println("more:", p.NextToken != "")
		if p.NextToken == "" {
			break
		}
		token = p.NextToken
	}
	// Output:
	// Mar 1; Mar 2; more: true
	// Mar 3; Mar 4; more: true
	// Mar 5; more: false
}

// TRRO's per-interval statistics: sessions, minutes, active devices and
// the share of sessions not rated bad, per hour.
func ExampleAggregateDevices() {
	t := func(h, m int) time.Time { return time.Date(2026, 3, 1, h, m, 0, 0, time.UTC) }
	sessions := []sessionagg.DeviceSession{
		{Start: t(9, 0), End: t(9, 20), FieldDevice: "crane-1", RemoteDevice: "desk-a", Quality: sessionagg.Good},
		{Start: t(9, 30), End: t(10, 10), FieldDevice: "crane-2", RemoteDevice: "desk-a", Quality: sessionagg.Bad},
	}
	stats, err := sessionagg.AggregateDevices(sessionagg.DeviceQuery{Period: sessionagg.Hourly}, slices.Values(sessions))
	if err != nil {
		panic(err)
	}
	for _, s := range stats {
		fmt.Printf("%s sessions %d minutes %.0f field %d remote %d not bad %.0f%%\n",
			s.Start.Format("15:04"), s.Sessions, s.TotalMinutes, s.ActiveFieldDevices, s.ActiveRemoteDevices, s.NotBadPercent)
	}
	// Output:
	// 09:00 sessions 2 minutes 50 field 2 remote 1 not bad 50%
	// 10:00 sessions 1 minutes 10 field 1 remote 1 not bad 0%
}

// Workspace's desktop usage: seed 004's logins 09:00–12:00, 13:00–21:00
// and 22:00–01:00 give 13 hours on the first day and 1 on the second; the
// third day of the range is idle.
func ExampleDesktopUsageReport() {
	t := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	sessions := []sessionagg.DesktopSession{
		{Start: t(1, 9), End: t(1, 12), ResourceID: "desk-1", ResourceName: "design"},
		{Start: t(1, 13), End: t(1, 21), ResourceID: "desk-1", ResourceName: "design"},
		{Start: t(1, 22), End: t(2, 1), ResourceID: "desk-1", ResourceName: "design"},
	}
	q := sessionagg.UsageQuery{Start: t(1, 0), End: t(4, 0), SortBy: sessionagg.SortByUsage, Descending: true}
	report, err := sessionagg.DesktopUsageReport(q, slices.Values(sessions))
	if err != nil {
		panic(err)
	}
	for _, u := range report {
		fmt.Printf("%s: %.0f h in all, %d idle day(s)\n", u.ResourceName, u.UsageSeconds/3600, u.IdleDays)
		for _, d := range u.Days {
			fmt.Printf("  %s %.0f h\n", d.Start.Format(time.DateOnly), d.Seconds/3600)
		}
	}
	// Output:
	// design: 14 h in all, 1 idle day(s)
	//   2026-03-01 13 h
	//   2026-03-02 1 h
	//   2026-03-03 0 h
}
