package sessionagg_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
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

// benchColumns returns sessions [i, j) of the data set as a batch of
// columns, the queue and user dictionary-coded, as the integer arrays of
// the hand-written loops hold them.
func benchColumns(d *benchSet, i, j int) sessionagg.Columns {
	return sessionagg.Columns{
		Unit:      time.Second,
		Start:     d.start[i:j],
		End:       d.end[i:j],
		CostInUSD: d.cost[i:j],
		QueueID:   sessionagg.Labels{Codes: d.queue[i:j], Dictionary: benchNames("queue", benchQueues)},
		UserID:    sessionagg.Labels{Codes: d.user[i:j], Dictionary: benchNames("user", benchUsers)},
	}
}

// readRows reads every row of res as a caller does, and checks that the
// rows hold at least pieces pieces.
func readRows(b *testing.B, res *sessionagg.Result, pieces int64) {
	var n int64
	for row := range res.Rows() {
		n += row.Count
	}
	if n < pieces {
		b.Fatalf("%d pieces, want at least %d", n, pieces)
	}
}

// BenchmarkAddColumns aggregates the million sessions as one batch of
// columns and reads every row as a caller does: compare with
// BenchmarkHandWritten in the same run. With batches=10 it adds the batch
// ten times, ten million sessions into the same rows: ns/session should
// stay that of one.
func BenchmarkAddColumns(b *testing.B) {
	d := benchData()
	c := benchColumns(d, 0, len(d.start))
	for _, batches := range []int{1, 10} {
		for _, bq := range benchQueries {
			name := bq.name
			if batches > 1 {
				name = fmt.Sprintf("%s/batches=%d", name, batches)
			}
			b.Run(name, func(b *testing.B) {
				q := bq.query()
				b.ReportAllocs()
				for range b.N {
					a, err := sessionagg.NewAggregator(q)
					if err != nil {
						b.Fatal(err)
					}
					for range batches {
						if err := a.AddColumns(c); err != nil {
							b.Fatal(err)
						}
					}
					res, err := a.Result()
					if err != nil {
						b.Fatal(err)
					}
					readRows(b, res, int64(batches)*benchSessionCount)
				}
				reportPerSession(b, batches*len(d.start))
			})
		}
	}
}

// BenchmarkAggregateRows is BenchmarkAggregate with every row read, as a
// caller does: compare with BenchmarkHandWrittenSessions in the same run.
func BenchmarkAggregateRows(b *testing.B) {
	d := benchData()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			q := bq.query()
			b.ReportAllocs()
			for range b.N {
				res, err := sessionagg.Aggregate(q, slices.Values(d.sessions))
				if err != nil {
					b.Fatal(err)
				}
				readRows(b, res, benchSessionCount)
			}
			reportPerSession(b, len(d.sessions))
		})
	}
}

// BenchmarkParallel aggregates the million sessions on GOMAXPROCS
// goroutines, rows read: with AggregateParallel over []Session, and with
// an Aggregator per goroutine fed a share of the columns, then merged.
// Run it with -cpu 1,2 for the speed-up.
func BenchmarkParallel(b *testing.B) {
	d := benchData()
	for _, bq := range benchQueries {
		q := bq.query()
		b.Run("Aggregate/"+bq.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				res, err := sessionagg.AggregateParallel(q, d.sessions)
				if err != nil {
					b.Fatal(err)
				}
				readRows(b, res, benchSessionCount)
			}
			reportPerSession(b, len(d.sessions))
		})
		b.Run("Columns/"+bq.name, func(b *testing.B) {
			b.ReportAllocs()
			n := runtime.GOMAXPROCS(0)
			for range b.N {
				shards := make([]*sessionagg.Aggregator, n)
				var wg sync.WaitGroup
				for i := range shards {
					shards[i], _ = sessionagg.NewAggregator(q)
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := shards[i].AddColumns(benchColumns(d, i*len(d.start)/n, (i+1)*len(d.start)/n)); err != nil {
							panic(err)
						}
					}()
				}
				wg.Wait()
				for _, a := range shards[1:] {
					if err := shards[0].Merge(a); err != nil {
						b.Fatal(err)
					}
				}
				res, err := shards[0].Result()
				if err != nil {
					b.Fatal(err)
				}
				readRows(b, res, benchSessionCount)
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

// BenchmarkJSON writes every row of each query's Result as JSON: with
// Page and Page.MarshalJSON, one Row value a row, and with
// AppendPageJSON, from the rows as they lie into a buffer reused from one
// op to the next. ns/row is the figure to watch.
func BenchmarkJSON(b *testing.B) {
	d := benchData()
	for _, bq := range benchQueries {
		res, err := sessionagg.Aggregate(bq.query(), slices.Values(d.sessions))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bq.name+"/PageMarshalJSON", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				p, err := res.Page("", 0)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.MarshalJSON(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*res.Len()), "ns/row")
		})
		b.Run(bq.name+"/AppendPageJSON", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for range b.N {
				if buf, err = res.AppendPageJSON(buf[:0], "", 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*res.Len()), "ns/row")
		})
	}
}
