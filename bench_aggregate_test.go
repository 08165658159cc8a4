package sessionagg_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sessionagg/sessionagg"
)

// The benchmark data set: a million sessions whose starts are uniform over
// the 90 days from 2026-01-01T00:00:00Z, whose durations are lognormal
// (median 30 minutes, sigma 1.5, capped at 7 days, whole seconds), with 20
// queues, 200 users and 10 instance types, each type with its own hourly
// rate. It is generated once, from a fixed seed, and shared by every
// benchmark, with the same sessions also coded as integers for the
// hand-written baseline.
const (
	benchSessionCount = 1_000_000
	benchQueues       = 20
	benchUsers        = 200
	benchTypes        = 10
)

var (
	benchEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// benchWindow covers the 90 days of starts and the 7 days the longest
	// session can run past them, so no session is clipped.
	benchWindowEnd = benchEpoch.AddDate(0, 0, 97)
)

// benchSet is the data set in both shapes.
type benchSet struct {
	sessions []sessionagg.Session

	// The same sessions for the hand-written loop: Unix seconds, label
	// codes and costs.
	start, end  []int64
	queue, user []int32
	cost        []float64
}

var benchData = sync.OnceValue(func() *benchSet {
	r := rand.New(rand.NewPCG(2026, 1))
	name := func(prefix string, n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("%s-%03d", prefix, i)
		}
		return s
	}
	queues, users, types := name("queue", benchQueues), name("user", benchUsers), name("type", benchTypes)
	rate := make([]float64, benchTypes) // USD per hour
	for i := range rate {
		rate[i] = 0.25 * float64(i+1)
	}
	d := &benchSet{
		sessions: make([]sessionagg.Session, benchSessionCount),
		start:    make([]int64, benchSessionCount),
		end:      make([]int64, benchSessionCount),
		queue:    make([]int32, benchSessionCount),
		user:     make([]int32, benchSessionCount),
		cost:     make([]float64, benchSessionCount),
	}
	const maxSecs = 7 * 24 * 3600
	for i := range d.sessions {
		start := benchEpoch.Unix() + r.Int64N(90*24*3600)
		secs := int64(math.Round(math.Min(math.Exp(math.Log(1800)+1.5*r.NormFloat64()), maxSecs)))
		q, u, ty := r.IntN(benchQueues), r.IntN(benchUsers), r.IntN(benchTypes)
		cost := float64(secs) / 3600 * rate[ty]
		d.sessions[i] = sessionagg.Session{
			Start:        time.Unix(start, 0).UTC(),
			End:          time.Unix(start+secs, 0).UTC(),
			CostInUSD:    cost,
			QueueID:      queues[q],
			UserID:       users[u],
			InstanceType: types[ty],
		}
		d.start[i], d.end[i] = start, start+secs
		d.queue[i], d.user[i] = int32(q), int32(u)
		d.cost[i] = cost
	}
	return d
})

// benchQuery is one of the three benchmark queries.
type benchQuery struct {
	name  string
	query func() sessionagg.Query
}

func benchZone(s string) *time.Location {
	loc, err := sessionagg.ParseTimezone(s)
	if err != nil {
		panic(err)
	}
	return loc
}

var benchQueries = []benchQuery{
	{"Q1", func() sessionagg.Query { // hourly in UTC+8 by queue
		return sessionagg.Query{Start: benchEpoch, End: benchWindowEnd, Period: sessionagg.Hourly,
			Location: benchZone("UTC+8"), GroupBy: []sessionagg.Field{sessionagg.QueueID}}
	}},
	{"Q2", func() sessionagg.Query { // daily in UTC+8 by queue and user
		return sessionagg.Query{Start: benchEpoch, End: benchWindowEnd, Period: sessionagg.Daily,
			Location: benchZone("UTC+8"), GroupBy: []sessionagg.Field{sessionagg.QueueID, sessionagg.UserID}}
	}},
	{"Q3", func() sessionagg.Query { // monthly in UTC-3, ungrouped
		return sessionagg.Query{Start: benchEpoch, End: benchWindowEnd, Period: sessionagg.Monthly,
			Location: benchZone("UTC-3")}
	}},
}

// reportPerSession reports the time per session of one op over the whole
// data set.
func reportPerSession(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(n)), "ns/session")
}

// BenchmarkAggregate runs Aggregate over the million sessions for each
// query: one op is the whole data set, Result included.
func BenchmarkAggregate(b *testing.B) {
	d := benchData()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			q := bq.query()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				res, err := sessionagg.Aggregate(q, slices.Values(d.sessions))
				if err != nil {
					b.Fatal(err)
				}
				if res.Len() == 0 {
					b.Fatal("no rows")
				}
			}
			reportPerSession(b, len(d.sessions))
		})
	}
}

