package sessionagg_test

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
)

// streamSession sets s to the i-th session of a stream: one ends every
// 36 ms of simulated time (1,667 a minute), each up to 2 hours long, in
// one of 16 queues; made on the fly and held nowhere.
func streamSession(i int, s *sessionagg.Session, queues []string) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := base.Add(time.Duration(i) * 36 * time.Millisecond)
	h := uint64(i) * 0x9E3779B97F4A7C15
	s.Start = end.Add(-time.Duration(h>>40%7200) * time.Second)
	s.End = end
	s.CostInUSD = float64(h>>20%1000) / 100
	s.QueueID = queues[h>>8%uint64(len(queues))]
}

// streamCount is the number of sessions BenchmarkStream adds:
// SESSIONAGG_STREAM (e.g. 100000000), or a million.
func streamCount() int {
	if n, err := strconv.Atoi(os.Getenv("SESSIONAGG_STREAM")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkStream adds a stream of sessions, hourly and grouped by queue,
// closing at every simulated minute with a watermark 2 hours behind, and
// reports the heap in use at a tenth, half and all of the stream: flat
// if only open buckets are held. Plain adds the same sessions with no
// close, to compare throughput (ns/session) in the same run.
func BenchmarkStream(b *testing.B) {
	n := streamCount()
	queues := make([]string, 16)
	for i := range queues {
		queues[i] = "q-" + strconv.Itoa(i)
	}
	q := sessionagg.Query{Period: sessionagg.Hourly, GroupBy: []sessionagg.Field{sessionagg.QueueID}, MaxBuckets: sessionagg.NoLimit}
	for _, mode := range []string{"Plain", "Close"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				a, err := sessionagg.NewAggregator(q)
				if err != nil {
					b.Fatal(err)
				}
				var s sessionagg.Session
				var ms runtime.MemStats
				for i := range n {
					streamSession(i, &s, queues)
					if err := a.Add(s); err != nil {
						b.Fatal(err)
					}
					if mode == "Close" && i%1667 == 0 {
						if _, err := a.Close(s.End.Add(-2 * time.Hour)); err != nil {
							b.Fatal(err)
						}
					}
					if mode == "Close" && (i+1 == n/10 || i+1 == n/2 || i+1 == n) {
						runtime.GC()
						runtime.ReadMemStats(&ms)
						b.ReportMetric(float64(ms.HeapInuse), "heap-at-"+strconv.Itoa((i+1)*10/n)+"/10")
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/session")
		})
	}
}
