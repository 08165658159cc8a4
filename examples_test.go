package sessionagg_test

import (
	"errors"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // the IANA zones below, where the system has no zone database

	"github.com/sessionagg/sessionagg"
)

// Calendar examples: periods, zones, and the worked examples 2, 3, 5, 6
// and 7 of the specification.

// ParsePeriod accepts the cloud APIs' names and the short forms, in any
// letter case; anything else is an error.
func ExampleParsePeriod() {
	for _, s := range []string{"HOURLY", "day", "Week", "MONTHLY", "yearly"} {
		p, err := sessionagg.ParsePeriod(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-7s -> %v\n", s, p)
	}
	// Output:
	// HOURLY  -> HOURLY
	// day     -> DAILY
	// Week    -> WEEKLY
	// MONTHLY -> MONTHLY
	// sessionagg: invalid period "yearly": want HOURLY, DAILY, WEEKLY, MONTHLY or hour, day, week, month
}

// ParseTimezone reads the cloud APIs' fixed offsets, in which UTC+8 is
// eight hours ahead of UTC: midnight there is 16:00 UTC the day before.
// Zones are named canonically, and the sign is never the inverted one of
// POSIX TZ or Etc/GMT+8.
func ExampleParseTimezone() {
	for _, s := range []string{"UTC", "GMT", "UTC+8", "UTC+08:00", "UTC-3", "UTC+05:30", "UTC+5:45", "UTC-09:30", "UTC+15", "Etc/GMT+8"} {
		loc, err := sessionagg.ParseTimezone(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		midnight := time.Date(2026, 3, 1, 0, 0, 0, 0, loc)
		fmt.Printf("%-9s %-9s midnight is %s\n", s, loc, midnight.UTC().Format(time.RFC3339))
	}
	// Output:
	// UTC       UTC       midnight is 2026-03-01T00:00:00Z
	// GMT       UTC       midnight is 2026-03-01T00:00:00Z
	// UTC+8     UTC+08:00 midnight is 2026-02-28T16:00:00Z
	// UTC+08:00 UTC+08:00 midnight is 2026-02-28T16:00:00Z
	// UTC-3     UTC-03:00 midnight is 2026-03-01T03:00:00Z
	// UTC+05:30 UTC+05:30 midnight is 2026-02-28T18:30:00Z
	// UTC+5:45  UTC+05:45 midnight is 2026-02-28T18:15:00Z
	// UTC-09:30 UTC-09:30 midnight is 2026-03-01T09:30:00Z
	// sessionagg: invalid timezone "UTC+15": offset outside -12:00 to +14:00; want UTC, GMT or UTC±H[:MM] between UTC-12:00 and UTC+14:00, such as UTC+8, UTC-3, UTC+05:30 or UTC+5:45
	// sessionagg: invalid timezone "Etc/GMT+8": want UTC, GMT or UTC±H[:MM] between UTC-12:00 and UTC+14:00, such as UTC+8, UTC-3, UTC+05:30 or UTC+5:45
}

// Split cuts a session at the hours of the zone, which in UTC+05:30 begin at
// half past each hour of UTC (worked example 2): a session from 10:15 to
// 12:45 UTC is cut at 10:30, 11:30 and 12:30 UTC, local 16:00, 17:00 and
// 18:00, into pieces of 15, 60, 60 and 15 minutes.
func ExampleCalendar_Split() {
	loc, err := sessionagg.ParseTimezone("UTC+05:30")
	if err != nil {
		panic(err)
	}
	cal := sessionagg.Calendar{Period: sessionagg.Hourly, Location: loc}
	start := time.Date(2026, 3, 1, 10, 15, 0, 0, time.UTC)
	end := time.Date(2026, 3, 1, 12, 45, 0, 0, time.UTC)
	for p := range cal.Split(start, end) {
		fmt.Printf("%s to %s UTC: %2.0f minutes of the hour from %s\n",
			p.Start.UTC().Format("15:04"), p.End.UTC().Format("15:04"),
			p.End.Sub(p.Start).Minutes(), p.Bucket.Start.Format("15:04 -07:00"))
	}
	// Output:
	// 10:15 to 10:30 UTC: 15 minutes of the hour from 15:00 +05:30
	// 10:30 to 11:30 UTC: 60 minutes of the hour from 16:00 +05:30
	// 11:30 to 12:30 UTC: 60 minutes of the hour from 17:00 +05:30
	// 12:30 to 12:45 UTC: 15 minutes of the hour from 18:00 +05:30
}

// Weeks run Monday to Sunday on the wall clock of the zone (worked example
// 3): a session from Sunday 2026-03-01 23:00 to Monday 01:00 UTC lies in two
// weeks of UTC, but wholly in the week from Monday 2026-03-02 of UTC+8,
// where it runs from Monday 07:00 to 09:00.
func ExampleCalendar_weekly() {
	start := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC) // a Sunday
	end := start.Add(2 * time.Hour)
	utc8, err := sessionagg.ParseTimezone("UTC+8")
	if err != nil {
		panic(err)
	}
	for _, loc := range []*time.Location{time.UTC, utc8} {
		cal := sessionagg.Calendar{Period: sessionagg.Weekly, Location: loc}
		fmt.Println(loc)
		for p := range cal.Split(start, end) {
			fmt.Printf("  %v in the week from %s\n", p.End.Sub(p.Start), p.Bucket.Start.Format("Mon 2006-01-02 15:04 -07:00"))
		}
	}
	// Output:
	// UTC
	//   1h0m0s in the week from Mon 2026-02-23 00:00 +00:00
	//   1h0m0s in the week from Mon 2026-03-02 00:00 +00:00
	// UTC+08:00
	//   2h0m0s in the week from Mon 2026-03-02 00:00 +08:00
}

// Days follow the wall clock, not 24-hour steps (worked example 5): in New
// York the day clocks go forward, 2026-03-08, lasts 23 hours and the day
// they go back, 2026-11-01, 25 hours, so the part of a session that covers
// such a day runs 82800 or 90000 seconds.
func ExampleCalendar_dst() {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	cal := sessionagg.Calendar{Period: sessionagg.Daily, Location: ny}
	for _, day := range []time.Time{
		time.Date(2026, 3, 8, 0, 0, 0, 0, ny),
		time.Date(2026, 11, 1, 0, 0, 0, 0, ny),
	} {
		// A session from noon the day before to noon the day after.
		start, end := day.Add(-12*time.Hour), day.AddDate(0, 0, 1).Add(12*time.Hour)
		for p := range cal.Split(start, end) {
			fmt.Printf("%s: %5.0f s of a day of %v\n", p.Bucket.Start.Format("2006-01-02"), p.End.Sub(p.Start).Seconds(), p.Bucket.Duration())
		}
	}
	// Output:
	// 2026-03-07: 43200 s of a day of 24h0m0s
	// 2026-03-08: 82800 s of a day of 23h0m0s
	// 2026-03-09: 43200 s of a day of 24h0m0s
	// 2026-10-31: 43200 s of a day of 24h0m0s
	// 2026-11-01: 90000 s of a day of 25h0m0s
	// 2026-11-02: 43200 s of a day of 24h0m0s
}

// Hours follow the wall clock too (worked example 6). On Lord Howe Island
// clocks move by 30 minutes: on 2026-04-05 they go back from 02:00 to 01:30,
// so the hour from 01:00 lasts 90 minutes; on 2026-10-04 they jump from
// 02:00 to 02:30, skipping the reading 02:00, so the end of the jump starts
// a bucket of 30 minutes.
func ExampleCalendar_lordHowe() {
	lh, err := time.LoadLocation("Australia/Lord_Howe")
	if err != nil {
		panic(err)
	}
	cal := sessionagg.Calendar{Period: sessionagg.Hourly, Location: lh}
	for _, day := range []time.Time{
		time.Date(2026, 4, 5, 0, 0, 0, 0, lh),
		time.Date(2026, 10, 4, 0, 0, 0, 0, lh),
	} {
		for b := range cal.Buckets(day, day.Add(4*time.Hour)) {
			fmt.Printf("%s to %s  %v\n", b.Start.Format("2006-01-02 15:04 -07:00"), b.End.Format("15:04 -07:00"), b.Duration())
		}
	}
	// Output:
	// 2026-04-05 00:00 +11:00 to 01:00 +11:00  1h0m0s
	// 2026-04-05 01:00 +11:00 to 02:00 +10:30  1h30m0s
	// 2026-04-05 02:00 +10:30 to 03:00 +10:30  1h0m0s
	// 2026-04-05 03:00 +10:30 to 03:30 +10:30  30m0s
	// 2026-10-04 00:00 +10:30 to 01:00 +10:30  1h0m0s
	// 2026-10-04 01:00 +10:30 to 02:30 +11:00  1h0m0s
	// 2026-10-04 02:30 +11:00 to 03:00 +11:00  30m0s
	// 2026-10-04 03:00 +11:00 to 04:00 +11:00  1h0m0s
	// 2026-10-04 04:00 +11:00 to 04:30 +11:00  30m0s
}

// A midnight that repeats does not split the day (worked example 7): in
// Havana clocks go back from 01:00 to 00:00 on 2026-11-01, so the wall
// clock reads 00:00 twice, an hour apart, and both lie in one day of 25
// hours.
func ExampleCalendar_havana() {
	havana, err := time.LoadLocation("America/Havana")
	if err != nil {
		panic(err)
	}
	cal := sessionagg.Calendar{Period: sessionagg.Daily, Location: havana}
	start := time.Date(2026, 10, 31, 0, 0, 0, 0, havana)
	for b := range cal.Buckets(start, start.AddDate(0, 0, 3)) {
		fmt.Printf("%s to %s  %v\n", b.Start.Format("2006-01-02 15:04 -07:00"), b.End.Format("2006-01-02 15:04 -07:00"), b.Duration())
	}
	first := time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC).In(havana)
	second := first.Add(time.Hour)
	fmt.Println(first.Format("15:04 -07:00"), "and", second.Format("15:04 -07:00"), "on the same day:",
		cal.Bucket(first).Start.Equal(cal.Bucket(second).Start))
	// Output:
	// 2026-10-31 00:00 -04:00 to 2026-11-01 00:00 -04:00  24h0m0s
	// 2026-11-01 00:00 -04:00 to 2026-11-02 00:00 -05:00  25h0m0s
	// 2026-11-02 00:00 -05:00 to 2026-11-03 00:00 -05:00  24h0m0s
	// 00:00 -04:00 and 00:00 -05:00 on the same day: true
}