// BenchmarkAggregatorAdd adds the million sessions to an Aggregator that
// has seen them already, so that every row exists: the cost of Add alone,
// which allocates nothing.
func BenchmarkAggregatorAdd(b *testing.B) {
	d := benchData()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			a, err := sessionagg.NewAggregator(bq.query())
			if err != nil {
				b.Fatal(err)
			}
			add := func() {
				for i := range d.sessions {
					if err := a.Add(d.sessions[i]); err != nil {
						b.Fatal(err)
					}
				}
			}
			add()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				add()
			}
			reportPerSession(b, len(d.sessions))
		})
	}
}

// BenchmarkAggregateParallel runs AggregateParallel for Q1 and reports its
// speed-up over Aggregate, timed here as the best of three runs.
func BenchmarkAggregateParallel(b *testing.B) {
	d := benchData()
	q := benchQueries[0].query()
	serial := time.Duration(math.MaxInt64)
	for range 3 {
		t0 := time.Now()
		if _, err := sessionagg.Aggregate(q, slices.Values(d.sessions)); err != nil {
			b.Fatal(err)
		}
		serial = min(serial, time.Since(t0))
	}
	b.Run(fmt.Sprintf("Q1/procs=%d", runtime.GOMAXPROCS(0)), func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := sessionagg.AggregateParallel(q, d.sessions); err != nil {
				b.Fatal(err)
			}
		}
		reportPerSession(b, len(d.sessions))
		b.ReportMetric(float64(serial.Nanoseconds())/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "speedup")
	})
}

// BenchmarkReadSessions reads the million sessions through an
// iter.Seq[Session], as Aggregate does, and only their times and cost: the
// floor under any aggregation of []Session values, which are 176 bytes
// each where the hand-written loops below read 36.
func BenchmarkReadSessions(b *testing.B) {
	d := benchData()
	var sink int64
	for range b.N {
		for s := range slices.Values(d.sessions) {
			sink += s.Start.Unix() + s.End.Unix() + int64(s.CostInUSD)
		}
	}
	if sink == 0 {
		b.Fatal("read nothing")
	}
	reportPerSession(b, len(d.sessions))
}

// BenchmarkHandWritten is the baseline: special-purpose loops over the
// integer-coded sessions that compute what Q1, Q2 and Q3 compute (count,
// compensated sums, minimum and maximum of runtime and cost per row), with
// every bucket rule written for the query's fixed offset.
func BenchmarkHandWritten(b *testing.B) {
	d := benchData()
	lo, hi := benchEpoch.Unix(), benchWindowEnd.Unix()
	b.Run("Q1", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			const off = 8 * 3600
			first := (lo + off) / 3600
			n := int((hi+off)/3600 - first + 1)
			cells := make([]handCell, benchQueues*n)
			for i, s := range d.start {
				e, g := d.end[i], int(d.queue[i])*n
				total, cost := float64(e-s), d.cost[i]
				h := (s + off) / 3600
				for {
					be := (h+1)*3600 - off
					pe := min(e, be)
					cells[g+int(h-first)].add(float64(pe-s), total, cost)
					if e <= be {
						break
					}
					s, h = be, h+1
				}
			}
			handRows(b, cells)
		}
		reportPerSession(b, len(d.start))
	})
	b.Run("Q2", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			const off = 8 * 3600
			first := (lo + off) / 86400
			n := int((hi+off)/86400 - first + 1)
			cells := make([]handCell, benchQueues*benchUsers*n)
			for i, s := range d.start {
				e := d.end[i]
				g := (int(d.queue[i])*benchUsers + int(d.user[i])) * n
				total, cost := float64(e-s), d.cost[i]
				day := (s + off) / 86400
				for {
					be := (day+1)*86400 - off
					pe := min(e, be)
					cells[g+int(day-first)].add(float64(pe-s), total, cost)
					if e <= be {
						break
					}
					s, day = be, day+1
				}
			}
			handRows(b, cells)
		}
		reportPerSession(b, len(d.start))
	})
	b.Run("Q3", func(b *testing.B) {
		b.ReportAllocs()
		bounds := handMonths()
		for range b.N {
			cells := make([]handCell, len(bounds))
			// The loop is written out here and in the []Session Q3 below:
			// a shared function's call cost this baseline 5%.
			for i, s := range d.start {
				e := d.end[i]
				total, cost := float64(e-s), d.cost[i]
				m := 0
				for bounds[m+1] <= s {
					m++
				}
				for {
					be := bounds[m+1]
					pe := min(e, be)
					cells[m].add(float64(pe-s), total, cost)
					if e <= be {
						break
					}
					s, m = be, m+1
				}
			}
			handRows(b, cells)
		}
		reportPerSession(b, len(d.start))
	})
}

