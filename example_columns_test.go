package sessionagg_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/sessionagg/sessionagg"
)

// AddColumns takes sessions as columnar data holds them: times as counts
// of a unit since 1970, here milliseconds, and labels as strings or, here,
// as codes into a dictionary of values. The three sessions cost 1.50 USD
// an hour; the last one runs past midnight and is split there.
func ExampleAggregator_AddColumns() {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	const hour = 3600_000
	a, err := sessionagg.NewAggregator(sessionagg.Query{
		Period:  sessionagg.Daily,
		GroupBy: []sessionagg.Field{sessionagg.QueueID},
	})
	if err != nil {
		panic(err)
	}
	err = a.AddColumns(sessionagg.Columns{
		Unit:      time.Millisecond,
		Start:     []int64{day + 9*hour, day + 13*hour, day + 22*hour},
		End:       []int64{day + 12*hour, day + 21*hour, day + 25*hour},
		CostInUSD: []float64{4.5, 12, 4.5},
		QueueID: sessionagg.Labels{
			Codes:      []int32{1, 0, 1},
			Dictionary: []string{"q-render", "q-bake"},
		},
	})
	if err != nil {
		panic(err)
	}
	res, err := a.Result()
	if err != nil {
		panic(err)
	}
	for row := range res.Rows() {
		fmt.Printf("%s %-8s %d pieces %5.0f s %5.2f USD\n", row.Start.Format(time.DateOnly), row.QueueID,
			row.Count, row.RuntimeInSeconds.Sum(), row.CostInUSD.Sum())
	}

	// A bad row is an error that names the row and the column.
	err = a.AddColumns(sessionagg.Columns{
		Unit:  time.Millisecond,
		Start: []int64{day, day + hour},
		End:   []int64{day + hour, day},
	})
	fmt.Println(err)
	// Output:
	// 2026-03-01 q-bake   2 pieces 18000 s  7.50 USD
	// 2026-03-01 q-render 1 pieces 28800 s 12.00 USD
	// 2026-03-02 q-bake   1 pieces  3600 s  1.50 USD
	// row 1: sessionagg: invalid session: endTime "2026-03-01T00:00:00Z": before startTime 2026-03-01T01:00:00Z
}

// AppendColumns reads rows into columns, with no Row made per row: here a
// page of two rows at a time, into the same columns each time.
func ExampleResult_AppendColumns() {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := sessionagg.Aggregate(sessionagg.Query{
		Period:  sessionagg.Daily,
		GroupBy: []sessionagg.Field{sessionagg.QueueID},
	}, slices.Values([]sessionagg.Session{
		{Start: day.Add(9 * time.Hour), End: day.Add(12 * time.Hour), QueueID: "q-bake"},
		{Start: day.Add(13 * time.Hour), End: day.Add(21 * time.Hour), QueueID: "q-render"},
		{Start: day.Add(22 * time.Hour), End: day.Add(25 * time.Hour), QueueID: "q-bake"},
	}))
	if err != nil {
		panic(err)
	}
	var c sessionagg.RowColumns
	for i := 0; i < res.Len(); i += 2 {
		c.Reset()
		res.AppendColumns(&c, i, min(i+2, res.Len()))
		fmt.Println(c.Labels[0], c.Count)
	}
	// Output:
	// [q-bake q-render] [2 1]
	// [q-bake] [1]
}

// AppendRowsJSON writes rows as JSON straight from the result, here as
// JSON Lines: one row a line, as Page.MarshalJSON writes each row.
func ExampleResult_AppendRowsJSON() {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := sessionagg.Aggregate(sessionagg.Query{
		Period:     sessionagg.Daily,
		GroupBy:    []sessionagg.Field{sessionagg.QueueID},
		Statistics: []sessionagg.Statistic{sessionagg.Sum},
	}, slices.Values([]sessionagg.Session{
		{Start: day.Add(9 * time.Hour), End: day.Add(12 * time.Hour), CostInUSD: 1.5, QueueID: "q-bake"},
		{Start: day.Add(13 * time.Hour), End: day.Add(21 * time.Hour), CostInUSD: 4, QueueID: "q-render"},
	}))
	if err != nil {
		panic(err)
	}
	b := res.AppendRowsJSON(nil, 0, res.Len(), '\n')
	fmt.Printf("%s\n", b)
	// Output:
	// {"queueId":"q-bake","count":1,"costInUsd":{"sum":1.5},"runtimeInSeconds":{"sum":10800},"aggregationStartTime":"2026-03-01T00:00:00Z","aggregationEndTime":"2026-03-02T00:00:00Z"}
	// {"queueId":"q-render","count":1,"costInUsd":{"sum":4},"runtimeInSeconds":{"sum":28800},"aggregationStartTime":"2026-03-01T00:00:00Z","aggregationEndTime":"2026-03-02T00:00:00Z"}
}
