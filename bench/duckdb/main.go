// Command duckdb times sessionagg on the data set and queries of the
// package's benchmarks (bench_aggregate_test.go) and writes the same data
// set as CSV and as Parquet, for duckdb.mjs to time DuckDB on them. With
// -parquet it also times sessionagg on the Parquet file, end to end: open,
// read through the arrow adapter, aggregate, read the rows. It is a module
// of its own, so that the library's go.mod stays free of it, and CI does
// not run it. See README.md.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/sessionagg/sessionagg"
	sessionarrow "github.com/sessionagg/sessionagg/arrow"
)

// The data set, generated exactly as benchData in bench_aggregate_test.go
// generates it: a million sessions whose starts are uniform over the 90
// days from 2026-01-01T00:00:00Z, lognormal durations (median 30 minutes,
// sigma 1.5, capped at 7 days, whole seconds), 20 queues, 200 users and
// 10 instance types with hourly rates of 0.25 to 2.50 USD.
const (
	sessionCount = 1_000_000
	queues       = 20
	users        = 200
	types        = 10
)

var (
	epoch     = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	windowEnd = epoch.AddDate(0, 0, 97)
)

type record struct {
	start, end         int64
	queue, user, itype int
	cost               float64
}

func generate() ([]sessionagg.Session, []record) {
	r := rand.New(rand.NewPCG(2026, 1))
	name := func(prefix string, n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("%s-%03d", prefix, i)
		}
		return s
	}
	qs, us, ts := name("queue", queues), name("user", users), name("type", types)
	rate := make([]float64, types)
	for i := range rate {
		rate[i] = 0.25 * float64(i+1)
	}
	sessions := make([]sessionagg.Session, sessionCount)
	records := make([]record, sessionCount)
	const maxSecs = 7 * 24 * 3600
	for i := range sessions {
		start := epoch.Unix() + r.Int64N(90*24*3600)
		secs := int64(math.Round(math.Min(math.Exp(math.Log(1800)+1.5*r.NormFloat64()), maxSecs)))
		q, u, ty := r.IntN(queues), r.IntN(users), r.IntN(types)
		cost := float64(secs) / 3600 * rate[ty]
		sessions[i] = sessionagg.Session{
			Start: time.Unix(start, 0).UTC(), End: time.Unix(start+secs, 0).UTC(), CostInUSD: cost,
			QueueID: qs[q], UserID: us[u], InstanceType: ts[ty],
		}
		records[i] = record{start, start + secs, q, u, ty, cost}
	}
	return sessions, records
}

func zone(s string) *time.Location {
	loc, err := sessionagg.ParseTimezone(s)
	if err != nil {
		log.Fatal(err)
	}
	return loc
}

func main() {
	out := flag.String("out", "", "write the sessions as CSV to this file")
	pq := flag.String("parquet", "", "write the sessions as Parquet to this file, and time sessionagg reading it")
	runs := flag.Int("runs", 3, "time each query as the best of this many runs")
	only := flag.String("time-parquet", "", "time only AddParquet on this existing Parquet file, for rounds.sh")
	profile := flag.String("cpuprofile", "", "write a CPU profile of -time-parquet to this file")
	only1 := flag.String("query", "", "with -time-parquet, time only the query of this name (Q1, Q2 or Q3)")
	flag.IntVar(&goroutines, "goroutines", 1, "read the Parquet file's row groups on this many goroutines (AddParquetParallel)")
	flag.Parse()

	if *only != "" {
		if *profile != "" {
			f, err := os.Create(*profile)
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				log.Fatal(err)
			}
			defer pprof.StopCPUProfile()
		}
		fmt.Printf("sessionagg, GOMAXPROCS=%d, best of %d runs\n", runtime.GOMAXPROCS(0), *runs)
		for _, q := range queries() {
			if *only1 != "" && !strings.HasPrefix(q.name, *only1+" ") {
				continue
			}
			timeParquet(*only, q.name, q.q, *runs)
		}
		return
	}
	sessions, records := generate()
	if *out != "" {
		if err := writeCSV(*out, records); err != nil {
			log.Fatal(err)
		}
	}
	if *pq != "" {
		if err := writeParquet(*pq, records); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("sessionagg, GOMAXPROCS=%d, best of %d runs\n", runtime.GOMAXPROCS(0), *runs)
	for _, q := range queries() {
		for _, parallel := range []bool{false, true} {
			var res *sessionagg.Result
			best := time.Duration(math.MaxInt64)
			for range *runs {
				t0 := time.Now()
				var err error
				if parallel {
					res, err = sessionagg.AggregateParallel(q.q, sessions)
				} else {
					res, err = sessionagg.Aggregate(q.q, slices.Values(sessions))
				}
				if err != nil {
					log.Fatal(err)
				}
				best = min(best, time.Since(t0))
			}
			var runtimeSum, costSum float64
			for row := range res.Rows() {
				runtimeSum += row.RuntimeInSeconds.Sum()
				costSum += row.CostInUSD.Sum()
			}
			how := "Aggregate"
			if parallel {
				how = "AggregateParallel"
			}
			fmt.Printf("%-32s %-18s %8.1f ms %7.1f ns/session  rows %7d  runtime %.6e s  cost %.6e USD\n",
				q.name, how, float64(best.Microseconds())/1e3, float64(best.Nanoseconds())/sessionCount, res.Len(), runtimeSum, costSum)
		}
		if *pq == "" {
			continue
		}
		timeParquet(*pq, q.name, q.q, *runs)
	}
}