// handMonths returns the month starts in UTC-3 that the benchmarks' window
// touches, for the hand-written Q3: a hand-written loop knows its calendar.
func handMonths() []int64 {
	const off = -3 * 3600
	var bounds []int64
	for m := time.Date(2025, 12, 1, 0, 0, 0, 0, time.FixedZone("", off)); m.Unix() < benchWindowEnd.Unix()+31*86400; m = m.AddDate(0, 1, 0) {
		bounds = append(bounds, m.Unix())
	}
	return bounds
}

// BenchmarkHandWrittenSessions is the hand-written loops with
// the input Aggregate has: the times and cost are read from the []Session
// values through an iter.Seq, 176 bytes a session where the integer arrays
// take 36. The group is still given, not looked up, so this remains a
// best case for a special-purpose loop.
func BenchmarkHandWrittenSessions(b *testing.B) {
	d := benchData()
	b.Run("Q1", func(b *testing.B) {
		handSessions(b, d, 3600, benchQueues, func(i int) int { return int(d.queue[i]) })
	})
	b.Run("Q2", func(b *testing.B) {
		handSessions(b, d, 86400, benchQueues*benchUsers, func(i int) int {
			return int(d.queue[i])*benchUsers + int(d.user[i])
		})
	})
	b.Run("Q3", func(b *testing.B) {
		b.ReportAllocs()
		bounds := handMonths()
		for range b.N {
			cells := make([]handCell, len(bounds))
			for ss := range slices.Values(d.sessions) {
				s, e := ss.Start.Unix(), ss.End.Unix()
				total, cost := float64(e-s), ss.CostInUSD
				m := 0
				for bounds[m+1] <= s {
					m++
				}
				for {
					be := bounds[m+1]
					pe := min(e, be)
					cells[m].add(float64(pe-s), total, cost)
					if e <= be {
						break
					}
					s, m = be, m+1
				}
			}
			handRows(b, cells)
		}
		reportPerSession(b, len(d.sessions))
	})
}

// handSessions runs a hand-written loop for buckets of step seconds in
// UTC+8 over d's sessions, with ngroups groups, group(i) being session i's.
func handSessions(b *testing.B, d *benchSet, step int64, ngroups int, group func(i int) int) {
	b.ReportAllocs()
	const off = 8 * 3600
	first := (benchEpoch.Unix() + off) / step
	n := int((benchWindowEnd.Unix()+off)/step - first + 1)
	for range b.N {
		cells := make([]handCell, ngroups*n)
		i := 0
		for ss := range slices.Values(d.sessions) {
			s, e := ss.Start.Unix(), ss.End.Unix()
			g := group(i) * n
			total, cost := float64(e-s), ss.CostInUSD
			k := (s + off) / step
			for {
				be := (k+1)*step - off
				pe := min(e, be)
				cells[g+int(k-first)].add(float64(pe-s), total, cost)
				if e <= be {
					break
				}
				s, k = be, k+1
			}
			i++
		}
		handRows(b, cells)
	}
	reportPerSession(b, len(d.sessions))
}

// handCell is a row of the hand-written loops.
type handCell struct {
	count                   int64
	rt, rtC, rtMin, rtMax   float64
	cost, costC, cMin, cMax float64
}

func (c *handCell) add(secs, total, cost float64) {
	share := cost
	if secs != total {
		share = cost * (secs / total)
	}
	if c.count == 0 {
		c.rtMin, c.rtMax, c.cMin, c.cMax = secs, secs, share, share
	} else {
		c.rtMin, c.rtMax = min(c.rtMin, secs), max(c.rtMax, secs)
		c.cMin, c.cMax = min(c.cMin, share), max(c.cMax, share)
	}
	c.count++
	c.rt, c.rtC = neumaier(c.rt, c.rtC, secs)
	c.cost, c.costC = neumaier(c.cost, c.costC, share)
}

func neumaier(sum, c, v float64) (float64, float64) {
	t := sum + v
	if math.Abs(sum) >= math.Abs(v) {
		c += (sum - t) + v
	} else {
		c += (v - t) + sum
	}
	return t, c
}

// handRows keeps the compiler from discarding the loops' work and checks
// that they saw every session.
func handRows(b *testing.B, cells []handCell) {
	var n int64
	for i := range cells {
		n += cells[i].count
	}
	if n < benchSessionCount {
		b.Fatalf("hand-written loop counted %d pieces, want at least %d", n, benchSessionCount)
	}
}
