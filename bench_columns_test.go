package sessionagg_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
)

// benchNames returns the labels of the benchmark data set's codes.
func benchNames(prefix string, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("%s-%03d", prefix, i)
	}
	return s
}

// BenchmarkAddColumns aggregates the million sessions as one batch of
// columns, the queue and user dictionary-coded, as the integer arrays of
// the hand-written loops hold them, and reads every row as a caller
// does: compare with BenchmarkHandWritten in the same run.
func BenchmarkAddColumns(b *testing.B) {
	d := benchData()
	c := sessionagg.Columns{
		Unit:      time.Second,
		Start:     d.start,
		End:       d.end,
		CostInUSD: d.cost,
		QueueID:   sessionagg.Labels{Codes: d.queue, Dictionary: benchNames("queue", benchQueues)},
		UserID:    sessionagg.Labels{Codes: d.user, Dictionary: benchNames("user", benchUsers)},
	}
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			q := bq.query()
			b.ReportAllocs()
			for range b.N {
				a, err := sessionagg.NewAggregator(q)
				if err != nil {
					b.Fatal(err)
				}
				if err := a.AddColumns(c); err != nil {
					b.Fatal(err)
				}
				res, err := a.Result()
				if err != nil {
					b.Fatal(err)
				}
				var n int64
				for row := range res.Rows() {
					n += row.Count
				}
				if n < benchSessionCount {
					b.Fatalf("%d pieces, want at least %d", n, benchSessionCount)
				}
			}
			reportPerSession(b, len(d.start))
		})
	}
}

// BenchmarkRows reads every row of each query's Result: with Rows, one Row
// value a row, and with AppendColumns, into columns reused from one op to
// the next. ns/row is the figure to watch.
func BenchmarkRows(b *testing.B) {
	d := benchData()
	for _, bq := range benchQueries {
		res, err := sessionagg.Aggregate(bq.query(), slices.Values(d.sessions))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bq.name+"/Rows", func(b *testing.B) {
			b.ReportAllocs()
			var n int64
			for range b.N {
				for row := range res.Rows() {
					n += row.Count
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*res.Len()), "ns/row")
		})
		b.Run(bq.name+"/AppendColumns", func(b *testing.B) {
			b.ReportAllocs()
			var c sessionagg.RowColumns
			var n int64
			for range b.N {
				c.Reset()
				res.AppendColumns(&c, 0, res.Len())
				for _, k := range c.Count {
					n += k
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*res.Len()), "ns/row")
		})
	}
}