// A query is one of the three benchmark queries, with its name.
type query struct {
	name string
	q    sessionagg.Query
}

func queries() []query {
	return []query{
		{"Q1 hourly UTC+8 by queue", sessionagg.Query{Start: epoch, End: windowEnd, Period: sessionagg.Hourly,
			Location: zone("UTC+8"), GroupBy: []sessionagg.Field{sessionagg.QueueID}}},
		{"Q2 daily UTC+8 by queue, user", sessionagg.Query{Start: epoch, End: windowEnd, Period: sessionagg.Daily,
			Location: zone("UTC+8"), GroupBy: []sessionagg.Field{sessionagg.QueueID, sessionagg.UserID}}},
		{"Q3 monthly UTC-3", sessionagg.Query{Start: epoch, End: windowEnd, Period: sessionagg.Monthly, Location: zone("UTC-3")}},
	}
}

// timeParquet times q end to end from the Parquet file at path, rows read
// as a caller reads them: what DuckDB's query of the file does.
func timeParquet(path, name string, q sessionagg.Query, runs int) {
	best := time.Duration(math.MaxInt64)
	var rows int
	var runtimeSum, costSum float64
	for range runs {
		t0 := time.Now()
		rows, runtimeSum, costSum = fromParquet(path, q)
		best = min(best, time.Since(t0))
	}
	fmt.Printf("%-32s %-18s %8.1f ms %7.1f ns/session  rows %7d  runtime %.6e s  cost %.6e USD\n",
		name, fmt.Sprintf("AddParquet/%d", goroutines), float64(best.Microseconds())/1e3, float64(best.Nanoseconds())/sessionCount, rows, runtimeSum, costSum)
}

// goroutines is the -goroutines flag.
var goroutines int

// fromParquet aggregates the Parquet file at path by q, reads every row,
// and returns the number of rows and the sums of their runtimes and costs.
func fromParquet(path string, q sessionagg.Query) (rows int, runtimeSum, costSum float64) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, err := sessionagg.NewAggregator(q)
	if err != nil {
		log.Fatal(err)
	}
	if err := sessionarrow.AddParquetParallel(context.Background(), a, f, goroutines); err != nil {
		log.Fatal(err)
	}
	res, err := a.Result()
	if err != nil {
		log.Fatal(err)
	}
	for row := range res.Rows() {
		rows++
		runtimeSum += row.RuntimeInSeconds.Sum()
		costSum += row.CostInUSD.Sum()
	}
	return rows, runtimeSum, costSum
}

// writeCSV writes the sessions with Unix seconds and label codes.
func writeCSV(path string, records []record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "start,end,queue,user,itype,cost")
	for _, r := range records {
		fmt.Fprintf(w, "%d,%d,queue-%03d,user-%03d,type-%03d,%s\n", r.start, r.end, r.queue, r.user, r.itype,
			fmt.Sprint(r.cost)) // shortest exact float
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