// Aggregation examples: the Deadline query (worked examples 1 and 4),
// merging, serialising, paging, and the TRRO and Workspace shapes.

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

// AddAll adds a sequence of sessions, here a slice's, and stops at a bad
// one to say which: the sessions before it are added, as with Add.
func ExampleAggregator_AddAll() {
	a, _ := sessionagg.NewAggregator(sessionagg.Query{Period: sessionagg.Daily})
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	sessions := []sessionagg.Session{
		{Start: day.Add(1 * time.Hour), End: day.Add(2 * time.Hour), CostInUSD: 1},
		{Start: day.Add(3 * time.Hour), End: day.Add(5 * time.Hour), CostInUSD: 2},
		{Start: day.Add(7 * time.Hour), End: day.Add(6 * time.Hour), CostInUSD: 4}, // ends before it starts
		{Start: day.Add(8 * time.Hour), End: day.Add(9 * time.Hour), CostInUSD: 8},
	}
	fmt.Println(a.AddAll(slices.Values(sessions)))
	r, _ := a.Result()
	for row := range r.Rows() {
		fmt.Printf("%s: %d sessions, %.2f USD\n", row.Start.Format(time.DateOnly), row.Count, row.CostInUSD.Sum())
	}
	// Output:
	// session 2: sessionagg: invalid session: endTime "2026-03-01T06:00:00Z": before startTime 2026-03-01T07:00:00Z
	// 2026-03-01: 2 sessions, 3.00 USD
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

// A stream closes each hour once no session can reach it: here the
// watermark is the latest end seen less the longest session, an hour.
func ExampleAggregator_Close() {
	q := sessionagg.Query{Period: sessionagg.Hourly}
	a, _ := sessionagg.NewAggregator(q)
	at := func(h, m int) time.Time { return time.Date(2026, 3, 1, h, m, 0, 0, time.UTC) }
	for _, s := range []sessionagg.Session{
		{Start: at(9, 10), End: at(9, 50)},
		{Start: at(9, 40), End: at(10, 20)},
		{Start: at(10, 30), End: at(11, 15)},
		{Start: at(11, 0), End: at(12, 10)},
	} {
		if err := a.Add(s); err != nil {
			fmt.Println(err)
		}
		closed, _ := a.Close(s.End.Add(-time.Hour))
		for r := range closed.Rows() {
			fmt.Printf("closed at %s: %s, %d pieces\n", a.Watermark().Format("15:04"), r.Start.Format("15:04"), r.Count)
		}
	}
	err := a.Add(sessionagg.Session{Start: at(9, 55), End: at(10, 5)})
	fmt.Println(errors.Is(err, sessionagg.ErrLate))
	rest, _ := a.Result()
	for r := range rest.Rows() {
		fmt.Printf("at the end: %s, %d pieces\n", r.Start.Format("15:04"), r.Count)
	}
	// Output:
	// closed at 10:15: 09:00, 2 pieces
	// closed at 11:10: 10:00, 2 pieces
	// true
	// at the end: 11:00, 2 pieces
	// at the end: 12:00, 1 pieces
}
